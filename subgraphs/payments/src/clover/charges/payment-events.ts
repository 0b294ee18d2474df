import type { Payment } from '../../payments/payment.js';

/** Event types of the payments domain that Clover money movements announce. */
export const PAYMENT_EVENTS = {
  chargeSucceeded: 'payments.charge.succeeded',
  chargeFailed: 'payments.charge.failed',
  /** Not in the original contract: a charge cancelled before settlement (billing should reverse it). */
  chargeVoided: 'payments.charge.voided',
  refundSucceeded: 'payments.refund.succeeded',
  /** Not in the original contract: a refund or credit Clover refused. */
  refundFailed: 'payments.refund.failed',
} as const;

/**
 * The data every payment event carries (contract shared with billing). Amounts are decimal
 * strings; `chargeId` on a refund is our id of the refunded payment.
 */
export interface PaymentEventData {
  paymentId: string;
  kind: 'charge' | 'refund' | 'credit';
  provider: 'clover';
  amount: string;
  currency: string;
  invoiceId?: string;
  orderId?: string;
  customerEmail?: string;
  chargeId?: string;
  occurredAt: string;
  /** Extras (additive): the fee included in `amount`, and the amount before it. */
  surchargeAmount?: string;
  baseAmount?: string;
  providerPaymentId?: string;
  status: string;
  failureCode?: string;
  failureMessage?: string;
}

export function paymentEventData(payment: Payment, occurredAt = new Date()): PaymentEventData {
  const data: PaymentEventData = {
    paymentId: payment.id,
    kind: payment.kind as PaymentEventData['kind'],
    provider: 'clover',
    amount: payment.amount.amount,
    currency: payment.currency,
    occurredAt: occurredAt.toISOString(),
    status: payment.status,
  };
  if (payment.invoiceId) data.invoiceId = payment.invoiceId;
  if (payment.orderId) data.orderId = payment.orderId;
  if (payment.customerEmail) data.customerEmail = payment.customerEmail;
  if (payment.parentPaymentId) data.chargeId = payment.parentPaymentId;
  if (payment.surchargeAmount && payment.surchargeAmount.amount !== '0.00') {
    data.surchargeAmount = payment.surchargeAmount.amount;
    data.baseAmount = payment.baseAmount?.amount;
  }
  if (payment.providerPaymentId) data.providerPaymentId = payment.providerPaymentId;
  if (payment.failureCode) data.failureCode = payment.failureCode;
  if (payment.failureMessage) data.failureMessage = payment.failureMessage;
  return data;
}

/** Which event a payment reaching `status` announces, if any. */
export function eventFor(kind: string, status: string, previousStatus: string): string | undefined {
  if (kind === 'charge') {
    if (status === 'succeeded' && (previousStatus === 'pending' || previousStatus === 'authorized')) return PAYMENT_EVENTS.chargeSucceeded;
    if (status === 'failed') return PAYMENT_EVENTS.chargeFailed;
    // A void undoes an announced success; an authorization never announced needs no undoing.
    if (status === 'voided' && previousStatus === 'succeeded') return PAYMENT_EVENTS.chargeVoided;
    return undefined;
  }
  if (status === 'succeeded') return PAYMENT_EVENTS.refundSucceeded;
  if (status === 'failed') return PAYMENT_EVENTS.refundFailed;
  return undefined;
}
