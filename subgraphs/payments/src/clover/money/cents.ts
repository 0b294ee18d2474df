import { Decimal, formatAmount } from '@switchboard/kit';

/** Currencies Clover processes for North American merchants (two decimal places). */
export const CLOVER_CURRENCIES = ['USD', 'CAD'] as const;
export type CloverCurrency = (typeof CLOVER_CURRENCIES)[number];

export function isCloverCurrency(code: string): code is CloverCurrency {
  return (CLOVER_CURRENCIES as readonly string[]).includes(code);
}

/** Clover amounts are integer cents: `12.34` → 1234. The amount must have at most 2 decimals. */
export function toCents(amount: Decimal.Value): number {
  const cents = new Decimal(amount).times(100);
  if (!cents.isInteger()) throw new Error(`amount ${amount} has more than 2 decimal places`);
  if (cents.abs().greaterThan(Number.MAX_SAFE_INTEGER)) throw new Error(`amount ${amount} is too large`);
  return cents.toNumber();
}

/** 1234 → `12.34` */
export function fromCents(cents: number): string {
  return formatAmount(new Decimal(cents).dividedBy(100));
}
