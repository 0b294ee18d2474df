import { orderIdOf, type ShopOrder } from '../orders/order.js';
import { stored } from '../orders/order-snapshot.js';
import { DUPLICATE, PROCESSED, type ApplyContext, type ApplyOutcome, type EventMeta } from '../prestashop/processing-types.js';
import { usageKey, type ProcessingStore } from '../prestashop/processing-store.js';
import { Coupon, couponIdOf } from './coupon.js';
import { couponStaysOnCart } from './coupon-links.js';
import type { CouponUsagePayload } from './coupon-payload.js';
import { CouponUsage, type CouponUsageAction } from './coupon-usage.js';
import { OrderCoupon, orderCouponIdOf } from './order-coupon.js';

/**
 * A coupon applied to, removed from or consumed by a cart. Every usage is kept as a fact; the
 * newest one per cart decides whether the coupon is linked to the order placed from that cart.
 * A coupon first seen through its usage gets a placeholder row its own events fill in later.
 */
export function applyCouponUsageEvent(
  store: ProcessingStore,
  ctx: ApplyContext,
  meta: EventMeta,
  usage: CouponUsagePayload,
): ApplyOutcome {
  const couponId = couponIdOf('cart_rule', usage.id_cart_rule);
  const key = usageKey(couponId, usage.cart_id);
  const history = store.usages.get(key) ?? [];
  const newest = history.at(-1);
  if (newest && newest.contentHash === meta.contentHash) return DUPLICATE;

  if (!store.coupons.has(couponId)) {
    const placeholder = Object.assign(new Coupon(), {
      id: couponId,
      source: 'cart_rule' as const,
      prestashopId: usage.id_cart_rule,
      code: usage.code ?? null,
      name: usage.name ?? null,
      reductionAmount: stored(usage.reduction_amount),
      reductionPercent: stored(usage.reduction_percent),
      freeShipping: usage.free_shipping ?? null,
      data: '{}',
      lastEventId: 0,
      contentHash: '',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    store.coupons.set(couponId, store.add(placeholder));
  }
  const row = store.add(
    Object.assign(new CouponUsage(), {
      couponId,
      cartId: usage.cart_id,
      action: meta.actionType as CouponUsageAction,
      prestashopOrderId: usage.order_id || null,
      orderReference: usage.order_reference ?? null,
      accountId: usage.id_customer || null,
      occurredAt: meta.occurredAt,
      sourceEventId: meta.sourceEventId,
      contentHash: meta.contentHash,
    }),
  );
  const ordered = [...history, row].sort((a, b) => a.sourceEventId - b.sourceEventId);
  store.usages.set(key, ordered);

  const orderIds = new Set<string>();
  const cartOrder = store.ordersByCart.get(usage.cart_id);
  if (cartOrder) orderIds.add(cartOrder.id);
  for (const past of ordered) if (past.prestashopOrderId) orderIds.add(orderIdOf(past.prestashopOrderId));
  for (const orderId of orderIds) setLink(store, orderId, couponId, usage.cart_id, couponStaysOnCart(ordered), ctx.now);
  return PROCESSED;
}

/** When an order (re)appears, links the coupons its cart still carries. */
export function linkCouponsOfCart(store: ProcessingStore, order: ShopOrder, now: Date): void {
  if (!order.cartId) return;
  for (const [key, usages] of store.usages) {
    const [couponId, cartId] = key.split('|');
    if (Number(cartId) !== order.cartId) continue;
    setLink(store, order.id, couponId!, order.cartId, couponStaysOnCart(usages), now);
  }
}

function setLink(store: ProcessingStore, orderId: string, couponId: string, cartId: number, linked: boolean, now: Date): void {
  const id = orderCouponIdOf(orderId, couponId);
  const current = store.links.get(id);
  if (linked && !current) {
    store.links.set(id, store.add(Object.assign(new OrderCoupon(), { id, orderId, couponId, cartId, linkedAt: now })));
  } else if (!linked && current) {
    store.remove(current);
    store.links.delete(id);
  }
}
