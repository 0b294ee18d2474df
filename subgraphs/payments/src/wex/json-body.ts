import { isLosslessNumber, parse, type LosslessNumber } from 'lossless-json';

/**
 * JSON bodies of the legacy routes are parsed losslessly: Odoo sends the amount as a JSON number
 * (`100.50`), and `JSON.parse` would already have turned `100.505` into a float we could no longer
 * check for precision. Numbers come back as `LosslessNumber` (their exact text in `.value`).
 */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonBody(text: string): ParsedBody {
  if (!text.trim()) return { ok: false, message: 'the request body is empty; send a JSON object' };
  try {
    return { ok: true, value: parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

export function isJsonNumber(value: unknown): value is LosslessNumber {
  return isLosslessNumber(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}
