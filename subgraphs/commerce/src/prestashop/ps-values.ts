import { Decimal, normalizeEmail } from '@switchboard/kit';
import { DateTime } from 'luxon';

/**
 * Readers for the module's JSON, which mixes PHP types freely: an id is `5` or `"5"` (raw
 * ObjectModel values are strings), a flag is `true`, `1` or `"1"`, an amount is a PHP float
 * (`25.0`) or a DECIMAL(20,6) string (`"25.000000"`), an unset date is `"0000-00-00 00:00:00"`,
 * an empty object is `[]`. Each accepts every spelling the module produces and rejects anything
 * else with a message a 400 answer can show next to the field.
 *
 * Hand-written rather than a schema library: an order carries up to 100 lines of 70 fields and
 * is read at intake and again when processed; a schema library cost ~1 ms per order here.
 */

/** PrestaShop stores amounts as DECIMAL(20,6); digits beyond that are float noise from PHP maths. */
export const AMOUNT_SCALE = 6;
const MAX_AMOUNT = new Decimal('1e14');
const DECIMAL_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export interface Problem {
  field: string;
  message: string;
}

type Check<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const bad = (message: string): Check<never> => ({ ok: false, message });

export function asInt(value: unknown): Check<number> {
  const number =
    typeof value === 'number' ? value
    : typeof value === 'boolean' ? Number(value)
    : typeof value === 'string' && value.trim() !== '' ? Number(value.trim())
    : Number.NaN;
  return Number.isSafeInteger(number) && number >= 0 ? ok(number) : bad('must be a non-negative integer');
}

export function asPositiveInt(value: unknown): Check<number> {
  const number = asInt(value);
  return number.ok && number.value === 0 ? bad('must be a positive integer') : number;
}

/**
 * An amount. A JSON number is converted through its shortest round-trip text, which is exactly
 * what PHP's json_encode wrote for the same double (both use shortest round-trip), so no digit
 * the module sent is lost and no float arithmetic ever happens on our side.
 */
export function asDecimal(value: unknown): Check<Decimal> {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!DECIMAL_TEXT.test(text)) return bad('must be a decimal amount');
  const amount = new Decimal(text).toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_UP);
  return amount.abs().gte(MAX_AMOUNT) ? bad('is out of range') : ok(amount);
}

export function asBool(value: unknown): Check<boolean> {
  if (typeof value === 'boolean') return ok(value);
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim().toLowerCase() : 'x';
  if (text === '1' || text === 'true') return ok(true);
  if (text === '0' || text === 'false' || text === '') return ok(false);
  return bad('must be a boolean (true/false, 1/0)');
}

/** Text the module may send as a number; trimmed, empty → null. */
export function asText(value: unknown, maxLength?: number): Check<string | null> {
  if (typeof value !== 'string' && typeof value !== 'number') return bad('must be a string');
  const text = String(value).trim();
  if (maxLength !== undefined && text.length > maxLength) return bad(`must be at most ${maxLength} characters`);
  return ok(text === '' ? null : text);
}

/**
 * A shop-local `Y-m-d H:i:s` timestamp, normalized; MySQL's zero date and empty strings mean
 * "not set". Conversion to an instant needs the shop's zone: see `shopTime`.
 */
export function asDateTime(value: unknown): Check<string | null> {
  if (typeof value !== 'string') return bad('must be a date and time "YYYY-MM-DD HH:MM:SS"');
  const text = value.trim();
  if (text === '' || text.startsWith('0000-00-00')) return ok(null);
  const match = DATE_TIME.exec(text);
  if (!match || !validCalendarTime(match.slice(1, 7).map((part) => Number(part ?? 0)))) return bad('must be a date and time "YYYY-MM-DD HH:MM:SS"');
  return ok(`${match[1]}-${match[2]}-${match[3]} ${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}`);
}

export function asEmail(value: unknown): Check<string> {
  const email = normalizeEmail(value);
  return email ? ok(email) : bad('must be a valid e-mail address');
}

/** A JSON object; PHP encodes an empty associative array as `[]`, which means `{}`. */
export function asObject(value: unknown): Check<Record<string, unknown>> {
  if (Array.isArray(value) && value.length === 0) return ok({});
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? ok(value as Record<string, unknown>) : bad('must be a JSON object');
}

/**
 * Reads typed fields out of one JSON object, collecting a problem per bad field (with its full
 * path, e.g. `after_data.order_details[2].product_quantity`) instead of stopping at the first.
 * `int`, `text`… require the field; `optInt`, `optText`… accept it missing or null.
 */
