import type { EntityManager } from '@mikro-orm/core';
import type { Decimal } from '@switchboard/kit';
import type { Aggregation } from '../catalog/metric.js';
import { fromMicros } from '../rating/quantities.js';
import { Dec } from '../shared/decimal.js';
import { dbDate, fromDbDate, placeholders, sql } from '../shared/sql.js';

export interface PeriodKey {
  subscriptionId: string;
  periodStart: Date;
}

export const periodKey = (subscriptionId: string, periodStart: Date) => `${subscriptionId}|${periodStart.getTime()}`;

interface TotalRow {
  subscription_id: string;
  metric_id: number;
  period_start: unknown;
  sum_micros: string;
  max_micros: string;
  record_count: string | number;
  last_micros: string;
}

/**
 * The aggregated quantity per (subscription, period) and metric: `sum` / `max` of quantities,
 * `count` of records and the `last` record's quantity come from the running totals (one row per
 * period, see usage-store.ts); `unique_count` counts distinct values over the records.
 */
export async function periodQuantities(
  em: EntityManager,
  keys: readonly PeriodKey[],
  aggregations: ReadonlyMap<number, Aggregation>,
): Promise<Map<string, Map<number, Decimal>>> {
  const result = new Map<string, Map<number, Decimal>>();
  if (keys.length === 0 || aggregations.size === 0) return result;
  const subscriptionIds = [...new Set(keys.map((k) => k.subscriptionId))];
  const starts = [...new Set(keys.map((k) => k.periodStart.getTime()))].map((t) => dbDate(em, new Date(t)));
  const wanted = new Set(keys.map((k) => periodKey(k.subscriptionId, k.periodStart)));
  const where = (metricIds: number[]) =>
    `subscription_id in (${placeholders(subscriptionIds.length)}) and period_start in (${placeholders(starts.length)})` +
    ` and metric_id in (${placeholders(metricIds.length)})`;

  const put = (subscriptionId: string, periodStart: unknown, metricId: number, quantity: Decimal) => {
    const key = periodKey(subscriptionId, fromDbDate(periodStart));
    if (!wanted.has(key)) return;
    let byMetric = result.get(key);
    if (!byMetric) result.set(key, (byMetric = new Map()));
    byMetric.set(Number(metricId), quantity);
  };

  const counted = [...aggregations].filter(([, a]) => a !== 'unique_count').map(([id]) => id);
  if (counted.length > 0) {
    const totals = await sql<TotalRow>(
      em,
      `select subscription_id, metric_id, period_start, cast(sum_micros as text) as sum_micros, cast(max_micros as text) as max_micros,
         record_count, cast(last_micros as text) as last_micros
       from billing_usage_total where ${where(counted)}`,
      [...subscriptionIds, ...starts, ...counted],
    );
    for (const row of totals) {
      const aggregation = aggregations.get(Number(row.metric_id));
      if (aggregation === 'sum') put(row.subscription_id, row.period_start, row.metric_id, fromMicros(row.sum_micros));
      else if (aggregation === 'max') put(row.subscription_id, row.period_start, row.metric_id, fromMicros(row.max_micros));
      else if (aggregation === 'count') put(row.subscription_id, row.period_start, row.metric_id, new Dec(String(row.record_count)));
      else if (aggregation === 'last') put(row.subscription_id, row.period_start, row.metric_id, fromMicros(row.last_micros));
    }
  }

  const distinct = [...aggregations].filter(([, a]) => a === 'unique_count').map(([id]) => id);
  if (distinct.length > 0) {
    const rows = await sql<{ subscription_id: string; metric_id: number; period_start: unknown; unique_count: string | number }>(
      em,
      `select subscription_id, metric_id, period_start, count(distinct unique_value) as unique_count
       from billing_usage_record where ${where(distinct)} group by subscription_id, metric_id, period_start`,
      [...subscriptionIds, ...starts, ...distinct],
    );
    for (const row of rows) put(row.subscription_id, row.period_start, row.metric_id, new Dec(String(row.unique_count)));
  }
  return result;
}
