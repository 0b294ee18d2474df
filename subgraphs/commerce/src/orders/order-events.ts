import { formatShopAmount } from '../prestashop/ps-values.js';
import type { ShopOrder } from './order.js';
import type { OrderStateRef } from './order-snapshot.js';

/** Event types commerce announces about orders; the subject is always the order id. */
export const ORDER_CREATED = 'commerce.order.created';
export const ORDER_UPDATED = 'commerce.order.updated';
export const ORDER_STATUS_CHANGED = 'commerce.order.status_changed';
export const ORDER_SHIPPED = 'commerce.order.shipped';

/** Amounts as decimal strings in `currency`; null when the shop did not send that total. */
export interface OrderTotalsData {
  currency: string;
  paidTaxIncl: string | null;
  paidTaxExcl: string | null;
  productsTaxExcl: string | null;
  productsTaxIncl: string | null;
  discountsTaxIncl: string | null;
  shippingTaxIncl: string | null;
  wrappingTaxIncl: string | null;
}

/** Payload of `commerce.order.created` and `commerce.order.updated`. */
export interface OrderEventData {
  orderId: string;
  prestashopOrderId: number;
  reference: string;
  customerEmail: string | null;
  state: OrderStateRef;
  currency: string;
  totals: OrderTotalsData;
  placedAt: string;
}

/** Payload of `commerce.order.status_changed`. */
export interface OrderStatusChangedData extends OrderEventData {
  previousState: OrderStateRef | null;
}

/** Payload of `commerce.order.shipped` (the inventory sync's contract). */
export interface OrderShippedData {
  orderId: string;
  reference: string;
  customerEmail: string | null;
  shippedAt: string;
  lines: { sku: string | null; productId: string; variantId: string | null; quantity: number }[];
}

export function orderEventData(order: ShopOrder): OrderEventData {
  const amount = (value: string | null | undefined) => (value === null || value === undefined ? null : formatShopAmount(value));
  return {
    orderId: order.id,
    prestashopOrderId: order.prestashopOrderId,
    reference: order.reference,
    customerEmail: order.customerEmail ?? null,
    state: { id: order.stateId ?? null, name: order.stateName ?? null },
    currency: order.currency,
    totals: {
      currency: order.currency,
      paidTaxIncl: amount(order.totalPaidTaxIncl),
      paidTaxExcl: amount(order.totalPaidTaxExcl),
      productsTaxExcl: amount(order.totalProductsTaxExcl),
      productsTaxIncl: amount(order.totalProductsTaxIncl),
      discountsTaxIncl: amount(order.totalDiscountsTaxIncl),
      shippingTaxIncl: amount(order.totalShippingTaxIncl),
      wrappingTaxIncl: amount(order.totalWrappingTaxIncl),
    },
    placedAt: order.placedAt.toISOString(),
  };
}

/**
 * Lines that left the warehouse: ordered quantity minus what was refunded before shipping
 * (returns come after shipping and do not count). Lines with nothing left are omitted.
 */
export function orderShippedData(
  order: ShopOrder,
  lines: readonly { sku?: string | null; productId: number; variantId?: number | null; quantity: number; quantityRefunded: number; position: number }[],
): OrderShippedData {
  return {
    orderId: order.id,
    reference: order.reference,
    customerEmail: order.customerEmail ?? null,
    shippedAt: order.shippedAt!.toISOString(),
    lines: [...lines]
      .sort((a, b) => a.position - b.position)
      .map((line) => ({
        sku: line.sku ?? null,
        productId: String(line.productId),
        variantId: line.variantId ? String(line.variantId) : null,
        quantity: Math.max(0, line.quantity - line.quantityRefunded),
      }))
      .filter((line) => line.quantity > 0),
  };
}
