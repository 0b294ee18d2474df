import type { EntityManager } from '@mikro-orm/core';
import type { EventEmitter } from '@switchboard/kit';
import type { PlanCharges } from '../catalog/plan-pricing.js';
import type { BillingDeps } from '../deps.js';
import { thresholdsToAnnounce } from '../invoices/thresholds.js';
import { BillingService } from '../services/billing-service.js';
import { Dec, fixed } from '../shared/decimal.js';
import { dbDate, fromDbDate, placeholders, sql } from '../shared/sql.js';
import type { SubscriptionSnapshot } from '../subscriptions/subscription.js';
import { subscriptionRefs } from '../subscriptions/subscription-refs.js';
import { periodKey, periodQuantities } from './usage-aggregates.js';

export interface ThresholdTarget {
  subscription: SubscriptionSnapshot;
  periodStart: Date;
  periodEnd: Date;
  /** Only these metrics (the ones that just received usage); all charged metrics when absent. */
  metricIds?: ReadonlySet<number>;
}

/** Payload of `billing.usage.threshold_reached`. */
export interface ThresholdReached {
  subscriptionId: string;
  externalSubscriptionId: string;
  serviceCode: string;
  customerEmail: string;
  deploymentId: string | null;
  metric: string;
  threshold: number;
  quantity: string;
  includedQuota: string;
  periodStart: string;
  periodEnd: string;
  summary: string;
}

/**
 * Announces quota thresholds (80 %, 100 %) reached in the given periods, once per period and
 * threshold: the notice row's unique key decides, so concurrent requests (or replicas) cannot
 * announce twice. Shadow and terminated subscriptions announce nothing. Cheap when everything is
 * announced already: one query, no aggregation.
 */
export async function announceThresholds(
  tx: { em: EntityManager; events: EventEmitter },
  deps: Pick<BillingDeps, 'webhooks'>,
  targets: readonly ThresholdTarget[],
  pricing: ReadonlyMap<number, PlanCharges>,
): Promise<number> {
  const { em } = tx;
  const candidates = targets.flatMap((target) => {
    if (target.subscription.shadow || target.subscription.status === 'terminated') return [];
    const charges = pricing.get(target.subscription.planId)?.charges ?? [];
    return charges
      .filter((charge) => charge.terms.includedQuota.gt(0) && (!target.metricIds || target.metricIds.has(charge.metricId)))
      .map((charge) => ({ target, charge }));
  });
  if (candidates.length === 0) return 0;

  const subscriptionIds = [...new Set(candidates.map((c) => c.target.subscription.id))];
  const starts = [...new Set(candidates.map((c) => c.target.periodStart.getTime()))].map((t) => dbDate(em, new Date(t)));
  const notices = await sql<{ subscription_id: string; metric_id: number; period_start: unknown; threshold: number }>(
    em,
    `select subscription_id, metric_id, period_start, threshold from billing_threshold_notice
     where subscription_id in (${placeholders(subscriptionIds.length)}) and period_start in (${placeholders(starts.length)})`,
    [...subscriptionIds, ...starts],
  );
  const announced = new Map<string, Set<number>>();
  for (const notice of notices) {
    const key = `${periodKey(notice.subscription_id, fromDbDate(notice.period_start))}|${Number(notice.metric_id)}`;
    let set = announced.get(key);
    if (!set) announced.set(key, (set = new Set()));
    set.add(Number(notice.threshold));
  }
  const open = candidates.filter(({ target, charge }) => {
    const set = announced.get(`${periodKey(target.subscription.id, target.periodStart)}|${charge.metricId}`);
    return !set || set.size < 2;
  });
  if (open.length === 0) return 0;

  const aggregations = new Map(open.flatMap(({ target, charge }) => {
    const aggregation = pricing.get(target.subscription.planId)!.aggregations.get(charge.metricId);
    return aggregation ? [[charge.metricId, aggregation] as const] : [];
  }));
  const quantities = await periodQuantities(em, open.map(({ target }) => ({ subscriptionId: target.subscription.id, periodStart: target.periodStart })), aggregations);

  const reached = open.flatMap(({ target, charge }) => {
    const key = periodKey(target.subscription.id, target.periodStart);
    const quantity = quantities.get(key)?.get(charge.metricId) ?? new Dec(0);
    const already = announced.get(`${key}|${charge.metricId}`) ?? new Set<number>();
    return thresholdsToAnnounce(quantity, charge.terms.includedQuota, already).map((threshold) => ({ target, charge, quantity, threshold }));
  });
  if (reached.length === 0) return 0;

  const services = new Map((await em.find(BillingService, { id: { $in: [...new Set(reached.map((r) => r.target.subscription.serviceId))] } })).map((s) => [s.id, s]));
  const refs = await subscriptionRefs(em, [...new Map(reached.map((r) => [r.target.subscription.id, r.target.subscription])).values()]);
  let count = 0;
  for (const { target, charge, quantity, threshold } of reached) {
    const inserted = await sql(
      em,
      `insert into billing_threshold_notice (subscription_id, metric_id, period_start, threshold, quantity, created_at)
       values (?, ?, ?, ?, ?, ?) on conflict (subscription_id, metric_id, period_start, threshold) do nothing returning id`,
      [target.subscription.id, charge.metricId, dbDate(em, target.periodStart), threshold, fixed(quantity, 6), dbDate(em, new Date())],
    );
    if (inserted.length === 0) continue; // another request announced it first
    count++;
    const service = services.get(target.subscription.serviceId)!;
    const ref = refs.get(target.subscription.id)!;
    const quota = charge.terms.includedQuota;
    tx.events.emit<ThresholdReached>('billing.usage.threshold_reached', {
      subscriptionId: target.subscription.id,
      externalSubscriptionId: target.subscription.externalId,
      serviceCode: service.code,
      customerEmail: target.subscription.customerEmail,
      deploymentId: target.subscription.deploymentId ?? null,
      metric: charge.metricCode,
      threshold,
      quantity: quantity.toString(),
      includedQuota: quota.toString(),
      periodStart: target.periodStart.toISOString(),
      periodEnd: target.periodEnd.toISOString(),
      summary: `${service.code} subscription ${target.subscription.externalId} reached ${threshold}% of its ${charge.metricCode} quota (${quantity} of ${quota} ${charge.unitLabel})`,
    }, { subject: target.subscription.id });
    deps.webhooks.send(tx, service, 'usage.threshold_reached', {
      ...ref,
      metric: charge.metricCode,
      threshold_percent: threshold,
      quantity: quantity.toString(),
      included_quota: quota.toString(),
      period_start: target.periodStart.toISOString(),
      period_end: target.periodEnd.toISOString(),
    }, target.subscription.id);
  }
  return count;
}
