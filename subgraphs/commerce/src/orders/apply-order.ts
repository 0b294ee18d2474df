import { linkCouponsOfCart } from '../coupons/apply-coupon-usage.js';
import { currencyOf } from '../prestashop/config.js';
import type { OrderContextPayload, OrderPayload } from './order-payload.js';
import { freshness, PROCESSED, unknownCurrency, type ApplyContext, type ApplyOutcome, type EventMeta } from '../prestashop/processing-types.js';
import type { ProcessingStore } from '../prestashop/processing-store.js';
import { writePayment } from './apply-payment.js';
import { ShopOrder } from './order.js';
import {
  ORDER_CREATED,
  ORDER_SHIPPED,
  ORDER_STATUS_CHANGED,
  ORDER_UPDATED,
  orderEventData,
  orderShippedData,
  type OrderEventData,
  type OrderShippedData,
  type OrderStatusChangedData,
} from './order-events.js';
import { OrderLine } from './order-line.js';
import { OrderMessage } from './order-message.js';
import { shippedAt, toOrderSnapshot, type OrderLineSnapshot, type OrderSnapshot } from './order-snapshot.js';
import { OrderStatusChange } from './order-status-change.js';

/**
 * Applies an order snapshot (any order action: the module always sends the whole order) and
 * announces what changed: created on first sight, status_changed when the state moved, updated
 * when anything else changed, shipped once when the order first reaches a shipped state.
 */
export function applyOrderEvent(
  store: ProcessingStore,
  ctx: ApplyContext,
  meta: EventMeta,
  payload: { order: OrderPayload; context: OrderContextPayload },
  rawAfterData: Record<string, unknown>,
): ApplyOutcome {
  const existing = store.orders.get(payload.order.id_order);
  const stale = freshness(existing, meta);
  if (stale) return stale;
  const currency = currencyOf(ctx.config, payload.order.id_currency);
  if (!currency) return unknownCurrency(payload.order.id_currency);
  const snapshot = toOrderSnapshot(payload.order, payload.context, rawAfterData, { timezone: ctx.config.timezone, currency });
  const previousState = existing ? { id: existing.stateId ?? null, name: existing.stateName ?? null } : null;
  const previousDataHash = existing?.dataHash;

  const order = existing ?? store.add(Object.assign(new ShopOrder(), { id: snapshot.id, prestashopOrderId: snapshot.prestashopOrderId, createdAt: ctx.now }));
  assignSnapshot(order, snapshot, store, meta, ctx.now);
  store.trackOrder(order);
  if (snapshot.lines) replaceLines(store, order, snapshot.lines);
  if (snapshot.history) replaceHistory(store, order.id, snapshot);
  if (snapshot.messages) replaceMessages(store, order.id, snapshot);
  for (const payment of snapshot.payments ?? []) writePayment(store, { ...payment, currency }, meta);
  linkCouponsOfCart(store, order, ctx.now);

  const subject = { subject: order.id };
  if (!existing) {
    ctx.events.emit<OrderEventData>(ORDER_CREATED, orderEventData(order), subject);
  } else {
    if (previousState!.id !== order.stateId) {
      ctx.events.emit<OrderStatusChangedData>(ORDER_STATUS_CHANGED, { ...orderEventData(order), previousState }, subject);
    }
    if (previousDataHash !== snapshot.dataHash) ctx.events.emit<OrderEventData>(ORDER_UPDATED, orderEventData(order), subject);
  }
  if (!order.shippedAt) {
    const at = shippedAt(snapshot, ctx.config.shippedStateIds, meta.occurredAt);
    if (at) {
      order.shippedAt = at;
      ctx.events.emit<OrderShippedData>(ORDER_SHIPPED, orderShippedData(order, store.lines.get(order.id) ?? []), subject);
    }
  }
  return PROCESSED;
}

function assignSnapshot(order: ShopOrder, snapshot: OrderSnapshot, store: ProcessingStore, meta: EventMeta, now: Date): void {
  const account = snapshot.accountId ? store.accounts.get(snapshot.accountId) : undefined;
  Object.assign(order, {
    reference: snapshot.reference,
    accountId: snapshot.accountId,
    customerEmail: account?.email ?? (order.accountId === snapshot.accountId ? order.customerEmail ?? null : null),
    cartId: snapshot.cartId,
    stateId: snapshot.state.id,
    stateName: snapshot.state.name,
    currency: snapshot.currency,
    totalPaidTaxIncl: snapshot.totals.paidTaxIncl,
    totalPaidTaxExcl: snapshot.totals.paidTaxExcl,
    totalProductsTaxExcl: snapshot.totals.productsTaxExcl,
    totalProductsTaxIncl: snapshot.totals.productsTaxIncl,
    totalDiscountsTaxIncl: snapshot.totals.discountsTaxIncl,
    totalDiscountsTaxExcl: snapshot.totals.discountsTaxExcl,
    totalShippingTaxIncl: snapshot.totals.shippingTaxIncl,
    totalShippingTaxExcl: snapshot.totals.shippingTaxExcl,
    totalWrappingTaxIncl: snapshot.totals.wrappingTaxIncl,
    totalWrappingTaxExcl: snapshot.totals.wrappingTaxExcl,
    conversionRate: snapshot.conversionRate,
    paymentMethod: snapshot.paymentMethod,
    paymentModule: snapshot.paymentModule,
    carrierId: snapshot.carrierId,
    shippingNumber: snapshot.shippingNumber,
    note: snapshot.note,
    placedAt: snapshot.placedAt ?? order.placedAt ?? meta.occurredAt,
    shopUpdatedAt: snapshot.shopUpdatedAt,
    lastEventId: meta.sourceEventId,
    contentHash: meta.contentHash,
    dataHash: snapshot.dataHash,
    updatedAt: now,
  });
}

/** The lines become exactly the snapshot's: matched by id, new ones added, missing ones removed. */
function replaceLines(store: ProcessingStore, order: ShopOrder, wanted: OrderLineSnapshot[]): void {
  const current = new Map((store.lines.get(order.id) ?? []).map((line) => [line.id, line]));
  const next: OrderLine[] = [];
  for (const line of wanted) {
    const row = current.get(line.id) ?? store.add(Object.assign(new OrderLine(), { id: line.id, orderId: order.id }));
    current.delete(line.id);
    Object.assign(row, { ...line, currency: order.currency });
    next.push(row);
  }
  for (const gone of current.values()) store.remove(gone);
  store.lines.set(order.id, next);
}

function replaceHistory(store: ProcessingStore, orderId: string, snapshot: OrderSnapshot): void {
  const current = new Map((store.history.get(orderId) ?? []).map((entry) => [entry.id, entry]));
  const next = snapshot.history!.map((entry) => {
    const row = current.get(entry.id) ?? store.add(Object.assign(new OrderStatusChange(), { id: entry.id }));
    current.delete(entry.id);
    return Object.assign(row, { ...entry, orderId });
  });
  for (const gone of current.values()) store.remove(gone);
  store.history.set(orderId, next);
}

function replaceMessages(store: ProcessingStore, orderId: string, snapshot: OrderSnapshot): void {
  const current = new Map((store.messages.get(orderId) ?? []).map((message) => [message.id, message]));
  const next = snapshot.messages!.map((message) => {
    const row = current.get(message.id) ?? store.add(Object.assign(new OrderMessage(), { id: message.id }));
    current.delete(message.id);
    return Object.assign(row, { ...message, orderId });
  });
  for (const gone of current.values()) store.remove(gone);
  store.messages.set(orderId, next);
}
