import type { Decimal } from '@switchboard/kit';
import { Dec } from '../shared/decimal.js';
import type { BillingInterval } from '../rating/periods.js';

/**
 * Reconciliation rules (pure): what Switchboard would charge for one subscription and period,
 * compared with what the app invoiced.
 */

export type ReconciliationStatus = 'match' | 'delta' | 'resolved';
export const RECONCILIATION_STATUSES: readonly ReconciliationStatus[] = ['match', 'delta', 'resolved'];

export interface Comparison {
  /** computed − external: positive means Switchboard would charge more. */
  delta: Decimal;
  status: 'match' | 'delta';
}

/** `match` when |computed − external| ≤ tolerance (inclusive), else `delta`. Exact decimals, no rounding. */
export function compare(computed: Decimal.Value, external: Decimal.Value, tolerance: Decimal.Value): Comparison {
  const delta = new Dec(computed).minus(new Dec(external));
  return { delta, status: delta.abs().lte(new Dec(tolerance)) ? 'match' : 'delta' };
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriodLabel(value: string): boolean {
  return PERIOD.test(value);
}

/**
 * Whether a subscription's flat price belongs to the calendar month `period` (`YYYY-MM`): every
 * month for a monthly plan, the anniversary month of the anchor for a yearly one (a yearly plan
 * is invoiced once a year; the other months carry usage only).
 */
export function flatApplies(anchor: Date, interval: BillingInterval, period: string): boolean {
  if (interval === 'monthly') return true;
  const match = PERIOD.exec(period);
  return match !== null && Number(match[2]) === anchor.getUTCMonth() + 1;
}

/** A month is closed (its invoices are all out) once the month after it has begun. */
export function isClosedPeriod(period: string, now: Date): boolean {
  return period < now.toISOString().slice(0, 7);
}

/** The stable source key of a reconciliation item: one ops ticket per key. */
export function reconciliationSubject(serviceCode: string, subscriptionExternalId: string, period: string): string {
  return `${serviceCode}/${subscriptionExternalId}/${period}`;
}

/** The one line a person reads first (the ops ticket's subject). */
export function deltaSummary(input: {
  serviceName: string;
  subscriptionExternalId: string;
  period: string;
  computed: Decimal;
  external: Decimal;
  delta: Decimal;
  currency: string;
  customerEmail: string | null;
}): string {
  const money = (value: Decimal) => `${value.toFixed(2)} ${input.currency}`;
  const direction = input.delta.gt(0) ? 'more' : 'less';
  return `${input.serviceName} subscription ${input.subscriptionExternalId}${input.customerEmail ? ` (${input.customerEmail})` : ''}, ${input.period}: ` +
    `Switchboard computes ${money(input.computed)}, the app invoiced ${money(input.external)} — ${money(input.delta.abs())} ${direction}`;
}
