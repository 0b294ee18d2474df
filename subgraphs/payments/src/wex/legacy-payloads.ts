import { formatAmount, type Decimal } from '@switchboard/kit';
import { LosslessNumber, stringify } from 'lossless-json';

/** The card WEX issued; the number and security code leave the process only to Odoo. */
export interface IssuedCard {
  number: string;
  securityCode: string;
  /** `MM` */
  expirationMonth: string;
  /** `YYYY` */
  expirationYear: string;
}

/** What the legacy responses echo of the request. */
export interface EchoedRequest {
  requestId: string | number | null;
  paymentId: string;
  vendorName: string;
  amount: Decimal;
  invoiceNumber: string;
  employeeName: string | null;
}

/** Success answer to `/proxy` and body of the downstream delivery, keys in the seed's order. */
export interface SuccessResult {
  _model: 'x_requests';
  _id: string | number | null;
  status: number;
  card_number: string | null;
  expiration_month: string;
  expiration_year: string;
  security_code: string | null;
  payment_id: string;
  amount: string;
  hauler_name: string;
  employee: string | null;
  invoice_number: string;
}

export interface ErrorResult {
  _model: 'x_requests';
  _id: string | number | null;
  status: number;
  error: string;
}

/** The documented success object; pass `card: null` for the stored template without secrets. */
export function successResult(request: EchoedRequest, card: IssuedCard | Omit<IssuedCard, 'number' | 'securityCode'>, status = 200): SuccessResult {
  return {
    _model: 'x_requests',
    _id: request.requestId,
    status,
    card_number: 'number' in card ? card.number : null,
    expiration_month: card.expirationMonth,
    expiration_year: card.expirationYear,
    security_code: 'securityCode' in card ? card.securityCode : null,
    payment_id: request.paymentId,
    amount: formatAmount(request.amount, 2),
    hauler_name: request.vendorName,
    employee: request.employeeName,
    invoice_number: request.invoiceNumber,
  };
}

export function errorResult(requestId: string | number | null, status: number, error: string): ErrorResult {
  return { _model: 'x_requests', _id: requestId, status, error };
}

/**
 * The body the legacy proxy sent to WEX. Amounts go out as JSON numbers written exactly
 * (`100.50`), never through a float.
 */
export function wexCardRequestBody(request: EchoedRequest, merchantCode: string, now: Date): string {
  const amount = new LosslessNumber(formatAmount(request.amount, 2));
  return stringify({
    merchant_code: merchantCode,
    total_amount: amount,
    user_defined_fields: [request.vendorName, request.paymentId],
    invoices: [{ invoice_number: request.invoiceNumber, invoice_date: now.toISOString(), total_amount: amount }],
  })!;
}
