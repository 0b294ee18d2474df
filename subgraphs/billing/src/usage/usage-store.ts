import type { EntityManager } from '@mikro-orm/core';
import { dbDate, isPostgres, placeholders, sql, sqliteEach } from '../shared/sql.js';

export interface UsageRow {
  subscriptionId: string;
  metricId: number;
  idempotencyKey: string;
  micros: string;
  value: string | null;
  occurredAt: Date;
  periodStart: Date;
}

export const usageKey = (subscriptionId: string, metricId: number, key: string) => `${subscriptionId}|${metricId}|${key}`;

interface TotalDelta {
  subscriptionId: string;
  metricId: number;
  periodStart: Date;
  sum: bigint;
  max: bigint;
  count: number;
  lastMicros: string;
  lastOccurredAt: Date;
}

/**
 * Usage rows are written here only, in bulk: each row is skipped by the database when its
 * (subscription, metric, key) exists (`on conflict do nothing`, which on PostgreSQL also waits out
 * a concurrent insert of the same key), and the stored ones are folded into their periods' running
 * totals in the same transaction. The two databases get the fastest form each understands:
 * PostgreSQL one statement over a JSON document (no 8,000-parameter statements to parse), SQLite
 * (in-process, one writer) one prepared statement run per row.
 */
export async function insertUsageRows(em: EntityManager, rows: readonly UsageRow[], receivedAt: Date): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = isPostgres(em) ? await insertPostgres(em, rows, receivedAt) : await insertSqlite(em, rows, receivedAt);
  const deltas = totalDeltas(rows.filter((row) => inserted.has(usageKey(row.subscriptionId, row.metricId, row.idempotencyKey))));
  if (deltas.length > 0) {
    if (isPostgres(em)) await addToTotalsPostgres(em, deltas);
    else await addToTotalsSqlite(em, deltas);
  }
  return inserted;
}

/** The stored quantity and value of existing keys (to tell a retry from a conflicting re-use). */
export async function existingUsage(em: EntityManager, rows: readonly UsageRow[]): Promise<Map<string, { micros: string; value: string | null }>> {
  const found = new Map<string, { micros: string; value: string | null }>();
  for (let offset = 0; offset < rows.length; offset += 500) {
    const chunk = rows.slice(offset, offset + 500);
    const subscriptionIds = [...new Set(chunk.map((r) => r.subscriptionId))];
    const keys = [...new Set(chunk.map((r) => r.idempotencyKey))];
    const existing = await sql<{ subscription_id: string; metric_id: number; idempotency_key: string; micros: string; unique_value: string | null }>(
      em,
      `select subscription_id, metric_id, idempotency_key, cast(quantity_micros as text) as micros, unique_value from billing_usage_record
       where subscription_id in (${placeholders(subscriptionIds.length)}) and idempotency_key in (${placeholders(keys.length)})`,
      [...subscriptionIds, ...keys],
    );
    for (const row of existing) found.set(usageKey(row.subscription_id, Number(row.metric_id), row.idempotency_key), { micros: String(row.micros), value: row.unique_value });
  }
  return found;
}

/** Per (subscription, metric, period): what the new rows add, in key order (a fixed lock order). */
function totalDeltas(rows: readonly UsageRow[]): TotalDelta[] {
  const deltas = new Map<string, TotalDelta>();
  for (const row of rows) {
    const key = `${row.subscriptionId}|${String(row.metricId).padStart(10, '0')}|${String(row.periodStart.getTime()).padStart(15, '0')}`;
    const micros = BigInt(row.micros);
    const delta = deltas.get(key);
    if (!delta) {
      deltas.set(key, { subscriptionId: row.subscriptionId, metricId: row.metricId, periodStart: row.periodStart, sum: micros, max: micros, count: 1, lastMicros: row.micros, lastOccurredAt: row.occurredAt });
      continue;
    }
    delta.sum += micros;
    if (micros > delta.max) delta.max = micros;
    delta.count += 1;
    if (row.occurredAt.getTime() >= delta.lastOccurredAt.getTime()) {
      delta.lastMicros = row.micros;
      delta.lastOccurredAt = row.occurredAt;
    }
  }
  return [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, delta]) => delta);
}

