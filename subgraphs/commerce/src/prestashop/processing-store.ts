import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/core';
import { Coupon, couponIdOf } from '../coupons/coupon.js';
import { CouponUsage } from '../coupons/coupon-usage.js';
import { OrderCoupon } from '../coupons/order-coupon.js';
import { Customer } from '../customers/customer.js';
import { CustomerAddress } from '../customers/customer-address.js';
import { ShopCustomerAccount } from '../customers/shop-account.js';
import { ShopOrder, orderIdOf } from '../orders/order.js';
import { OrderInvoice } from '../orders/order-invoice.js';
import { OrderLine } from '../orders/order-line.js';
import { OrderMessage } from '../orders/order-message.js';
import { OrderPayment } from '../orders/order-payment.js';
import { OrderStatusChange } from '../orders/order-status-change.js';
import type { EventPayload } from './event-kinds.js';

/**
 * Everything one processing run reads, loaded with one query per table before any event is
 * applied, and kept in maps the appliers update. Rows created by an earlier event of the run are
 * visible to later ones, nothing is flushed until the end, and a run of 50 events costs a dozen
 * queries instead of a few per event. On PostgreSQL the rows are locked (FOR UPDATE) so replicas
 * processing overlapping batches apply them one after the other.
 */
export class ProcessingStore {
  readonly orders = new Map<number, ShopOrder>();
  readonly ordersByCart = new Map<number, ShopOrder>();
  readonly lines = new Map<string, OrderLine[]>();
  readonly history = new Map<string, OrderStatusChange[]>();
  readonly messages = new Map<string, OrderMessage[]>();
  readonly payments = new Map<number, OrderPayment>();
  readonly invoices = new Map<number, OrderInvoice>();
  readonly accounts = new Map<number, ShopCustomerAccount>();
  readonly customers = new Map<string, Customer>();
  readonly addresses = new Map<number, CustomerAddress>();
  readonly coupons = new Map<string, Coupon>();
  /** Usages of the carts involved, every one, by `couponId|cartId` (ordered by event id). */
  readonly usages = new Map<string, CouponUsage[]>();
  readonly links = new Map<string, OrderCoupon>();
  /** Accounts whose orders must carry a (new) e-mail once the run is applied. */
  readonly emailChanges = new Map<number, string>();

  private constructor(readonly em: EntityManager) {}

  static async load(em: EntityManager, payloads: EventPayload[], options: { lock: boolean }): Promise<ProcessingStore> {
    const store = new ProcessingStore(em);
    const keys = collectKeys(payloads);
    const lockMode = options.lock ? LockMode.PESSIMISTIC_WRITE : undefined;
    const find = async <T extends object>(entity: new () => T, where: FilterQuery<T>, orderBy: Record<string, 'asc'>, lock = true) =>
      em.find(entity, where, { orderBy: orderBy as never, ...(lock && lockMode ? { lockMode } : {}) });

    if (keys.accounts.size) {
      for (const row of await find(ShopCustomerAccount, { id: { $in: [...keys.accounts] } }, { id: 'asc' })) {
        store.accounts.set(row.id, row);
        if (keys.customerEvents.has(row.id)) keys.emails.add(row.email);
      }
    }
    // Accounts that are new or may change e-mail: their stored orders take the new e-mail.
    const emailOwners = [...keys.customerEmails].filter(([id, email]) => store.accounts.get(id)?.email !== email).map(([id]) => id);
    if (keys.orders.size || keys.carts.size || emailOwners.length) {
      // Orders the run touches, and those placed from its carts (coupon links).
      const or: FilterQuery<ShopOrder>[] = [];
      if (keys.orders.size) or.push({ prestashopOrderId: { $in: [...keys.orders] } });
      if (keys.carts.size) or.push({ cartId: { $in: [...keys.carts] } });
      if (emailOwners.length) or.push({ accountId: { $in: emailOwners } });
      for (const order of await find(ShopOrder, { $or: or }, { id: 'asc' })) store.trackOrder(order);
    }
    // Lines, history and messages are replaced by snapshots: only existing orders have any.
    const snapshotOrderIds = [...keys.snapshotOrders].filter((id) => store.orders.has(id)).map(orderIdOf);
    if (snapshotOrderIds.length) {
      for (const line of await find(OrderLine, { orderId: { $in: snapshotOrderIds } }, { id: 'asc' }, false)) push(store.lines, line.orderId, line);
      for (const entry of await find(OrderStatusChange, { orderId: { $in: snapshotOrderIds } }, { id: 'asc' }, false)) push(store.history, entry.orderId, entry);
      for (const message of await find(OrderMessage, { orderId: { $in: snapshotOrderIds } }, { id: 'asc' }, false)) push(store.messages, message.orderId, message);
    }
    if (keys.payments.size) for (const row of await find(OrderPayment, { id: { $in: [...keys.payments] } }, { id: 'asc' })) store.payments.set(row.id, row);
    if (keys.invoices.size) for (const row of await find(OrderInvoice, { id: { $in: [...keys.invoices] } }, { id: 'asc' })) store.invoices.set(row.id, row);
    // Profiles (Customer) are only written by customer events.
    if (keys.emails.size) for (const row of await find(Customer, { email: { $in: [...keys.emails] } }, { email: 'asc' })) store.customers.set(row.email, row);
    if (keys.addresses.size) for (const row of await find(CustomerAddress, { id: { $in: [...keys.addresses] } }, { id: 'asc' })) store.addresses.set(row.id, row);
    if (keys.coupons.size) for (const row of await find(Coupon, { id: { $in: [...keys.coupons] } }, { id: 'asc' })) store.coupons.set(row.id, row);
    // Usages of the run's carts decide coupon links.
    for (const order of store.orders.values()) if (order.cartId) keys.carts.add(order.cartId);
    if (keys.carts.size) {
      for (const usage of await find(CouponUsage, { cartId: { $in: [...keys.carts] } }, { sourceEventId: 'asc' }, false)) {
        push(store.usages, usageKey(usage.couponId, usage.cartId), usage);
      }
    }
    const linkedOrderIds = new Set([...keys.orders].map(orderIdOf));
    for (const order of store.orders.values()) linkedOrderIds.add(order.id);
    if (linkedOrderIds.size && store.usages.size > 0) {
      for (const link of await find(OrderCoupon, { orderId: { $in: [...linkedOrderIds] } }, { id: 'asc' })) store.links.set(link.id, link);
    }
    return store;
  }

