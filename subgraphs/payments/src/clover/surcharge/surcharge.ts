import { Decimal, formatAmount } from '@switchboard/kit';

/**
 * The card processing fee added to a collected amount: `percent` of the amount plus `fixed`,
 * rounded half-up to the cent. Card networks cap surcharges (Visa 3 %, Mastercard 4 %), so a
 * configured percentage above 4 is refused.
 */
export interface SurchargeRule {
  percent: Decimal;
  fixed: Decimal;
}

export const MAX_SURCHARGE_PERCENT = new Decimal(4);

export interface SurchargedAmount {
  base: string;
  surcharge: string;
  total: string;
}

export function applySurcharge(base: Decimal, rule: SurchargeRule | undefined): SurchargedAmount {
  const surcharge = rule && (rule.percent.gt(0) || rule.fixed.gt(0))
    ? base.times(rule.percent).dividedBy(100).plus(rule.fixed).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    : new Decimal(0);
  return { base: formatAmount(base), surcharge: formatAmount(surcharge), total: formatAmount(base.plus(surcharge)) };
}

/** Problems of a surcharge configuration, as `{ field, message }`; empty when it is acceptable. */
export function checkSurchargeRule(percent: Decimal, fixed: Decimal): { field: 'percent' | 'fixedAmount'; message: string }[] {
  const problems: { field: 'percent' | 'fixedAmount'; message: string }[] = [];
  if (percent.isNegative()) problems.push({ field: 'percent', message: 'surcharge percent cannot be negative' });
  if (percent.gt(MAX_SURCHARGE_PERCENT)) problems.push({ field: 'percent', message: `surcharge percent cannot exceed ${MAX_SURCHARGE_PERCENT} (card network cap)` });
  if (percent.decimalPlaces() > 4) problems.push({ field: 'percent', message: 'surcharge percent has at most 4 decimal places' });
  if (fixed.isNegative()) problems.push({ field: 'fixedAmount', message: 'fixed surcharge cannot be negative' });
  if (fixed.decimalPlaces() > 2) problems.push({ field: 'fixedAmount', message: 'fixed surcharge has at most 2 decimal places' });
  return problems;
}
