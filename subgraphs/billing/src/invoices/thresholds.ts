import type { Decimal } from '@switchboard/kit';

/** Percentages of the included quota at which apps are warned (80 %) and told to cap (100 %). */
export const USAGE_THRESHOLDS = [80, 100] as const;

/**
 * Thresholds the period's quantity has reached that were not announced yet (pure). A quota of
 * zero has no thresholds: everything is overage from the first unit and there is nothing to warn
 * about. Jumping from 0 to 120 % reaches both at once; each is announced once per period.
 */
export function thresholdsToAnnounce(
  quantity: Decimal,
  includedQuota: Decimal,
  alreadyAnnounced: ReadonlySet<number>,
  thresholds: readonly number[] = USAGE_THRESHOLDS,
): number[] {
  if (includedQuota.lte(0)) return [];
  return thresholds.filter((percent) => !alreadyAnnounced.has(percent) && quantity.mul(100).gte(includedQuota.mul(percent)));
}
