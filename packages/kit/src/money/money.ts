import { Decimal } from 'decimal.js';
import { Directive, Field, ObjectType } from 'type-graphql';

export { Decimal };

/** ISO 4217 alphabetic code. */
const CURRENCY = /^[A-Z]{3}$/;

/**
 * Parses a decimal amount given as a string or an integer; never a float that could already be
 * rounded. Returns undefined for anything else, so callers can name the bad field.
 */
export function parseAmount(value: unknown, maxScale = 2): Decimal | undefined {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const amount = new Decimal(text);
  return amount.decimalPlaces() > maxScale ? undefined : amount;
}

/** Fixed-scale string for storage and display: `formatAmount(new Decimal('1.5')) === '1.50'`. */
export function formatAmount(amount: Decimal.Value, scale = 2): string {
  return new Decimal(amount).toFixed(scale, Decimal.ROUND_HALF_UP);
}

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && CURRENCY.test(code);
}

/** An amount with its currency; the same value type in every subgraph. */
@ObjectType('Money')
@Directive('@shareable')
export class Money {
  @Field(() => String, { description: 'Decimal string, never a float.' })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code.' })
  currency!: string;

  static of(amount: Decimal.Value, currency: string, scale = 2): Money {
    return Object.assign(new Money(), { amount: formatAmount(amount, scale), currency });
  }
}
