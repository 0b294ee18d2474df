import { readCouponUsage, readCoupon, type CouponPayload, type CouponUsagePayload } from '../coupons/coupon-payload.js';
import { readAddress, readAddressAction, readCustomer, type AddressPayload, type CustomerPayload } from '../customers/customer-payload.js';
import {
  readInvoice,
  readOrder,
  readOrderContext,
  readPayment,
  type InvoicePayload,
  type OrderContextPayload,
  type OrderPayload,
  type PaymentPayload,
} from '../orders/order-payload.js';
import { asPositiveInt, PayloadReader, type Problem } from './ps-values.js';

/**
 * What an event means for Switchboard, decided from the module's entity and action types
 * (odoo_sales_sync.php hook → action table). Anything else is stored and shown as `ignored`.
 */
export type EventKind = 'order' | 'customer' | 'address' | 'invoice' | 'payment' | 'coupon' | 'coupon-usage' | 'ignored';

/** Every order action carries a full order snapshot (detectOrderChange and friends). */
const ORDER_ACTIONS = new Set([
  'created',
  'updated',
  'status_changed',
  'tracking_updated',
  'payment_confirmed',
  'product_canceled',
  'product_refunded',
  'product_returned',
]);
const CRUD_ACTIONS = new Set(['created', 'updated', 'deleted']);
const INVOICE_ACTIONS = new Set(['created', 'updated', 'pdf_rendered', 'invoice_number_assigned']);
const PAYMENT_ACTIONS = new Set(['received', 'confirmed', 'refunded']);
export const COUPON_USAGE_ACTIONS = new Set(['applied', 'removed', 'consumed']);

export interface EventHead {
  entityType: string;
  actionType: string;
  hookName: string | null;
  contextData: Record<string, unknown> | null;
}

/** Address hooks are sent as `customer` / `updated` with `context_data.change_type = "address"`. */
export function isAddressEvent(event: EventHead): boolean {
  return event.contextData?.change_type === 'address' || /address/i.test(event.hookName ?? '');
}

export function classify(event: EventHead): EventKind {
  const action = event.actionType;
  switch (event.entityType) {
    case 'order':
      return ORDER_ACTIONS.has(action) ? 'order' : 'ignored';
    case 'customer':
      if (isAddressEvent(event)) return 'address';
      return CRUD_ACTIONS.has(action) ? 'customer' : 'ignored';
    case 'invoice':
      return INVOICE_ACTIONS.has(action) ? 'invoice' : 'ignored';
    case 'payment':
      return PAYMENT_ACTIONS.has(action) ? 'payment' : 'ignored';
    case 'coupon':
      if (COUPON_USAGE_ACTIONS.has(action)) return 'coupon-usage';
      return CRUD_ACTIONS.has(action) ? 'coupon' : 'ignored';
    case 'discount':
      return CRUD_ACTIONS.has(action) ? 'coupon' : 'ignored';
    default:
      return 'ignored';
  }
}

export type EventPayload =
  | { kind: 'order'; order: OrderPayload; context: OrderContextPayload }
  | { kind: 'customer'; customer: CustomerPayload }
  | { kind: 'address'; customerId: number; action: 'created' | 'updated' | 'deleted'; address: AddressPayload }
  | { kind: 'invoice'; invoice: InvoicePayload }
  | { kind: 'payment'; payment: PaymentPayload }
  | { kind: 'coupon'; source: 'cart_rule' | 'specific_price'; coupon: CouponPayload }
  | { kind: 'coupon-usage'; usage: CouponUsagePayload }
  | { kind: 'ignored'; reason: string };

export type PayloadProblem = Problem;

export interface RawEvent extends EventHead {
  entityId: string;
  afterData: Record<string, unknown> | null;
}

/**
 * Types an event's data for its kind. The same function checks a batch at intake (so a bad
 * field is refused with a 400 naming it) and reads stored events back during processing.
 */
export function parsePayload(event: RawEvent): { ok: true; payload: EventPayload } | { ok: false; problems: PayloadProblem[] } {
  const kind = classify(event);
  if (kind === 'ignored') return { ok: true, payload: { kind, reason: `no Switchboard meaning for ${event.entityType} / ${event.actionType}` } };
  const problems: Problem[] = [];
  const after = PayloadReader.of(event.afterData, 'after_data', problems);
  const context = new PayloadReader(event.contextData ?? {}, 'context_data', problems);
  let payload: EventPayload | undefined;
  if (after) {
    switch (kind) {
      case 'order':
        payload = { kind, order: readOrder(after), context: readOrderContext(context) };
        break;
      case 'customer':
        payload = { kind, customer: readCustomer(after) };
        break;
      case 'address': {
        const customerId = asPositiveInt(event.entityId);
        if (!customerId.ok) problems.push({ field: 'entity_id', message: customerId.message });
        payload = { kind, customerId: customerId.ok ? customerId.value : 0, action: readAddressAction(context), address: readAddress(after) };
        break;
      }
      case 'invoice':
        payload = { kind, invoice: readInvoice(after) };
        break;
      case 'payment':
        payload = { kind, payment: readPayment(after) };
        break;
      case 'coupon':
        payload = { kind, source: event.entityType === 'discount' ? 'specific_price' : 'cart_rule', coupon: readCoupon(after) };
        break;
      case 'coupon-usage':
        payload = { kind, usage: readCouponUsage(after) };
        break;
    }
  }
  return payload && problems.length === 0 ? { ok: true, payload } : { ok: false, problems };
}
