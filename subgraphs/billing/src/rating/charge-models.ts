import type { Decimal } from '@switchboard/kit';
import { Dec, RATE_SCALE, ZERO, roundHalfUp } from '../shared/decimal.js';

export type ChargeModel = 'standard' | 'graduated' | 'package' | 'volume';
export const CHARGE_MODELS: readonly ChargeModel[] = ['standard', 'graduated', 'package', 'volume'];

/** One price tier: units above the previous tier's `upTo` up to this one's (inclusive); null = no end. */
export interface Tier {
  upTo: Decimal | null;
  /** Price per `unitBatch` units inside this tier (6 dp). */
  unitPrice: Decimal;
  /** Added once when the tier is used (graduated: every tier touched; volume: the tier that applies). */
  flatFee: Decimal;
}

/** What a charge says about pricing one metric for one period. */
export interface ChargeTerms {
  model: ChargeModel;
  /** Free units per period; the quota resets every period. */
  includedQuota: Decimal;
  /** standard: price per `unitBatch` units; package: price per package of `unitBatch` units. */
  pricePerUnit: Decimal;
  /** Units the price refers to (3600 CPU-seconds = one core-hour; 1000 API calls). */
  unitBatch: Decimal;
  /** graduated / volume only, ordered by `upTo`. */
  tiers: readonly Tier[];
}

export interface TierUse {
  upTo: Decimal | null;
  units: Decimal;
  amount: Decimal;
}

export interface Billable {
  /** The period's aggregated quantity. */
  quantity: Decimal;
  /** Units above the included quota: what is priced. */
  overage: Decimal;
  /** Priced units expressed in batches (packages are whole; standard batches may be fractional). */
  batches: Decimal;
  /** The rated amount, rounded half up to 6 decimals (invoice lines round this to cents). */
  amount: Decimal;
  /** graduated / volume: how each tier contributed. */
  tiers: TierUse[];
}

/**
 * The charge math (pure). The quota is subtracted first; the overage is then priced by the model:
 * - standard: overage / unitBatch × pricePerUnit, partial batches pro rata (7200 s over at $0.0075
 *   per 3600 s = $0.015; 5400 s over = $0.01125);
 * - package: whole packages, a started package is paid in full: ceil(overage / unitBatch) × price;
 * - graduated: each tier prices the units that fall inside it, plus the flat fee of every tier used;
 * - volume: every unit at the price of the tier the whole overage falls in, plus that tier's flat fee.
 * Tier prices are per `unitBatch` units too. No units → nothing to pay (no flat fee either).
 */
export function computeBillable(terms: ChargeTerms, quantity: Decimal.Value): Billable {
  const total = new Dec(quantity);
  const overage = Dec.max(total.minus(terms.includedQuota), ZERO);
  const result = (batches: Decimal, raw: Decimal, tiers: TierUse[] = []): Billable => ({
    quantity: total,
    overage,
    batches,
    amount: roundHalfUp(raw, RATE_SCALE),
    tiers,
  });
  if (overage.isZero()) return result(ZERO, ZERO);

  switch (terms.model) {
    case 'standard': {
      const batches = overage.div(terms.unitBatch);
      return result(batches, batches.mul(terms.pricePerUnit));
    }
    case 'package': {
      const packages = overage.div(terms.unitBatch).ceil();
      return result(packages, packages.mul(terms.pricePerUnit));
    }
    case 'graduated': {
      const uses: TierUse[] = [];
      let lower: Decimal = ZERO;
      let amount: Decimal = ZERO;
      for (const tier of terms.tiers) {
        if (overage.lte(lower)) break;
        const upper = tier.upTo === null ? overage : Dec.min(tier.upTo, overage);
        const units = upper.minus(lower);
        const tierAmount = units.div(terms.unitBatch).mul(tier.unitPrice).plus(tier.flatFee);
        uses.push({ upTo: tier.upTo, units, amount: tierAmount });
        amount = amount.plus(tierAmount);
        if (tier.upTo === null) break;
        lower = tier.upTo;
      }
      return result(overage.div(terms.unitBatch), amount, uses);
    }
    case 'volume': {
      const tier = terms.tiers.find((t) => t.upTo === null || overage.lte(t.upTo)) ?? terms.tiers[terms.tiers.length - 1]!;
      const amount = overage.div(terms.unitBatch).mul(tier.unitPrice).plus(tier.flatFee);
      return result(overage.div(terms.unitBatch), amount, [{ upTo: tier.upTo, units: overage, amount }]);
    }
  }
}
