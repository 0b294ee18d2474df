import { Money } from '@switchboard/kit';
import { formatShopAmount } from '../prestashop/ps-values.js';

/** A stored DECIMAL(20,6) amount as GraphQL Money, or null when the shop did not send it. */
export function shopMoney(amount: string | null | undefined, currency: string | null | undefined): Money | null {
  if (amount === null || amount === undefined || !currency) return null;
  return Object.assign(new Money(), { amount: formatShopAmount(amount), currency });
}

/** A stored decimal that is not money (rates, percentages), in display form. */
export function shopDecimal(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : formatShopAmount(value);
}
