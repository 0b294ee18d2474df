import type { BillingInvoicesQuery } from '../graphql/generated';
import { periodLabel, sumDecimals } from './format';

export interface UsageByPeriod {
  metrics: string[];
  /** Oldest period first; one exact total per metric (same order as `metrics`). */
  periods: { period: string; totals: string[] }[];
}

/**
 * Usage quantities per billing period and metric, summed exactly from the invoices' usage lines
 * (draft invoices are the open period). At most `maxPeriods` most recent periods.
 */
export function usageByPeriod(invoices: BillingInvoicesQuery['invoices'], maxPeriods = 12): UsageByPeriod {
  const byPeriod = new Map<string, Map<string, string[]>>();
  const metrics = new Set<string>();
  for (const invoice of invoices) {
    if (invoice.status === 'void') continue;
    for (const line of invoice.lines) {
      if (line.kind !== 'usage') continue;
      const metric = line.metric ?? 'usage';
      metrics.add(metric);
      const period = periodLabel(invoice.periodStart);
      const perMetric = byPeriod.get(period) ?? new Map<string, string[]>();
      perMetric.set(metric, [...(perMetric.get(metric) ?? []), line.quantity]);
      byPeriod.set(period, perMetric);
    }
  }
  const metricList = [...metrics].sort();
  const periods = [...byPeriod.keys()].sort().slice(-maxPeriods);
  return {
    metrics: metricList,
    periods: periods.map((period) => ({
      period,
      totals: metricList.map((metric) => sumDecimals(byPeriod.get(period)?.get(metric) ?? ['0'])),
    })),
  };
}
