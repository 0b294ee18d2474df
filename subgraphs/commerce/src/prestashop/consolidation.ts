import type { EventPayload } from './event-kinds.js';

/**
 * The module consolidates events of one entity and action captured within a few seconds
 * (OdooSalesEventQueue::consolidateEvents). Switchboard does the same within what it processes
 * together, but keeps the newest event (the module keeps the first, whose data is the oldest):
 * every order, customer, invoice, payment or coupon event carries the entity's full data, so
 * only the newest of a group needs applying. Coupon usages are facts and are never merged.
 */
export function consolidationKey(actionType: string, payload: EventPayload): string | null {
  switch (payload.kind) {
    case 'order':
      return `order:${payload.order.id_order}:${actionType}`;
    case 'customer':
      return `customer:${payload.customer.id}:${actionType}`;
    case 'address':
      return `address:${payload.address.id}:${payload.action}`;
    case 'invoice':
      return `invoice:${payload.invoice.id}:${actionType}`;
    case 'payment':
      return `payment:${payload.payment.id}:${actionType}`;
    case 'coupon':
      return `coupon:${payload.source}:${payload.coupon.id}:${actionType}`;
    case 'coupon-usage':
    case 'ignored':
      return null;
  }
}

/** Splits events into those to apply and those a newer event of their group replaces. */
export function consolidate<T extends { sourceEventId: number; key: string | null }>(events: readonly T[]): { kept: T[]; replaced: { event: T; by: T }[] } {
  const newest = new Map<string, T>();
  for (const event of events) {
    if (event.key === null) continue;
    const current = newest.get(event.key);
    if (!current || current.sourceEventId < event.sourceEventId) newest.set(event.key, event);
  }
  const kept: T[] = [];
  const replaced: { event: T; by: T }[] = [];
  for (const event of events) {
    const winner = event.key === null ? event : newest.get(event.key)!;
    if (winner === event) kept.push(event);
    else replaced.push({ event, by: winner });
  }
  return { kept, replaced };
}
