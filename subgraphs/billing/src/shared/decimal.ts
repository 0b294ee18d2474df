import { Decimal } from '@switchboard/kit';

/**
 * Billing arithmetic: 40 significant digits so that divisions (units per batch) and products of
 * 6-dp rates with large quantities stay exact long before any rounding rule applies.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

export const ZERO = new Dec(0);

/** Scale of rates (price per unit, tier prices) and of rated amounts before invoicing. */
export const RATE_SCALE = 6;
/** Scale of invoice lines and invoice totals. */
export const MONEY_SCALE = 2;

/** Round half up to `scale` decimal places (the one rounding mode billing uses). */
export function roundHalfUp(value: Decimal.Value, scale: number): Decimal {
  return new Dec(value).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
}

/** Fixed-scale text for storage and APIs: `fixed(new Dec('0.015'), 6) === '0.015000'`. */
export function fixed(value: Decimal.Value, scale: number): string {
  return new Dec(value).toFixed(scale, Decimal.ROUND_HALF_UP);
}

/**
 * A decimal from JSON input: a string, or a JSON number written with at most `maxScale`
 * decimals (JSON numbers are parsed from their shortest text, so `0.1` is exactly 0.1).
 * Undefined for anything else, so the caller can name the bad field.
 */
export function parseDecimal(value: unknown, maxScale: number): Decimal | undefined {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const parsed = new Dec(text);
  return parsed.decimalPlaces() > maxScale ? undefined : parsed;
}
