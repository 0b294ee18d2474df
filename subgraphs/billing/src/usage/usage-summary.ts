import type { EntityManager } from '@mikro-orm/core';
import type { Decimal } from '@switchboard/kit';
import { loadPlanPricing } from '../catalog/plan-pricing.js';
import { computeBillable } from '../rating/charge-models.js';
import { periodContaining } from '../rating/periods.js';
import { roundQuantity } from '../rating/quantities.js';
import { Dec } from '../shared/decimal.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { periodKey, periodQuantities } from './usage-aggregates.js';

/** One metric's usage of one subscription period, rated as the invoice would rate it. */
export interface UsagePeriodSummary {
  subscriptionId: string;
  metric: string;
  unitLabel: string;
  periodStart: Date;
  periodEnd: Date;
  quantity: Decimal;
  includedQuota: Decimal;
  overage: Decimal;
  /** Rated amount at 6 dp. */
  amount: Decimal;
  currency: string;
}

/**
 * Usage per charged metric for many subscriptions at once (their current period, or the period
 * containing `at`): one query for pricing, one for aggregates.
 */
export async function usageSummaries(em: EntityManager, subscriptions: readonly Subscription[], at?: Date): Promise<Map<string, UsagePeriodSummary[]>> {
  const result = new Map<string, UsagePeriodSummary[]>(subscriptions.map((s) => [s.id, []]));
  const pricing = await loadPlanPricing(em, subscriptions.map((s) => s.planId));
  const periods = new Map(
    subscriptions.flatMap((s) => {
      const period = at ? periodContaining(s.anchorAt, s.billingInterval, at) : { start: s.currentPeriodStart, end: s.currentPeriodEnd };
      return period ? [[s.id, period] as const] : [];
    }),
  );
  const aggregations = new Map([...pricing.values()].flatMap((p) => [...p.aggregations]));
  const quantities = await periodQuantities(em, [...periods].map(([subscriptionId, period]) => ({ subscriptionId, periodStart: period.start })), aggregations);
  for (const subscription of subscriptions) {
    const period = periods.get(subscription.id);
    const plan = pricing.get(subscription.planId);
    if (!period || !plan) continue;
    const usage = quantities.get(periodKey(subscription.id, period.start));
    result.set(
      subscription.id,
      plan.charges.map((charge) => {
        const quantity = roundQuantity(usage?.get(charge.metricId) ?? new Dec(0), charge.rounding.mode, charge.rounding.scale);
        const billable = computeBillable(charge.terms, quantity);
        return {
          subscriptionId: subscription.id,
          metric: charge.metricCode,
          unitLabel: charge.unitLabel,
          periodStart: period.start,
          periodEnd: period.end,
          quantity,
          includedQuota: charge.terms.includedQuota,
          overage: billable.overage,
          amount: billable.amount,
          currency: plan.plan.currency,
        };
      }),
    );
  }
  return result;
}
