import { Decimal } from '@switchboard/kit';
import { isJsonNumber, isPlainObject } from './json-body.js';

/** Legacy request field names (Odoo Studio's `x_requests` model). */
export const FIELD = {
  requestId: '_id',
  paymentId: 'x_name',
  vendorName: 'x_studio_vendor_name',
  amount: 'x_studio_vendor_payment_amount_requested',
  invoiceNumber: 'x_studio_hauler_invoice_or_remittance_advice_memo',
  employeeName: 'x_studio_employee_name',
  token: 'x_studio_proxy_auth_token',
} as const;

/** A validated `/proxy` request. */
export interface ProxyRequest {
  /** Odoo's record id, echoed back as given (Odoo sends an integer; the seed shows a string). */
  requestId: string | number | null;
  /** `x_name`: the payment id Odoo acknowledges by, and the idempotency key. */
  paymentId: string;
  vendorName: string;
  /** Positive, at most two decimal places, exact. */
  amount: Decimal;
  invoiceNumber: string;
  employeeName: string | null;
}

export type Invalid = { ok: false; field: string; message: string };
export type Parsed<T> = { ok: true; value: T } | Invalid;

const MAX_TEXT = 200;
/** decimal(18, 2) holds 16 integer digits; a vendor card this large is a typo anyway. */
const MAX_AMOUNT = new Decimal('9999999999.99');

const invalid = (field: string, message: string): Invalid => ({ ok: false, field, message });

/** Odoo sends `false` for an empty char field; it means "no value", like null or absence. */
const isEmpty = (value: unknown) => value === undefined || value === null || value === false;

function text(body: Record<string, unknown>, field: string, required: boolean): Parsed<string | null> {
  const value = body[field];
  if (isEmpty(value) || (typeof value === 'string' && !value.trim())) {
    return required ? invalid(field, `${field} is required`) : { ok: true, value: null };
  }
  if (typeof value !== 'string') return invalid(field, `${field} must be a string`);
  if (value.length > MAX_TEXT) return invalid(field, `${field} must be at most ${MAX_TEXT} characters`);
  return { ok: true, value: value.trim() };
}

/** Accepts a JSON number or a numeric string (the legacy proxy coerced strings with `float()`). */
export function parseRequestedAmount(value: unknown, field: string = FIELD.amount): Parsed<Decimal> {
  if (isEmpty(value)) return invalid(field, `${field} is required`);
  const raw = isJsonNumber(value) ? value.value : typeof value === 'string' ? value.trim() : undefined;
  if (raw === undefined) return invalid(field, `${field} must be a number, e.g. 150.00`);
  if (!/^[+-]?\d+(\.\d+)?$/.test(raw)) return invalid(field, `${field} must be a plain decimal number like 150.00 (got ${JSON.stringify(raw).slice(0, 40)})`);
  const amount = new Decimal(raw);
  if (amount.isNegative()) return invalid(field, `${field} must not be negative (got ${raw})`);
  if (amount.isZero()) return invalid(field, `${field} must be greater than 0`);
  if (amount.decimalPlaces() > 2) return invalid(field, `${field} must have at most 2 decimal places (got ${raw})`);
  if (amount.greaterThan(MAX_AMOUNT)) return invalid(field, `${field} must be at most ${MAX_AMOUNT.toFixed(2)} (got ${raw})`);
  return { ok: true, value: amount };
}

function requestId(body: Record<string, unknown>): Parsed<string | number | null> {
  // The legacy proxy read `_id`, falling back to `id`.
  const field = body._id !== undefined && body._id !== null && body._id !== false ? '_id' : 'id';
  const value = body[field];
  if (isEmpty(value)) return { ok: true, value: null };
  if (typeof value === 'string') {
    return value.length > MAX_TEXT ? invalid(field, `${field} must be at most ${MAX_TEXT} characters`) : { ok: true, value };
  }
  if (isJsonNumber(value) && /^\d{1,15}$/.test(value.value)) return { ok: true, value: Number(value.value) };
  return invalid(field, `${field} must be a string or a whole number`);
}

/** Validates a `/proxy` body; the first problem is named with its legacy field name. */
export function parseProxyRequest(body: unknown): Parsed<ProxyRequest> {
  if (!isPlainObject(body)) return invalid('body', 'the request body must be a JSON object');
  const id = requestId(body);
  if (!id.ok) return id;
  const paymentIdValue = body[FIELD.paymentId];
  // Odoo's x_name is a char field; an integer name is taken as its text.
  const paymentId = isJsonNumber(paymentIdValue)
    ? { ok: true as const, value: paymentIdValue.value }
    : text(body, FIELD.paymentId, true);
  if (!paymentId.ok) return paymentId;
  const vendorName = text(body, FIELD.vendorName, true);
  if (!vendorName.ok) return vendorName;
  const amount = parseRequestedAmount(body[FIELD.amount]);
  if (!amount.ok) return amount;
  const invoiceNumber = text(body, FIELD.invoiceNumber, true);
  if (!invoiceNumber.ok) return invoiceNumber;
  const employeeName = text(body, FIELD.employeeName, false);
  if (!employeeName.ok) return employeeName;
  return {
    ok: true,
    value: {
      requestId: id.value,
      paymentId: paymentId.value!,
      vendorName: vendorName.value!,
      amount: amount.value,
      invoiceNumber: invoiceNumber.value!,
      employeeName: employeeName.value,
    },
  };
}

/** `payment_id`, or `x_name`, of an `/ack` body. */
export function parseAckRequest(body: unknown): Parsed<string> {
  if (!isPlainObject(body)) return invalid('body', 'the request body must be a JSON object');
  for (const field of ['payment_id', 'x_name']) {
    const value = body[field];
    if (isEmpty(value) || value === '') continue;
    if (isJsonNumber(value)) return { ok: true, value: value.value };
    if (typeof value !== 'string') return invalid(field, `${field} must be a string`);
    if (value.length > MAX_TEXT) return invalid(field, `${field} must be at most ${MAX_TEXT} characters`);
    if (value.trim()) return { ok: true, value: value.trim() };
  }
  return invalid('payment_id', 'payment_id (or x_name) is required');
}

/**
 * The caller's token as the legacy proxy read it: the body field when it is non-empty, otherwise
 * the header. (A wrong body token is not rescued by a right header.)
 */
export function presentedToken(body: unknown, header: string | string[] | undefined): string | undefined {
  const fromBody = isPlainObject(body) ? body[FIELD.token] : undefined;
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  if (fromBody !== undefined && fromBody !== null && fromBody !== false && fromBody !== '') return String(fromBody);
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader || undefined;
}
