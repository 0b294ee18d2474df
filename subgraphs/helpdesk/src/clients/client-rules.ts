import { randomBytes } from 'node:crypto';
import { bearerTokenOf, sha256Hex } from '@switchboard/kit';

/** Labels are short upper-case tags (ENTECH, MOBILITY); `__none__`, the scope sentinel, can never be one. */
export const LABEL_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,39}$/;

export function normalizeLabel(raw: string): string | undefined {
  const label = raw.trim().toUpperCase();
  return LABEL_PATTERN.test(label) ? label : undefined;
}

const KEY_PREFIX = 'hdk_';

/** A new API key for a client deployment: `hdk_` + 256 random bits. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

export function apiKeyHint(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

/** The key from `Authorization: Bearer <key>` (or `X-Api-Key`), if it looks like one of ours. */
export function extractApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const bearer = bearerTokenOf(headers['authorization']);
  const key = bearer ?? first(headers['x-api-key'])?.trim();
  return key && key.startsWith(KEY_PREFIX) && key.length <= 200 ? key : undefined;
}