export class PayloadReader {
  constructor(
    readonly data: Record<string, unknown>,
    readonly path: string,
    private readonly problems: Problem[],
  ) {}

  /** A reader for `value`, or undefined (and a problem) when it is not an object. */
  static of(value: unknown, path: string, problems: Problem[]): PayloadReader | undefined {
    if (value === undefined || value === null) {
      problems.push({ field: path, message: 'is required' });
      return undefined;
    }
    const object = asObject(value);
    if (!object.ok) {
      problems.push({ field: path, message: object.message });
      return undefined;
    }
    return new PayloadReader(object.value, path, problems);
  }

  field(key: string): string {
    return `${this.path}.${key}`;
  }

  int(key: string): number {
    return this.required(key, asInt) ?? 0;
  }

  positiveInt(key: string): number {
    return this.required(key, asPositiveInt) ?? 0;
  }

  optInt(key: string): number | null {
    return this.optional(key, asInt);
  }

  decimal(key: string): Decimal {
    return this.required(key, asDecimal) ?? new Decimal(0);
  }

  optDecimal(key: string): Decimal | null {
    return this.optional(key, asDecimal);
  }

  optBool(key: string): boolean | null {
    return this.optional(key, asBool);
  }

  /** Required and not empty. */
  text(key: string, maxLength?: number): string {
    return this.required(key, (raw) => {
      const text = asText(raw, maxLength);
      return text.ok && text.value === null ? bad('must not be empty') : text;
    }) ?? '';
  }

  optText(key: string, maxLength?: number): string | null {
    return this.optional(key, (raw) => asText(raw, maxLength));
  }

  optDateTime(key: string): string | null {
    return this.optional(key, asDateTime);
  }

  email(key: string): string {
    return this.required(key, asEmail) ?? '';
  }

  /** A list of objects, each read by `read`; null when the key is missing (the shop did not send it). */
  optList<T>(key: string, read: (item: PayloadReader) => T): T[] | null {
    const raw = this.data[key];
    if (raw === undefined || raw === null) return null;
    if (!Array.isArray(raw)) {
      this.fail(key, 'must be a JSON array');
      return null;
    }
    const items: T[] = [];
    raw.forEach((item, index) => {
      const reader = PayloadReader.of(item, `${this.field(key)}[${index}]`, this.problems);
      if (reader) items.push(read(reader));
    });
    return items;
  }

  fail(key: string, message: string): void {
    this.problems.push({ field: this.field(key), message });
  }

  private required<T>(key: string, check: (raw: unknown) => Check<T>): T | null {
    const raw = this.data[key];
    if (raw === undefined || raw === null) {
      this.fail(key, 'is required');
      return null;
    }
    return this.checked(key, raw, check);
  }

  private optional<T>(key: string, check: (raw: unknown) => Check<T>): T | null {
    const raw = this.data[key];
    return raw === undefined || raw === null ? null : this.checked(key, raw, check);
  }

  private checked<T>(key: string, raw: unknown, check: (raw: unknown) => Check<T>): T | null {
    const result = check(raw);
    if (result.ok) return result.value;
    this.fail(key, result.message);
    return null;
  }
}

/** Year, month, day, hour, minute, second name a real moment (no 2025-02-30, no 25:00). */
function validCalendarTime([year, month, day, hour, minute, second]: number[]): boolean {
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day && hour! < 24 && minute! < 60 && second! < 60;
}

/** The instant of a shop-local timestamp produced by `asDateTime`. */
export function shopTime(local: string | null | undefined, zone: string): Date | null {
  if (!local) return null;
  const [year, month, day, hour, minute, second] = local.split(/[- :]/).map(Number) as [number, number, number, number, number, number];
  if (zone === 'UTC') return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const time = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
  return time.isValid ? time.toJSDate() : null;
}

/**
 * Display form of a stored amount: at least two decimals, more only when PrestaShop's six carry
 * information (`25.000000` → `25.00`, `8.264463` → `8.264463`).
 */
export function formatShopAmount(amount: Decimal.Value): string {
  const value = new Decimal(amount).toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_UP);
  return value.toFixed(Math.max(2, value.decimalPlaces()));
}

/** Keeps only the last four digits of a card number, whatever the payment module stored. */
export function maskCardNumber(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const digits = String(value).replace(/\D/g, '');
  if (digits.length === 0) return null;
  return `XXXX-XXXX-XXXX-${digits.slice(-4).padStart(4, 'X')}`;
}

export function lastFourDigits(masked: string | null): string | null {
  if (!masked) return null;
  const digits = masked.replace(/\D/g, '');
  return digits.length >= 4 ? digits.slice(-4) : null;
}
