import type { Decimal } from '@switchboard/kit';
import type { PayloadReader } from '../prestashop/ps-values.js';

/** `after_data` of a coupon (CartRule) or discount (SpecificPrice) create/update/delete. */
export interface CouponPayload {
  /** id_cart_rule, or id when only that is sent. */
  id: number;
  code: string | null;
  name: string | null;
  description: string | null;
  id_customer: number | null;
  date_from: string | null;
  date_to: string | null;
  quantity: number | null;
  quantity_per_user: number | null;
  priority: number | null;
  partial_use: boolean | null;
  minimum_amount: Decimal | null;
  minimum_amount_tax: boolean | null;
  minimum_amount_currency: number | null;
  free_shipping: boolean | null;
  reduction_percent: Decimal | null;
  reduction_amount: Decimal | null;
  reduction_tax: boolean | null;
  reduction_currency: number | null;
  reduction_product: number | null;
  gift_product: number | null;
  highlight: boolean | null;
  active: boolean | null;
}

export function readCoupon(r: PayloadReader): CouponPayload {
  const present = (key: string) => r.data[key] !== undefined && r.data[key] !== null;
  return {
    id: r.positiveInt(present('id_cart_rule') || !present('id') ? 'id_cart_rule' : 'id'),
    code: r.optText('code', 254),
    name: multilingualName(r.data.name),
    description: r.optText('description'),
    id_customer: r.optInt('id_customer'),
    date_from: r.optDateTime('date_from'),
    date_to: r.optDateTime('date_to'),
    quantity: r.optInt('quantity'),
    quantity_per_user: r.optInt('quantity_per_user'),
    priority: r.optInt('priority'),
    partial_use: r.optBool('partial_use'),
    minimum_amount: r.optDecimal('minimum_amount'),
    minimum_amount_tax: r.optBool('minimum_amount_tax'),
    minimum_amount_currency: r.optInt('minimum_amount_currency'),
    free_shipping: r.optBool('free_shipping'),
    reduction_percent: r.optDecimal('reduction_percent'),
    reduction_amount: r.optDecimal('reduction_amount'),
    reduction_tax: r.optBool('reduction_tax'),
    reduction_currency: r.optInt('reduction_currency'),
    reduction_product: r.optInt('reduction_product'),
    gift_product: r.optInt('gift_product'),
    highlight: r.optBool('highlight'),
    active: r.optBool('active'),
  };
}

/** `after_data` of a usage event (applied / removed / consumed), synthesized from cart saves. */
export interface CouponUsagePayload {
  id_cart_rule: number;
  code: string | null;
  name: string | null;
  reduction_amount: Decimal | null;
  reduction_percent: Decimal | null;
  free_shipping: boolean | null;
  cart_id: number;
  order_id: number | null;
  order_reference: string | null;
  order_total: Decimal | null;
  id_customer: number | null;
}

export function readCouponUsage(r: PayloadReader): CouponUsagePayload {
  return {
    id_cart_rule: r.positiveInt('id_cart_rule'),
    code: r.optText('code', 254),
    name: multilingualName(r.data.name),
    reduction_amount: r.optDecimal('reduction_amount'),
    reduction_percent: r.optDecimal('reduction_percent'),
    free_shipping: r.optBool('free_shipping'),
    cart_id: r.int('cart_id'),
    order_id: r.optInt('order_id'),
    order_reference: r.optText('order_reference', 64),
    order_total: r.optDecimal('order_total'),
    id_customer: r.optInt('id_customer'),
  };
}

/**
 * A CartRule's name is multilingual: `{ "1": "Summer sale", "2": "Rebajas" }`, a plain string
 * for some callers, or `[]` (PHP's empty array) when unset. Keeps the lowest language id's name.
 */
export function multilingualName(value: unknown): string | null {
  if (typeof value === 'string') return value.trim().slice(0, 255) || null;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, name]) => typeof name === 'string' && name.trim() !== '')
      .sort(([a], [b]) => Number(a) - Number(b));
    return entries.length ? String(entries[0]![1]).trim().slice(0, 255) : null;
  }
  return null;
}
