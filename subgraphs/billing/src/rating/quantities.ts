import type { Decimal } from '@switchboard/kit';
import { Dec } from '../shared/decimal.js';

/**
 * Usage quantities carry at most 6 decimals and are stored as integer micro-units: SQLite has no
 * exact decimal type (its NUMERIC sums are floats), 64-bit integers sum exactly on both databases.
 */
export const QUANTITY_SCALE = 6;
const MICROS = new Dec(10).pow(QUANTITY_SCALE);
/** Largest quantity one usage record may carry; period sums stay far below 2^63 micro-units. */
export const MAX_RECORD_QUANTITY = new Dec('1000000000000');

export function toMicros(quantity: Decimal.Value): string {
  return new Dec(quantity).mul(MICROS).toFixed(0);
}

export function fromMicros(micros: string | number | bigint | null | undefined): Decimal {
  if (micros === null || micros === undefined) return new Dec(0);
  return new Dec(String(micros)).div(MICROS);
}

export type RoundingMode = 'none' | 'round' | 'ceil' | 'floor';
export const ROUNDING_MODES: readonly RoundingMode[] = ['none', 'round', 'ceil', 'floor'];

/** A metric's rounding of the aggregated period quantity before it is rated. */
export function roundQuantity(quantity: Decimal, mode: RoundingMode, scale: number): Decimal {
  switch (mode) {
    case 'none':
      return quantity;
    case 'round':
      return quantity.toDecimalPlaces(scale, Dec.ROUND_HALF_UP);
    case 'ceil':
      return quantity.toDecimalPlaces(scale, Dec.ROUND_CEIL);
    case 'floor':
      return quantity.toDecimalPlaces(scale, Dec.ROUND_FLOOR);
  }
}

const MAX_RECORD_MICROS = BigInt(toMicros(MAX_RECORD_QUANTITY));

/**
 * A pushed quantity straight to micro-units, without decimal arithmetic (this runs for every
 * usage record): a non-negative decimal string or JSON number with at most 6 significant
 * decimals, up to MAX_RECORD_QUANTITY. Undefined for anything else.
 */
export function quantityToMicros(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (text === undefined) return undefined;
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > QUANTITY_SCALE) return undefined;
  const micros = BigInt(match[1]! + fraction.padEnd(QUANTITY_SCALE, '0'));
  return micros > MAX_RECORD_MICROS ? undefined : micros.toString();
}
