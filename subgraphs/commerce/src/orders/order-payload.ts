import type { Decimal } from '@switchboard/kit';
import type { PayloadReader } from '../prestashop/ps-values.js';

/**
 * The order snapshot the module sends in `after_data` (WEBHOOK_PAYLOAD_SPECIFICATION): the key
 * fields are typed and checked here; the other 60-odd fields per line are not read, and the data
 * is stored as sent. Only what an order cannot exist without is required: its id and reference.
 * Lists left out of the payload are null (keep what is stored), not empty (clear it).
 */
export interface OrderPayload {
  id_order: number;
  reference: string;
  current_state: number | null;
  id_order_state: number | null;
  date_add: string | null;
  date_upd: string | null;
  id_customer: number | null;
  id_cart: number | null;
  id_currency: number | null;
  id_carrier: number | null;
  total_paid: Decimal | null;
  total_paid_tax_incl: Decimal | null;
  total_paid_tax_excl: Decimal | null;
  total_products: Decimal | null;
  total_products_wt: Decimal | null;
  total_discounts: Decimal | null;
  total_discounts_tax_incl: Decimal | null;
  total_discounts_tax_excl: Decimal | null;
  total_shipping: Decimal | null;
  total_shipping_tax_incl: Decimal | null;
  total_shipping_tax_excl: Decimal | null;
  total_wrapping: Decimal | null;
  total_wrapping_tax_incl: Decimal | null;
  total_wrapping_tax_excl: Decimal | null;
  payment: string | null;
  module: string | null;
  note: string | null;
  shipping_number: string | null;
  conversion_rate: Decimal | null;
  order_details: OrderLinePayload[] | null;
  order_history: OrderHistoryPayload[] | null;
  order_payments: OrderPaymentPayload[] | null;
  messages: OrderMessagePayload[] | null;
}

export interface OrderLinePayload {
  id_order_detail: number | null;
  product_id: number;
  product_attribute_id: number | null;
  product_name: string | null;
  product_reference: string | null;
  product_ean13: string | null;
  product_quantity: number;
  product_quantity_refunded: number | null;
  product_quantity_return: number | null;
  unit_price_tax_incl: Decimal | null;
  unit_price_tax_excl: Decimal | null;
  total_price_tax_incl: Decimal | null;
  total_price_tax_excl: Decimal | null;
  product_tax: Decimal | null;
  tax_rate: Decimal | null;
  reduction_percent: Decimal | null;
}

export interface OrderHistoryPayload {
  id_order_history: number;
  id_order_state: number;
  status_name: string | null;
  id_employee: number | null;
  date_add: string | null;
}

export interface OrderPaymentPayload {
  id_order_payment: number;
  order_reference: string | null;
  payment_method: string | null;
  amount: Decimal;
  transaction_id: string | null;
  card_number: string | null;
  card_brand: string | null;
  card_expiration: string | null;
  card_holder: string | null;
  date_add: string | null;
  conversion_rate: Decimal | null;
}

export interface OrderMessagePayload {
  id_message: number;
  id_customer: number | null;
  message: string | null;
  private: boolean | null;
  date_add: string | null;
}

/** `context_data` of a status change: actionOrderStatusUpdate fires before the new state is saved. */
export interface OrderContextPayload {
  new_status_id: number | null;
  new_status_name: string | null;
}

export function readOrder(r: PayloadReader): OrderPayload {
  return {
    id_order: r.positiveInt('id_order'),
    reference: r.text('reference', 64),
    current_state: r.optInt('current_state'),
    id_order_state: r.optInt('id_order_state'),
    date_add: r.optDateTime('date_add'),
    date_upd: r.optDateTime('date_upd'),
    id_customer: r.optInt('id_customer'),
    id_cart: r.optInt('id_cart'),
    id_currency: r.optInt('id_currency'),
    id_carrier: r.optInt('id_carrier'),
    total_paid: r.optDecimal('total_paid'),
    total_paid_tax_incl: r.optDecimal('total_paid_tax_incl'),
    total_paid_tax_excl: r.optDecimal('total_paid_tax_excl'),
    total_products: r.optDecimal('total_products'),
    total_products_wt: r.optDecimal('total_products_wt'),
    total_discounts: r.optDecimal('total_discounts'),
    total_discounts_tax_incl: r.optDecimal('total_discounts_tax_incl'),
    total_discounts_tax_excl: r.optDecimal('total_discounts_tax_excl'),
    total_shipping: r.optDecimal('total_shipping'),
    total_shipping_tax_incl: r.optDecimal('total_shipping_tax_incl'),
    total_shipping_tax_excl: r.optDecimal('total_shipping_tax_excl'),
    total_wrapping: r.optDecimal('total_wrapping'),
    total_wrapping_tax_incl: r.optDecimal('total_wrapping_tax_incl'),
    total_wrapping_tax_excl: r.optDecimal('total_wrapping_tax_excl'),
    payment: r.optText('payment', 255),
    module: r.optText('module', 255),
    note: r.optText('note'),
    shipping_number: r.optText('shipping_number', 64),
    conversion_rate: r.optDecimal('conversion_rate'),
    order_details: r.optList('order_details', readOrderLine),
    order_history: r.optList('order_history', (h) => ({
      id_order_history: h.positiveInt('id_order_history'),
      id_order_state: h.int('id_order_state'),
      status_name: h.optText('status_name', 128),
      id_employee: h.optInt('id_employee'),
      date_add: h.optDateTime('date_add'),
    })),
    order_payments: r.optList('order_payments', (p) => {
      const id_order_payment = p.positiveInt('id_order_payment');
      const order_reference = p.optText('order_reference', 64);
      return { id_order_payment, order_reference, ...readPaymentFields(p) };
    }),
    messages: r.optList('messages', (m) => ({
      id_message: m.positiveInt('id_message'),
      id_customer: m.optInt('id_customer'),
      message: m.optText('message'),
      private: m.optBool('private'),
      date_add: m.optDateTime('date_add'),
    })),
  };
}

