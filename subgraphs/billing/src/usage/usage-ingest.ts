import type { EntityManager } from '@mikro-orm/core';
import { GroupCommit, type EventEmitter } from '@switchboard/kit';
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

/** One request's batch, as the route hands it over. */
interface IngestRequest {
  service: BillingService;
  records: readonly ParsedUsage[];
  now: Date;
}

type IngestResult = { outcome: IngestOutcome } | { error: Error };

/** Requests, and records, written by one transaction at most. */
const MAX_REQUESTS_PER_COMMIT = 100;
const MAX_RECORDS_PER_COMMIT = 2_000;

/**
 * A group holds something only a request on its own may decide (a key already stored, or the same
 * key in two requests of the group): the group is rolled back and each request written alone.
 */
class WriteAlone extends Error {}

const commits = new WeakMap<BillingDeps, GroupCommit<IngestRequest, IngestResult>>();

function groupCommit(deps: BillingDeps): GroupCommit<IngestRequest, IngestResult> {
  let group = commits.get(deps);
  if (!group) {
    group = new GroupCommit((requests) => writeRequests(deps, requests), {
      maxBatch: MAX_REQUESTS_PER_COMMIT,
      weigh: (request) => request.records.length,
      maxWeight: MAX_RECORDS_PER_COMMIT,
      // SQLite has one writer; PostgreSQL overlaps a commit with the next group.
      concurrency: deps.db.dialect === 'sqlite' ? 1 : 3,
    });
    commits.set(deps, group);
  }
  return group;
}

/**
 * Stores one batch of usage, all or nothing:
 * - every record must name a subscription and metric of the calling service (others' are unknown),
 *   fall inside the subscription's life, and not in a period that is already invoiced;
 * - a key seen before with the same quantity is a duplicate (a retry: accepted, not counted twice);
 *   with a different quantity it is a conflict and the batch is refused (409);
 * - then quota thresholds reached in the open periods are announced.
 *
 * Group commit: the requests arriving while a commit is in progress are written together by the
 * next one (one query per step for all of them instead of a transaction each) and each request is
 * answered once its records are committed. A request refused by its own content does not affect the
 * others of its group; a group that meets a key already stored is written again request by request,
 * so duplicates and conflicts are decided exactly as for a request alone.
 */
export async function ingestUsage(deps: BillingDeps, service: BillingService, records: readonly ParsedUsage[], now = new Date()): Promise<IngestOutcome> {
  const result = await groupCommit(deps).submit({ service, records, now });
  if ('error' in result) throw result.error;
  return result.outcome;
}

/** A request's records checked against its service's subscriptions and metrics (no writes). */
type Checked = { rows: (UsageRow & { index: number })[]; duplicates: number } | { error: Error };

