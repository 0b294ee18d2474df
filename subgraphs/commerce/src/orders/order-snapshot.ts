import type { Decimal } from '@switchboard/kit';
import { AMOUNT_SCALE, lastFourDigits, shopTime } from '../prestashop/ps-values.js';
import { sha256Hex } from '@switchboard/kit';
import { orderIdOf } from './order.js';
import type { OrderContextPayload, OrderPayload, OrderPaymentPayload } from './order-payload.js';

/**
 * An order event's data, typed and ready to store. Pure: no I/O, the shop's time zone and the
 * resolved currency come in as arguments.
 */

/** PrestaShop 8's stock order states, for events that carry a state id but no name. */
export const DEFAULT_STATE_NAMES: Readonly<Record<number, string>> = {
  1: 'Awaiting check payment',
  2: 'Payment accepted',
  3: 'Processing in progress',
  4: 'Shipped',
  5: 'Delivered',
  6: 'Canceled',
  7: 'Refunded',
  8: 'Payment error',
  9: 'On backorder (paid)',
  10: 'Awaiting bank wire payment',
  11: 'Remote payment accepted',
  12: 'On backorder (not paid)',
  13: 'Awaiting Cash On Delivery',
};

export interface OrderStateRef {
  id: number | null;
  name: string | null;
}

export interface OrderLineSnapshot {
  id: string;
  position: number;
  orderDetailId: number | null;
  productId: number;
  variantId: number | null;
  sku: string | null;
  ean13: string | null;
  name: string;
  quantity: number;
  quantityRefunded: number;
  quantityReturned: number;
  unitPriceTaxExcl: string | null;
  unitPriceTaxIncl: string | null;
  totalPriceTaxExcl: string | null;
  totalPriceTaxIncl: string | null;
  taxAmount: string | null;
  taxRate: string | null;
  reductionPercent: string | null;
  /** The line exactly as sent (JSON). */
  data: string;
}

export interface StatusChangeSnapshot {
  id: number;
  stateId: number;
  stateName: string | null;
  employeeId: number | null;
  changedAt: Date | null;
}

export interface PaymentSnapshot {
  id: number;
  orderReference: string;
  amount: string;
  paymentMethod: string | null;
  transactionId: string | null;
  cardBrand: string | null;
  cardLastFour: string | null;
  cardExpiration: string | null;
  cardHolder: string | null;
  paidAt: Date | null;
  conversionRate: string | null;
}

export interface MessageSnapshot {
  id: number;
  accountId: number | null;
  message: string;
  private: boolean;
  sentAt: Date | null;
}

export interface OrderTotals {
  paidTaxIncl: string | null;
  paidTaxExcl: string | null;
  productsTaxExcl: string | null;
  productsTaxIncl: string | null;
  discountsTaxIncl: string | null;
  discountsTaxExcl: string | null;
  shippingTaxIncl: string | null;
  shippingTaxExcl: string | null;
  wrappingTaxIncl: string | null;
  wrappingTaxExcl: string | null;
}

export interface OrderSnapshot {
  id: string;
  prestashopOrderId: number;
  reference: string;
  accountId: number | null;
  cartId: number | null;
  currency: string;
  state: OrderStateRef;
  totals: OrderTotals;
  conversionRate: string | null;
  paymentMethod: string | null;
  paymentModule: string | null;
  carrierId: number | null;
  shippingNumber: string | null;
  note: string | null;
  placedAt: Date | null;
  shopUpdatedAt: Date | null;
  /** null: the event did not send this list, so what is stored stays. */
  lines: OrderLineSnapshot[] | null;
  history: StatusChangeSnapshot[] | null;
  payments: PaymentSnapshot[] | null;
  messages: MessageSnapshot[] | null;
  /** Hash of everything but the state fields: a change here is an update, not just a status change. */
  dataHash: string;
}

/** The fields a status change touches; left out of `dataHash`. */
const STATE_FIELDS = ['current_state', 'id_order_state', 'order_history', 'date_upd'];