  trackOrder(order: ShopOrder): void {
    this.orders.set(order.prestashopOrderId, order);
    if (order.cartId) this.ordersByCart.set(order.cartId, order);
  }

  add<T extends object>(entity: T): T {
    this.em.persist(entity);
    return entity;
  }

  remove(entity: object): void {
    this.em.remove(entity);
  }
}

export function usageKey(couponId: string, cartId: number): string {
  return `${couponId}|${cartId}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface Keys {
  orders: Set<number>;
  /** Accounts with a customer event in the run. */
  customerEvents: Set<number>;
  /** The e-mail each customer event of the run gives its account (the newest wins). */
  customerEmails: Map<number, string>;
  snapshotOrders: Set<number>;
  carts: Set<number>;
  payments: Set<number>;
  invoices: Set<number>;
  accounts: Set<number>;
  emails: Set<string>;
  addresses: Set<number>;
  coupons: Set<string>;
}

function collectKeys(payloads: EventPayload[]): Keys {
  const keys: Keys = {
    orders: new Set(),
    customerEvents: new Set(),
    customerEmails: new Map(),
    snapshotOrders: new Set(),
    carts: new Set(),
    payments: new Set(),
    invoices: new Set(),
    accounts: new Set(),
    emails: new Set(),
    addresses: new Set(),
    coupons: new Set(),
  };
  for (const payload of payloads) {
    switch (payload.kind) {
      case 'order': {
        const order = payload.order;
        keys.orders.add(order.id_order);
        keys.snapshotOrders.add(order.id_order);
        if (order.id_customer) keys.accounts.add(order.id_customer);
        if (order.id_cart) keys.carts.add(order.id_cart);
        for (const payment of order.order_payments ?? []) keys.payments.add(payment.id_order_payment);
        break;
      }
      case 'customer':
        keys.accounts.add(payload.customer.id);
        keys.customerEvents.add(payload.customer.id);
        keys.customerEmails.set(payload.customer.id, payload.customer.email);
        keys.emails.add(payload.customer.email);
        break;
      case 'address':
        keys.addresses.add(payload.address.id);
        keys.accounts.add(payload.customerId);
        break;
      case 'invoice':
        keys.invoices.add(payload.invoice.id);
        break;
      case 'payment':
        keys.payments.add(payload.payment.id);
        break;
      case 'coupon':
        keys.coupons.add(couponIdOf(payload.source, payload.coupon.id));
        break;
      case 'coupon-usage':
        keys.coupons.add(couponIdOf('cart_rule', payload.usage.id_cart_rule));
        keys.carts.add(payload.usage.cart_id);
        if (payload.usage.order_id) keys.orders.add(payload.usage.order_id);
        break;
      case 'ignored':
        break;
    }
  }
  return keys;
}