function readOrderLine(l: PayloadReader): OrderLinePayload {
  return {
    id_order_detail: l.optInt('id_order_detail'),
    product_id: l.int('product_id'),
    product_attribute_id: l.optInt('product_attribute_id'),
    product_name: l.optText('product_name', 255),
    product_reference: l.optText('product_reference', 64),
    product_ean13: l.optText('product_ean13', 20),
    product_quantity: l.int('product_quantity'),
    product_quantity_refunded: l.optInt('product_quantity_refunded'),
    product_quantity_return: l.optInt('product_quantity_return'),
    unit_price_tax_incl: l.optDecimal('unit_price_tax_incl'),
    unit_price_tax_excl: l.optDecimal('unit_price_tax_excl'),
    total_price_tax_incl: l.optDecimal('total_price_tax_incl'),
    total_price_tax_excl: l.optDecimal('total_price_tax_excl'),
    product_tax: l.optDecimal('product_tax'),
    tax_rate: l.optDecimal('tax_rate'),
    reduction_percent: l.optDecimal('reduction_percent'),
  };
}

function readPaymentFields(p: PayloadReader) {
  return {
    payment_method: p.optText('payment_method', 255),
    amount: p.decimal('amount'),
    transaction_id: p.optText('transaction_id', 255),
    card_number: p.optText('card_number', 64),
    card_brand: p.optText('card_brand', 64),
    card_expiration: p.optText('card_expiration', 16),
    card_holder: p.optText('card_holder', 255),
    date_add: p.optDateTime('date_add'),
    conversion_rate: p.optDecimal('conversion_rate'),
  };
}

export function readOrderContext(r: PayloadReader): OrderContextPayload {
  return { new_status_id: r.optInt('new_status_id'), new_status_name: r.optText('new_status_name', 128) };
}

/** `after_data` of an invoice event (OrderInvoice). */
export interface InvoicePayload {
  id: number;
  id_order: number;
  number: string | null;
  order_reference: string | null;
  total_paid_tax_incl: Decimal | null;
  total_paid_tax_excl: Decimal | null;
  date_add: string | null;
  invoice_lines: unknown[] | null;
}

export function readInvoice(r: PayloadReader): InvoicePayload {
  const lines = r.data.invoice_lines;
  if (lines !== undefined && lines !== null && !Array.isArray(lines)) r.fail('invoice_lines', 'must be a JSON array');
  return {
    id: r.positiveInt('id'),
    id_order: r.positiveInt('id_order'),
    number: r.optText('number', 32),
    order_reference: r.optText('order_reference', 64),
    total_paid_tax_incl: r.optDecimal('total_paid_tax_incl'),
    total_paid_tax_excl: r.optDecimal('total_paid_tax_excl'),
    date_add: r.optDateTime('date_add'),
    invoice_lines: Array.isArray(lines) ? lines : null,
  };
}

/** `after_data` of a payment event (OrderPayment); amounts are raw DECIMAL strings here. */
export interface PaymentPayload extends Omit<OrderPaymentPayload, 'id_order_payment' | 'order_reference'> {
  id: number;
  order_reference: string;
  id_currency: number | null;
}

export function readPayment(r: PayloadReader): PaymentPayload {
  const id = r.positiveInt('id');
  const order_reference = r.text('order_reference', 64);
  const id_currency = r.optInt('id_currency');
  return { id, order_reference, id_currency, ...readPaymentFields(r) };
}
