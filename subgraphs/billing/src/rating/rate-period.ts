import type { Decimal } from '@switchboard/kit';
import { Dec, MONEY_SCALE, ZERO, roundHalfUp } from '../shared/decimal.js';
import { computeBillable, type Billable, type ChargeTerms } from './charge-models.js';
import type { BillingInterval } from './periods.js';
import { roundQuantity, type RoundingMode } from './quantities.js';

export interface RatedCharge {
  chargeId: number;
  metricId: number;
  metricCode: string;
  /** Shown on the invoice line, e.g. "NexaCloud CPU overage — Starter". */
  description: string;
  unitLabel: string;
  rounding: { mode: RoundingMode; scale: number };
  terms: ChargeTerms;
}

export interface PeriodToRate {
  planName: string;
  interval: BillingInterval;
  /** The plan's price for this interval (2 dp). */
  flatPrice: Decimal;
  charges: readonly RatedCharge[];
  /** Aggregated quantity per metric id for the period (missing = no usage). */
  usage: ReadonlyMap<number, Decimal>;
}

export interface DraftLine {
  kind: 'flat' | 'usage';
  description: string;
  chargeId: number | null;
  metricCode: string | null;
  /** flat: 1; usage: the period's (rounded) quantity. */
  quantity: Decimal;
  /** Units priced after the quota (usage lines). */
  billableQuantity: Decimal;
  /** flat: the plan price; usage: the charge's price per unit batch (standard / package). */
  unitPrice: Decimal;
  /** The rated amount at 6 dp (reconciliation compares this one). */
  exactAmount: Decimal;
  /** The invoiced amount: `exactAmount` rounded half up to cents, once per line. */
  amount: Decimal;
}

export interface RatedPeriod {
  lines: DraftLine[];
  /** Σ line amounts (cents). */
  subtotal: Decimal;
  /** Σ exact amounts (6 dp): flat + overage as the seed's reconciliation computes it. */
  exactTotal: Decimal;
  billables: Map<number, Billable>;
}

/** Flat line + one usage line per charge (pure): what a subscription owes for one period. */
export function ratePeriod(input: PeriodToRate): RatedPeriod {
  const lines: DraftLine[] = [
    {
      kind: 'flat',
      description: `${input.planName} (${input.interval})`,
      chargeId: null,
      metricCode: null,
      quantity: new Dec(1),
      billableQuantity: new Dec(1),
      unitPrice: input.flatPrice,
      exactAmount: new Dec(input.flatPrice),
      amount: roundHalfUp(input.flatPrice, MONEY_SCALE),
    },
  ];
  const billables = new Map<number, Billable>();
  for (const charge of input.charges) {
    const raw = input.usage.get(charge.metricId) ?? ZERO;
    const quantity = roundQuantity(new Dec(raw), charge.rounding.mode, charge.rounding.scale);
    const billable = computeBillable(charge.terms, quantity);
    billables.set(charge.chargeId, billable);
    lines.push({
      kind: 'usage',
      description: charge.description,
      chargeId: charge.chargeId,
      metricCode: charge.metricCode,
      quantity,
      billableQuantity: billable.overage,
      unitPrice: charge.terms.pricePerUnit,
      exactAmount: billable.amount,
      amount: roundHalfUp(billable.amount, MONEY_SCALE),
    });
  }
  return {
    lines,
    subtotal: lines.reduce((sum, line) => sum.plus(line.amount), ZERO as Decimal),
    exactTotal: lines.reduce((sum, line) => sum.plus(line.exactAmount), ZERO as Decimal),
    billables,
  };
}
