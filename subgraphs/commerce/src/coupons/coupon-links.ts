import type { CouponUsageAction } from './coupon-usage.js';

/**
 * Whether a coupon belongs to the order placed from a cart, given its usage events on that cart
 * (by event id): the newest one decides — applied or consumed links it, removed unlinks it.
 */
export function couponStaysOnCart(usages: readonly { action: CouponUsageAction; sourceEventId: number }[]): boolean {
  const newest = [...usages].sort((a, b) => a.sourceEventId - b.sourceEventId).at(-1);
  return newest !== undefined && newest.action !== 'removed';
}