const NEWER = 'excluded.last_occurred_at >= billing_usage_total.last_occurred_at';
const totalsUpdate = (greatest: string) => `on conflict (subscription_id, metric_id, period_start) do update set
  sum_micros = billing_usage_total.sum_micros + excluded.sum_micros,
  max_micros = ${greatest}(billing_usage_total.max_micros, excluded.max_micros),
  record_count = billing_usage_total.record_count + excluded.record_count,
  last_micros = case when ${NEWER} then excluded.last_micros else billing_usage_total.last_micros end,
  last_occurred_at = case when ${NEWER} then excluded.last_occurred_at else billing_usage_total.last_occurred_at end`;

// --- PostgreSQL ------------------------------------------------------------------------------

async function insertPostgres(em: EntityManager, rows: readonly UsageRow[], receivedAt: Date): Promise<Set<string>> {
  const document = JSON.stringify(
    rows.map((r) => ({ s: r.subscriptionId, m: r.metricId, k: r.idempotencyKey, q: r.micros, v: r.value, o: r.occurredAt.toISOString(), p: r.periodStart.toISOString() })),
  );
  const returned = await sql<{ subscription_id: string; metric_id: number; idempotency_key: string }>(
    em,
    `insert into billing_usage_record (subscription_id, metric_id, idempotency_key, quantity_micros, unique_value, occurred_at, period_start, received_at)
     select r.s, r.m, r.k, r.q, r.v, r.o, r.p, ?::timestamptz
     from json_to_recordset(?::json) as r(s varchar, m integer, k varchar, q bigint, v varchar, o timestamptz, p timestamptz)
     on conflict (subscription_id, metric_id, idempotency_key) do nothing
     returning subscription_id, metric_id, idempotency_key`,
    [receivedAt.toISOString(), document],
  );
  return new Set(returned.map((row) => usageKey(row.subscription_id, Number(row.metric_id), row.idempotency_key)));
}

async function addToTotalsPostgres(em: EntityManager, deltas: readonly TotalDelta[]): Promise<void> {
  const document = JSON.stringify(
    deltas.map((d) => ({ s: d.subscriptionId, m: d.metricId, p: d.periodStart.toISOString(), sum: d.sum.toString(), max: d.max.toString(), n: d.count, lq: d.lastMicros, lo: d.lastOccurredAt.toISOString() })),
  );
  await sql(
    em,
    `insert into billing_usage_total (subscription_id, metric_id, period_start, sum_micros, max_micros, record_count, last_micros, last_occurred_at)
     select r.s, r.m, r.p, r.sum, r.max, r.n, r.lq, r.lo
     from json_to_recordset(?::json) as r(s varchar, m integer, p timestamptz, sum bigint, max bigint, n bigint, lq bigint, lo timestamptz)
     ${totalsUpdate('greatest')}`,
    [document],
  );
}

// --- SQLite ----------------------------------------------------------------------------------

const INSERT_ONE = `insert into billing_usage_record (subscription_id, metric_id, idempotency_key, quantity_micros, unique_value, occurred_at, period_start, received_at)
  values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (subscription_id, metric_id, idempotency_key) do nothing returning id`;
const TOTAL_ONE = `insert into billing_usage_total (subscription_id, metric_id, period_start, sum_micros, max_micros, record_count, last_micros, last_occurred_at)
  values (?, ?, ?, ?, ?, ?, ?, ?) ${totalsUpdate('max')}`;

async function insertSqlite(em: EntityManager, rows: readonly UsageRow[], receivedAt: Date): Promise<Set<string>> {
  const received = dbDate(em, receivedAt);
  const results = await sqliteEach(
    em,
    INSERT_ONE,
    rows.map((r) => [r.subscriptionId, r.metricId, r.idempotencyKey, BigInt(r.micros), r.value, dbDate(em, r.occurredAt), dbDate(em, r.periodStart), received]),
  );
  const inserted = new Set<string>();
  results.forEach((returned, index) => {
    const r = rows[index]!;
    if (returned.length > 0) inserted.add(usageKey(r.subscriptionId, r.metricId, r.idempotencyKey));
  });
  return inserted;
}

async function addToTotalsSqlite(em: EntityManager, deltas: readonly TotalDelta[]): Promise<void> {
  await sqliteEach(
    em,
    TOTAL_ONE,
    deltas.map((d) => [d.subscriptionId, d.metricId, dbDate(em, d.periodStart), d.sum, d.max, d.count, BigInt(d.lastMicros), dbDate(em, d.lastOccurredAt)]),
  );
}
