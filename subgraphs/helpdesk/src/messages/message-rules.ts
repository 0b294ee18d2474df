import type { AttachmentMeta } from './ticket-message.js';

/**
 * Customer-visible or not. Fail-closed: only a message explicitly marked public is public (the
 * seed's check treated a missing flag as public, which would leak a note with a lost flag).
 */
export function isPublicMessage(message: { visibility?: string | null }): boolean {
  return message.visibility === 'public';
}

export const MESSAGE_BODY_MAX = 50_000;
export const ATTACHMENTS_MAX = 20;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string; field: string };

/** Attachment metadata from a client app or an agent: names, types, sizes and http(s) links only. */
export function checkAttachments(raw: unknown, field = 'attachments'): Checked<AttachmentMeta[]> {
  if (raw === undefined || raw === null) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return { ok: false, message: `${field} must be a list`, field };
  if (raw.length > ATTACHMENTS_MAX) return { ok: false, message: `${field} may hold at most ${ATTACHMENTS_MAX} files`, field };
  const value: AttachmentMeta[] = [];
  for (const [i, item] of raw.entries()) {
    const at = `${field}[${i}]`;
    if (!item || typeof item !== 'object') return { ok: false, message: `${at} must be an object`, field: at };
    const { filename, content_type: snake, contentType: camel, size_bytes: sizeSnake, sizeBytes: sizeCamel, url } = item as Record<string, unknown>;
    const contentType = snake ?? camel ?? 'application/octet-stream';
    const sizeBytes = sizeSnake ?? sizeCamel ?? 0;
    if (typeof filename !== 'string' || !filename.trim() || filename.length > 255) {
      return { ok: false, message: `${at}.filename must be a name of 1 to 255 characters`, field: `${at}.filename` };
    }
    if (typeof contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(contentType)) {
      return { ok: false, message: `${at}.content_type must be a MIME type such as image/png`, field: `${at}.content_type` };
    }
    if (typeof sizeBytes !== 'number' || !Number.isInteger(sizeBytes) || sizeBytes < 0) {
      return { ok: false, message: `${at}.size_bytes must be a whole number of bytes`, field: `${at}.size_bytes` };
    }
    if (url !== undefined && url !== null && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url) || url.length > 2000)) {
      return { ok: false, message: `${at}.url must be an http(s) URL`, field: `${at}.url` };
    }
    value.push({ filename: filename.trim(), contentType, sizeBytes, url: (url as string | undefined) ?? null });
  }
  return { ok: true, value };
}