function check(request: IngestRequest, subscriptions: Map<string, SubscriptionSnapshot>, metrics: Map<string, { id: number; code: string; aggregation: Aggregation }>): Checked {
  const unresolved: FieldProblem[] = [];
  const rows: (UsageRow & { index: number })[] = [];
  const seen = new Map<string, UsageRow & { index: number }>();
  const conflicts: FieldProblem[] = [];
  let duplicates = 0;
  for (const record of request.records) {
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
  if (unresolved.length > 0) return { error: new UnresolvedError(unresolved[0]!.field, unresolved[0]!.message, unresolved.slice(0, 20)) };
  if (conflicts.length > 0) return { error: new ConflictError(`${conflicts[0]!.field}: ${conflicts[0]!.message}`, conflicts.slice(0, 20)) };
  return { rows, duplicates };
}

async function writeRequests(deps: BillingDeps, requests: IngestRequest[]): Promise<IngestResult[]> {
  return deps.transaction(async (tx) => {
    const { em } = tx;
    // One look-up per service (a group is almost always one app's).
    const byService = new Map<string, IngestRequest[]>();
    for (const request of requests) byService.set(request.service.id, [...(byService.get(request.service.id) ?? []), request]);
    const subscriptions = new Map<string, Map<string, SubscriptionSnapshot>>();
    const metrics = new Map<string, Map<string, { id: number; code: string; aggregation: Aggregation }>>();
    for (const [serviceId, group] of byService) {
      const records = group.flatMap((request) => request.records);
      subscriptions.set(serviceId, await resolveSubscriptions(em, serviceId, [...new Set(records.map((r) => r.subscriptionRef))]));
      const codes = [...new Set(records.map((r) => r.metricCode))];
      metrics.set(
        serviceId,
        new Map(
          (await sql<{ id: number; code: string; aggregation: Aggregation }>(em, `select id, code, aggregation from billing_metric where service_id = ? and code in (${placeholders(codes.length)})`, [serviceId, ...codes]))
            .map((m) => [m.code, { ...m, id: Number(m.id) }]),
        ),
      );
    }
    const checked = requests.map((request) => check(request, subscriptions.get(request.service.id)!, metrics.get(request.service.id)!));

    const rows = checked.flatMap((c) => ('rows' in c ? c.rows : []));
    const alone = requests.length === 1;
    if (!alone && new Set(rows.map((row) => usageKey(row.subscriptionId, row.metricId, row.idempotencyKey))).size !== rows.length) throw new WriteAlone();
    const inserted = await insertUsageRows(em, rows, requests[0]!.now);
    if (!alone && inserted.size !== rows.length) throw new WriteAlone();

    // Alone: keys already stored are retries (same quantity) or conflicts.
    let storedDuplicates = 0;
    const skipped = rows.filter((row) => !inserted.has(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey)));
    if (skipped.length > 0) {
      const conflicts: FieldProblem[] = [];
      const existing = await existingUsage(em, skipped);
      for (const row of skipped) {
        const stored = existing.get(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey));
        if (stored && stored.micros === row.micros && stored.value === row.value) {
          storedDuplicates++;
          continue;
        }
        conflicts.push({
          field: `usage[${row.index}].quantity`,
          message: `idempotency key ${row.idempotencyKey} was already used with quantity ${stored ? fromMicros(stored.micros).toString() : '?'}${stored && stored.value !== row.value ? ` and value ${stored.value}` : ''}`,
        });
      }
      if (conflicts.length > 0) throw new ConflictError(`${conflicts[0]!.field}: ${conflicts[0]!.message}`, conflicts.slice(0, 20));
    }

    const snapshots = new Map([...subscriptions.values()].flatMap((byRef) => [...byRef.values()].map((snapshot) => [snapshot.id, snapshot] as const)));
    await announceFor(tx, deps, rows.filter((row) => inserted.has(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey))), snapshots);
    return checked.map((c) => {
      if ('error' in c) return { error: c.error };
      const accepted = c.rows.filter((row) => inserted.has(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey))).length;
      return { outcome: { accepted, duplicates: c.duplicates + (alone ? storedDuplicates : 0) } };
    });
  });
}

/** Quota thresholds of the periods that just received usage (open periods of live subscriptions). */
async function announceFor(tx: { em: EntityManager; events: EventEmitter }, deps: BillingDeps, rows: readonly UsageRow[], snapshots: ReadonlyMap<string, SubscriptionSnapshot>): Promise<void> {
  const targets = new Map<string, ThresholdTarget & { metricIds: Set<number> }>();
  for (const row of rows) {
    const subscription = snapshots.get(row.subscriptionId)!;
    if (subscription.shadow || subscription.status === 'terminated') continue;
    const key = `${row.subscriptionId}|${row.periodStart.getTime()}`;
    let target = targets.get(key);
    if (!target) {
      const period = periodContaining(subscription.anchorAt, subscription.billingInterval, row.periodStart)!;
      targets.set(key, (target = { subscription, periodStart: period.start, periodEnd: period.end, metricIds: new Set() }));
    }
    target.metricIds.add(row.metricId);
  }
  if (targets.size === 0) return;
  const pricing = await loadPlanCharges(tx.em, [...new Set([...targets.values()].map((t) => t.subscription.planId))]);
  await announceThresholds(tx, deps, [...targets.values()], pricing);
}
