import type { EntityManager } from '@mikro-orm/core';
import type { Aggregation } from '../catalog/metric.js';
import { loadPlanCharges } from '../catalog/plan-pricing.js';
import type { BillingDeps } from '../deps.js';
import { isWithin, periodContaining } from '../rating/periods.js';
import { fromMicros } from '../rating/quantities.js';
import type { BillingService } from '../services/billing-service.js';
import { ConflictError, UnresolvedError } from '../shared/validation.js';
import type { SubscriptionSnapshot, SubscriptionStatus } from '../subscriptions/subscription.js';
import type { BillingInterval } from '../rating/periods.js';
import { fromDbDate, placeholders, sql } from '../shared/sql.js';
import { announceThresholds, type ThresholdTarget } from './threshold-check.js';
import type { FieldProblem, ParsedUsage } from './usage-input.js';
import { existingUsage, insertUsageRows, usageKey, type UsageRow } from './usage-store.js';

export interface IngestOutcome {
  /** Records stored by this request. */
  accepted: number;
  /** Records already stored under the same key with the same quantity (retries): not counted again. */
  duplicates: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SubscriptionRow {
  id: string;
  service_id: string;
  external_id: string;
  account_link_id: number;
  customer_email: string;
  plan_id: number;
  billing_interval: BillingInterval;
  anchor_at: unknown;
  current_period_start: unknown;
  current_period_end: unknown;
  status: SubscriptionStatus;
  shadow: boolean | number;
  deployment_id: string | null;
  terminated_at: unknown;
}

/** The service's subscriptions named in the batch, by our id or the app's external id (one light query). */
async function resolveSubscriptions(em: EntityManager, serviceId: string, refs: string[]): Promise<Map<string, SubscriptionSnapshot>> {
  const ids = refs.filter((ref) => UUID.test(ref)).map((ref) => ref.toLowerCase());
  const rows = await sql<SubscriptionRow>(
    em,
    `select id, service_id, external_id, account_link_id, customer_email, plan_id, billing_interval, anchor_at, current_period_start,
       current_period_end, status, shadow, deployment_id, terminated_at
     from billing_subscription where service_id = ? and (external_id in (${placeholders(refs.length)})${ids.length ? ` or id in (${placeholders(ids.length)})` : ''})`,
    [serviceId, ...refs, ...ids],
  );
  const snapshots: SubscriptionSnapshot[] = rows.map((row) => ({
    id: row.id,
    serviceId: row.service_id,
    externalId: row.external_id,
    accountLinkId: Number(row.account_link_id),
    customerEmail: row.customer_email,
    planId: Number(row.plan_id),
    billingInterval: row.billing_interval,
    anchorAt: fromDbDate(row.anchor_at),
    currentPeriodStart: fromDbDate(row.current_period_start),
    currentPeriodEnd: fromDbDate(row.current_period_end),
    status: row.status,
    shadow: row.shadow === true || row.shadow === 1,
    deploymentId: row.deployment_id,
    terminatedAt: row.terminated_at === null || row.terminated_at === undefined ? null : fromDbDate(row.terminated_at),
  }));
  const byRef = new Map<string, SubscriptionSnapshot>();
  for (const row of snapshots) byRef.set(row.id, row);
  for (const row of snapshots) byRef.set(row.externalId, row); // the app's own id wins on a clash
  return byRef;
}

/**
 * Stores one batch of usage in one transaction, all or nothing:
 * - every record must name a subscription and metric of the calling service (others' are unknown),
 *   fall inside the subscription's life, and not in a period that is already invoiced;
 * - a key seen before with the same quantity is a duplicate (a retry: accepted, not counted twice);
 *   with a different quantity it is a conflict and the batch is refused (409);
 * - then quota thresholds reached in the open periods are announced.
 */
export async function ingestUsage(deps: BillingDeps, service: BillingService, records: readonly ParsedUsage[], now = new Date()): Promise<IngestOutcome> {
  return deps.transaction(async (tx) => {
    const { em } = tx;
    const subscriptions = await resolveSubscriptions(em, service.id, [...new Set(records.map((r) => r.subscriptionRef))]);
    const codes = [...new Set(records.map((r) => r.metricCode))];
    const metrics = new Map(
      (await sql<{ id: number; code: string; aggregation: Aggregation }>(em, `select id, code, aggregation from billing_metric where service_id = ? and code in (${placeholders(codes.length)})`, [service.id, ...codes]))
        .map((m) => [m.code, { ...m, id: Number(m.id) }]),
    );

    const unresolved: FieldProblem[] = [];
    const rows: (UsageRow & { index: number })[] = [];
    const seen = new Map<string, UsageRow & { index: number }>();
    const conflicts: FieldProblem[] = [];
    let duplicates = 0;
    for (const record of records) {
      const at = `usage[${record.index}]`;
      const subscription = subscriptions.get(record.subscriptionRef);
      const metric = metrics.get(record.metricCode);
      if (!subscription) {
        unresolved.push({ field: `${at}.subscription_id`, message: `names no subscription of this service: ${record.subscriptionRef}` });
        continue;
      }
      if (!metric) {
        unresolved.push({ field: `${at}.metric`, message: `names no metric of this service: ${record.metricCode}` });
        continue;
      }
      if (metric.aggregation === 'unique_count' && record.value === null) {
        unresolved.push({ field: `${at}.value`, message: `is required: ${metric.code} counts distinct values` });
        continue;
      }
      if (record.occurredAt.getTime() < subscription.anchorAt.getTime()) {
        unresolved.push({ field: `${at}.timestamp`, message: `is before the subscription started (${subscription.anchorAt.toISOString()})` });
        continue;
      }
      if (subscription.terminatedAt && record.occurredAt.getTime() >= subscription.terminatedAt.getTime()) {
        unresolved.push({ field: `${at}.timestamp`, message: `is after the subscription was terminated (${subscription.terminatedAt.toISOString()})` });
        continue;
      }
      const current = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
      const period = isWithin(current, record.occurredAt) ? current : periodContaining(subscription.anchorAt, subscription.billingInterval, record.occurredAt)!;
      if (!subscription.shadow && period.start.getTime() < current.start.getTime()) {
        unresolved.push({ field: `${at}.timestamp`, message: `falls in a billing period that is already invoiced (it ended ${period.end.toISOString()})` });
        continue;
      }
      const row = {
        index: record.index,
        subscriptionId: subscription.id,
        metricId: metric.id,
        idempotencyKey: record.idempotencyKey,
        micros: record.micros,
        value: record.value,
        occurredAt: record.occurredAt,
        periodStart: period.start,
      };
      const key = usageKey(row.subscriptionId, row.metricId, row.idempotencyKey);
      const earlier = seen.get(key);
      if (earlier) {
        if (earlier.micros === row.micros && earlier.value === row.value) duplicates++;
        else conflicts.push({ field: `${at}.quantity`, message: `repeats idempotency key ${row.idempotencyKey} of usage[${earlier.index}] with a different quantity or value` });
        continue;
      }
      seen.set(key, row);
      rows.push(row);
    }
    if (unresolved.length > 0) throw new UnresolvedError(unresolved[0]!.field, unresolved[0]!.message, unresolved.slice(0, 20));

    const inserted = await insertUsageRows(em, rows, now);
    const skipped = rows.filter((row) => !inserted.has(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey)));
    if (skipped.length > 0) {
      const existing = await existingUsage(em, skipped);
      for (const row of skipped) {
        const stored = existing.get(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey));
        if (stored && stored.micros === row.micros && stored.value === row.value) {
          duplicates++;
          continue;
        }
        conflicts.push({
          field: `usage[${row.index}].quantity`,
          message: `idempotency key ${row.idempotencyKey} was already used with quantity ${stored ? fromMicros(stored.micros).toString() : '?'}${stored && stored.value !== row.value ? ` and value ${stored.value}` : ''}`,
        });
      }
    }
    if (conflicts.length > 0) throw new ConflictError(`${conflicts[0]!.field}: ${conflicts[0]!.message}`, conflicts.slice(0, 20));

    // Quota thresholds of the periods that just received usage (open periods of live subscriptions).
    const targets = new Map<string, ThresholdTarget & { metricIds: Set<number> }>();
    for (const row of rows) {
      if (!inserted.has(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey))) continue;
      const subscription = subscriptions.get(row.subscriptionId)!;
      if (subscription.shadow || subscription.status === 'terminated') continue;
      const key = `${row.subscriptionId}|${row.periodStart.getTime()}`;
      let target = targets.get(key);
      if (!target) {
        const period = periodContaining(subscription.anchorAt, subscription.billingInterval, row.periodStart)!;
        targets.set(key, (target = { subscription, periodStart: period.start, periodEnd: period.end, metricIds: new Set() }));
      }
      target.metricIds.add(row.metricId);
    }
    if (targets.size > 0) {
      const pricing = await loadPlanCharges(em, [...new Set([...targets.values()].map((t) => t.subscription.planId))]);
      await announceThresholds(tx, deps, [...targets.values()], pricing);
    }
    return { accepted: inserted.size, duplicates };
  });
}