export function toOrderSnapshot(
  payload: OrderPayload,
  context: OrderContextPayload,
  rawAfterData: Record<string, unknown>,
  options: { timezone: string; currency: string },
): OrderSnapshot {
  const id = orderIdOf(payload.id_order);
  const at = (local: string | null | undefined) => shopTime(local, options.timezone);
  const rawLines = Array.isArray(rawAfterData.order_details) ? (rawAfterData.order_details as unknown[]) : [];
  const history = payload.order_history?.map((entry) => ({
    id: entry.id_order_history,
    stateId: entry.id_order_state,
    stateName: entry.status_name ?? null,
    employeeId: entry.id_employee ?? null,
    changedAt: at(entry.date_add),
  })) ?? null;
  const usedLineIds = new Set<string>();
  return {
    id,
    prestashopOrderId: payload.id_order,
    reference: payload.reference!,
    accountId: payload.id_customer || null,
    cartId: payload.id_cart || null,
    currency: options.currency,
    state: resolveState(payload, context, history ?? []),
    totals: {
      paidTaxIncl: stored(payload.total_paid_tax_incl ?? payload.total_paid),
      paidTaxExcl: stored(payload.total_paid_tax_excl),
      productsTaxExcl: stored(payload.total_products),
      productsTaxIncl: stored(payload.total_products_wt),
      discountsTaxIncl: stored(payload.total_discounts_tax_incl ?? payload.total_discounts),
      discountsTaxExcl: stored(payload.total_discounts_tax_excl),
      shippingTaxIncl: stored(payload.total_shipping_tax_incl ?? payload.total_shipping),
      shippingTaxExcl: stored(payload.total_shipping_tax_excl),
      wrappingTaxIncl: stored(payload.total_wrapping_tax_incl ?? payload.total_wrapping),
      wrappingTaxExcl: stored(payload.total_wrapping_tax_excl),
    },
    conversionRate: stored(payload.conversion_rate),
    paymentMethod: payload.payment ?? null,
    paymentModule: payload.module ?? null,
    carrierId: payload.id_carrier || null,
    shippingNumber: payload.shipping_number ?? null,
    note: payload.note ?? null,
    placedAt: at(payload.date_add),
    shopUpdatedAt: at(payload.date_upd),
    lines: payload.order_details?.map((line, position) => {
      let lineId = `${id}:${line.id_order_detail ? String(line.id_order_detail) : `pos${position}`}`;
      if (usedLineIds.has(lineId)) lineId = `${id}:pos${position}`;
      usedLineIds.add(lineId);
      return {
        id: lineId,
        position,
        orderDetailId: line.id_order_detail || null,
        productId: line.product_id,
        variantId: line.product_attribute_id || null,
        sku: line.product_reference ?? null,
        ean13: line.product_ean13 ?? null,
        name: line.product_name ?? `Product ${line.product_id}`,
        quantity: line.product_quantity,
        quantityRefunded: line.product_quantity_refunded ?? 0,
        quantityReturned: line.product_quantity_return ?? 0,
        unitPriceTaxExcl: stored(line.unit_price_tax_excl),
        unitPriceTaxIncl: stored(line.unit_price_tax_incl),
        totalPriceTaxExcl: stored(line.total_price_tax_excl),
        totalPriceTaxIncl: stored(line.total_price_tax_incl),
        taxAmount: stored(line.product_tax),
        taxRate: stored(line.tax_rate),
        reductionPercent: stored(line.reduction_percent),
        data: JSON.stringify(rawLines[position] ?? {}),
      };
    }) ?? null,
    history,
    payments: payload.order_payments?.map((payment) => ({
      id: payment.id_order_payment,
      orderReference: payment.order_reference ?? payload.reference!,
      ...paymentFieldsOf(payment, options.timezone),
    })) ?? null,
    messages: payload.messages?.map((message) => ({
      id: message.id_message,
      accountId: message.id_customer || null,
      message: message.message ?? '',
      private: message.private ?? false,
      sentAt: at(message.date_add),
    })) ?? null,
    dataHash: sha256Hex(JSON.stringify(withoutStateFields(rawAfterData))),
  };
}

/** A payment's own fields, read alike whether it came as its own event or inside an order snapshot. */
export function paymentFieldsOf(
  payment: Omit<OrderPaymentPayload, 'id_order_payment' | 'order_reference'>,
  timezone: string,
): Omit<PaymentSnapshot, 'id' | 'orderReference'> {
  return {
    amount: stored(payment.amount)!,
    paymentMethod: payment.payment_method ?? null,
    transactionId: payment.transaction_id ?? null,
    cardBrand: payment.card_brand ?? null,
    cardLastFour: lastFourDigits(payment.card_number ?? null),
    cardExpiration: payment.card_expiration ?? null,
    cardHolder: payment.card_holder ?? null,
    paidAt: shopTime(payment.date_add, timezone),
    conversionRate: stored(payment.conversion_rate),
  };
}

/**
 * The order's state after this event. actionOrderStatusUpdate fires *before* PrestaShop saves
 * the new state, so its snapshot still shows the old `current_state`; the new one is in
 * `context_data.new_status_id`, which therefore wins.
 */
export function resolveState(payload: OrderPayload, context: OrderContextPayload, history: StatusChangeSnapshot[]): OrderStateRef {
  const fromContext = context.new_status_id ? context.new_status_id : null;
  const id = fromContext ?? payload.current_state ?? payload.id_order_state ?? null;
  if (id === null) return { id: null, name: null };
  const named = history
    .filter((entry) => entry.stateId === id && entry.stateName)
    .sort(byTimeThenId)
    .at(-1)?.stateName;
  const contextName = fromContext ? context.new_status_name : null;
  return { id, name: contextName ?? named ?? DEFAULT_STATE_NAMES[id] ?? null };
}

/**
 * When the order reached a shipped state: the first shipped entry of its history, or — when the
 * state is shipped but the history does not show it yet (status hook before save) — the event's
 * time. Null when the order has not shipped.
 */
export function shippedAt(snapshot: Pick<OrderSnapshot, 'history' | 'state'>, shippedStateIds: ReadonlySet<number>, eventTime: Date): Date | null {
  const shipped = (snapshot.history ?? []).filter((entry) => shippedStateIds.has(entry.stateId)).sort(byTimeThenId)[0];
  if (shipped) return shipped.changedAt ?? eventTime;
  if (snapshot.state.id !== null && shippedStateIds.has(snapshot.state.id)) return eventTime;
  return null;
}

function byTimeThenId(a: StatusChangeSnapshot, b: StatusChangeSnapshot): number {
  const time = (a.changedAt?.getTime() ?? 0) - (b.changedAt?.getTime() ?? 0);
  return time !== 0 ? time : a.id - b.id;
}

function withoutStateFields(data: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...data };
  for (const field of STATE_FIELDS) delete copy[field];
  return copy;
}

/** A Decimal as the DECIMAL(20,6) column text. */
export function stored(amount: Decimal | null | undefined): string | null {
  return amount === null || amount === undefined ? null : amount.toFixed(AMOUNT_SCALE);
}
