import type { Decimal } from '@switchboard/kit';
import type { PlanPricing } from '../catalog/plan-pricing.js';
import { CPU_METRIC } from '../importer/catalog-mapping.js';
import type { BillingInterval } from '../rating/periods.js';
import { computeBillable } from '../rating/charge-models.js';
import { roundQuantity } from '../rating/quantities.js';
import { Dec, RATE_SCALE, ZERO } from '../shared/decimal.js';
import { compare, flatApplies, type ReconciliationStatus } from './reconciliation-rules.js';

/**
 * Switchboard's side of one (subscription, period) and its comparison with the app's (pure):
 * flat (when a billing period of the subscription starts in that month) + overage, priced by the
 * charge math that rates invoices (rating/charge-models.ts `computeBillable`, after the metric's
 * rounding from rating/quantities.ts) — the same sum as rate-period.ts's `exactTotal`, without
 * building invoice lines — exact to 6 decimals.
 */

/** The app's figures for one (subscription, month). */
export interface SourceRow {
  subscriptionExternalId: string;
  period: string;
  /** CPU-seconds the app metered. */
  usage: Decimal;
  /** Pre-tax invoiced, each invoice counted once. */
  external: Decimal;
  currencies: Set<string>;
  invoices: number;
}

export interface OurSubscription {
  id: string;
  customerEmail: string;
  planId: number;
  interval: BillingInterval;
  anchorAt: Date;
}

export interface ComputedItem {
  subscriptionExternalId: string;
  period: string;
  subscriptionId: string;
  customerEmail: string;
  currency: string;
  usage: Decimal;
  flat: Decimal;
  overage: Decimal;
  computed: Decimal;
  external: Decimal;
  delta: Decimal;
  invoices: number;
  status: 'match' | 'delta';
  /** The amounts as stored (6 decimals; usage 6 decimals), formatted once. */
  text: { usage: string; flat: string; overage: string; computed: string; external: string; delta: string };
}

/** One row: skipped (with the reason) when the subscription or its plan is unknown; throws on inconsistent data. */
export function computeItem(row: SourceRow, subscription: OurSubscription | undefined, pricing: Map<number, PlanPricing>, tolerance: Decimal): ComputedItem | { skip: string } {
  if (!subscription) return { skip: 'unknown subscription (not imported)' };
  const plan = pricing.get(subscription.planId);
  if (!plan) return { skip: `the subscription's plan ${subscription.planId} is missing` };
  const currency = plan.plan.currency;
  if (row.currencies.size > 1) throw new Error(`the app invoiced this period in several currencies (${[...row.currencies].join(', ')})`);
  const [invoiced] = [...row.currencies];
  if (invoiced && invoiced !== currency) throw new Error(`the app invoiced in ${invoiced}, the plan is priced in ${currency}`);
  const price = subscription.interval === 'yearly' ? plan.plan.priceYearly : plan.plan.priceMonthly;
  if (price === null || price === undefined) throw new Error(`plan ${plan.plan.code} has no ${subscription.interval} price`);
  const flat = flatApplies(subscription.anchorAt, subscription.interval, row.period) ? new Dec(String(price)) : ZERO;
  let overage: Decimal = ZERO;
  for (const charge of plan.charges) {
    if (charge.metricCode !== CPU_METRIC.code) continue; // the app meters CPU only (billing-NOTES §3.1)
    const quantity = roundQuantity(row.usage, charge.rounding.mode, charge.rounding.scale);
    overage = overage.plus(computeBillable(charge.terms, quantity).amount);
  }
  const computed = flat.plus(overage);
  const { delta, status } = compare(computed, row.external, tolerance);
  return {
    subscriptionExternalId: row.subscriptionExternalId,
    period: row.period,
    subscriptionId: subscription.id,
    customerEmail: subscription.customerEmail,
    currency,
    usage: row.usage,
    flat,
    overage,
    computed,
    external: row.external,
    delta,
    invoices: row.invoices,
    status,
    text: {
      usage: row.usage.toFixed(6), flat: flat.toFixed(RATE_SCALE), overage: overage.toFixed(RATE_SCALE),
      computed: computed.toFixed(RATE_SCALE), external: row.external.toFixed(RATE_SCALE), delta: delta.toFixed(RATE_SCALE),
    },
  };
}


/** What an item looked like before this run (amounts as 6-decimal strings). */
export interface StoredItem {
  id: number;
  status: ReconciliationStatus;
  computed: string;
  external: string;
  usage: string;
  invoices: number;
  subscriptionId: string | null;
  customerEmail: string | null;
}

export interface Decision {
  status: ReconciliationStatus;
  change: 'created' | 'updated' | 'unchanged';
  /** A new delta, or a delta whose figures changed: announce it (one ops ticket per key). */
  announce: boolean;
}

/**
 * How a freshly computed item meets its stored self (pure): a person's `resolved` stands while
 * the figures it was about (computed and external) stay the same; a delta is announced when it
 * is new, or its figures changed, never twice for the same figures.
 */
export function decide(before: StoredItem | undefined, item: ComputedItem): Decision {
  const { computed, external } = item.text;
  const sameFigures = before !== undefined && before.computed === computed && before.external === external;
  const status: ReconciliationStatus = before?.status === 'resolved' && sameFigures ? 'resolved' : item.status;
  const unchanged = before !== undefined && sameFigures && before.status === status && before.usage === item.text.usage
    && before.invoices === item.invoices && before.subscriptionId === item.subscriptionId && before.customerEmail === item.customerEmail;
  return {
    status,
    change: unchanged ? 'unchanged' : before ? 'updated' : 'created',
    announce: !unchanged && status === 'delta' && (!before || before.status !== 'delta' || !sameFigures),
  };
}
