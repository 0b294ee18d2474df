import { Decimal, formatAmount } from '@switchboard/kit';

/** Clover refuses refunds of payments older than this (seed: "transaction age tracking with 180-day limit"). */
export const REFUND_WINDOW_DAYS = 180;
const DAY_MS = 24 * 60 * 60 * 1000;

export function refundWindowOpen(chargedAt: Date, now = new Date()): boolean {
  return now.getTime() - chargedAt.getTime() <= REFUND_WINDOW_DAYS * DAY_MS;
}

/** Days left to refund (0 when closed). */
export function refundDaysLeft(chargedAt: Date, now = new Date()): number {
  return Math.max(0, Math.floor((chargedAt.getTime() + REFUND_WINDOW_DAYS * DAY_MS - now.getTime()) / DAY_MS));
}

/**
 * How a refund goes to Clover (seed quirk 14):
 * - `full`: nothing refunded yet and all of it requested → `POST /v1/refunds` with only `{charge}`;
 * - `remaining`: the rest after earlier partial refunds → `/v1/payments/{id}/refunds {fullRefund: true}`;
 * - `partial`: part of it → `/v1/payments/{id}/refunds {amount}`.
 */
export type RefundRoute = 'full' | 'remaining' | 'partial';

export type RefundPlan = { ok: true; amount: string; route: RefundRoute } | { ok: false; message: string };

export function planRefund(charged: Decimal.Value, alreadyRefunded: Decimal.Value, requested?: Decimal): RefundPlan {
  const remaining = new Decimal(charged).minus(alreadyRefunded);
  if (remaining.lte(0)) return { ok: false, message: 'the payment has already been refunded in full' };
  if (requested === undefined) {
    return { ok: true, amount: formatAmount(remaining), route: new Decimal(alreadyRefunded).isZero() ? 'full' : 'remaining' };
  }
  if (requested.lte(0)) return { ok: false, message: 'refund amount must be greater than zero' };
  if (requested.gt(remaining)) {
    return { ok: false, message: `refund amount ${formatAmount(requested)} exceeds the refundable ${formatAmount(remaining)}` };
  }
  if (requested.eq(remaining)) {
    return { ok: true, amount: formatAmount(requested), route: new Decimal(alreadyRefunded).isZero() ? 'full' : 'remaining' };
  }
  return { ok: true, amount: formatAmount(requested), route: 'partial' };
}
