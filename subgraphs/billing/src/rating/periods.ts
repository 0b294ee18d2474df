/**
 * Billing periods (pure). A subscription's periods are anchored on its start instant and repeat
 * every month or year, in UTC: period n is [anchor + n intervals, anchor + (n + 1) intervals).
 * When the anchor day does not exist in a month the period starts on that month's last day, and the
 * next one returns to the anchor day (Jan 31 → Feb 28 → Mar 31): periods never drift.
 * Windows are half-open, so an instant belongs to exactly one period.
 */

export type BillingInterval = 'monthly' | 'yearly';
export const BILLING_INTERVALS: readonly BillingInterval[] = ['monthly', 'yearly'];

export interface Period {
  /** 0 for the period that starts at the anchor. */
  index: number;
  start: Date;
  end: Date;
}

const MONTHS: Record<BillingInterval, number> = { monthly: 1, yearly: 12 };

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** Start of period `index` (may be negative: periods before the anchor, used only for search). */
export function periodStart(anchor: Date, interval: BillingInterval, index: number): Date {
  const months = anchor.getUTCMonth() + index * MONTHS[interval];
  const year = anchor.getUTCFullYear() + Math.floor(months / 12);
  const month = ((months % 12) + 12) % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  return new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

export function periodAt(anchor: Date, interval: BillingInterval, index: number): Period {
  return { index, start: periodStart(anchor, interval, index), end: periodStart(anchor, interval, index + 1) };
}

/** The period containing `at`, or undefined when `at` is before the anchor. */
export function periodContaining(anchor: Date, interval: BillingInterval, at: Date): Period | undefined {
  if (at.getTime() < anchor.getTime()) return undefined;
  const monthsApart = (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (at.getUTCMonth() - anchor.getUTCMonth());
  // The estimate is off by at most one period either way (day/time within the month).
  let index = Math.max(0, Math.floor(monthsApart / MONTHS[interval]));
  while (index > 0 && periodStart(anchor, interval, index).getTime() > at.getTime()) index--;
  while (periodStart(anchor, interval, index + 1).getTime() <= at.getTime()) index++;
  return periodAt(anchor, interval, index);
}

export function isWithin(period: { start: Date; end: Date }, at: Date): boolean {
  return at.getTime() >= period.start.getTime() && at.getTime() < period.end.getTime();
}

/** `YYYY-MM` label of a period (the reconciliation's period key). */
export function periodLabel(start: Date): string {
  return start.toISOString().slice(0, 7);
}
