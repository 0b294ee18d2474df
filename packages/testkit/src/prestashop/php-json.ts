/**
 * PHP's json_encode as the odoo_sales_sync module calls it (no flags), so emulated batches carry
 * the same bytes a real shop sends: floats keep a decimal point (`25.0`), `/` is escaped as `\/`,
 * non-ASCII characters become `\uXXXX`, and an empty PHP array is `[]` even where an object is meant.
 */

/** A PHP float: `(float)$value` in the module. Encoded with at least one decimal. */
export class PhpFloat {
  constructor(readonly value: number) {}
}

export const phpFloat = (value: number): PhpFloat => new PhpFloat(value);

export function phpJsonEncode(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PhpFloat) return encodeFloat(value.value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : encodeFloat(value);
  if (typeof value === 'string') return encodeString(value);
  if (Array.isArray(value)) return `[${value.map(phpJsonEncode).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    // PHP cannot tell an empty associative array from an empty list.
    if (entries.length === 0) return '[]';
    return `{${entries.map(([key, item]) => `${encodeString(key)}:${phpJsonEncode(item)}`).join(',')}}`;
  }
  throw new TypeError(`cannot encode ${typeof value}`);
}

function encodeFloat(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError('json_encode: Inf and NaN cannot be JSON encoded');
  // serialize_precision = -1: shortest round-trip digits, like JavaScript; PHP keeps ".0" on integral floats.
  const text = String(value);
  if (/e/.test(text)) return text.replace(/e([+-])(\d)$/, 'e$1$2').replace(/^(-?\d+)e/, '$1.0e');
  return Number.isInteger(value) ? `${text}.0` : text;
}

function encodeString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '/') out += '\\/';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code > 0x7e) {
      const units = code > 0xffff ? [0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff)] : [code];
      out += units.map((unit) => `\\u${unit.toString(16).padStart(4, '0')}`).join('');
    } else out += char;
  }
  return `${out}"`;
}
