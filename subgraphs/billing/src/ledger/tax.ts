import type { Decimal } from '@switchboard/kit';
import { Dec, MONEY_SCALE, roundHalfUp } from '../shared/decimal.js';

export interface TaxCheck {
  /** Whole percent derived from the source: round(100 × tax / subtotal); 0 when subtotal is 0. */
  rate: number;
  /** What the ledger computes with that rate: subtotal × rate / 100 (on the exact subtotal), to the cent. */
  computedTax: Decimal;
  /** The source's tax, to the cent. */
  sourceTax: Decimal;
  /** The computed tax equals the source's; otherwise the invoice is flagged, never posted as is. */
  matches: boolean;
}

/**
 * The invoice's tax rate as the seed derives it, and the check that the ledger's computed tax
 * equals the source's (pure). A negative rate (tax and subtotal of opposite signs) never matches.
 */
export function checkTax(subtotal: Decimal.Value, tax: Decimal.Value): TaxCheck {
  const base = roundHalfUp(subtotal, MONEY_SCALE);
  const sourceTax = roundHalfUp(tax, MONEY_SCALE);
  const rate = base.isZero() ? 0 : new Dec(tax).mul(100).div(new Dec(subtotal)).toDecimalPlaces(0, Dec.ROUND_HALF_UP).toNumber();
  // On the exact subtotal, as the app computed it (its amounts may carry more than 2 decimals).
  const computedTax = roundHalfUp(new Dec(subtotal).mul(rate).div(100), MONEY_SCALE);
  return { rate, computedTax, sourceTax, matches: rate >= 0 && computedTax.eq(sourceTax) };
}
