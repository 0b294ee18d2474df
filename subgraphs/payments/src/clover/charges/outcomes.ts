import {
  CloverCardDeclined,
  CloverNotConnected,
  CloverReauthorizationRequired,
  CloverRequestRejected,
  CloverUnauthorized,
} from '../http/errors.js';
import type { PlatformCredit, PlatformPayment } from '../platform/platform-api.js';
import type { PaymentChanges } from './payment-recorder.js';

export type Failure = PaymentChanges & { status: 'failed'; failureCode: string; failureMessage: string };

/**
 * What a failed call means for the money: a definite failure (Clover refused, declined, or we
 * could not authenticate — nothing moved), or `undefined` when the outcome is unknown
 * (timeout, dropped connection, 5xx) and the payment must stay pending until resolved.
 */
export function failureFrom(error: unknown): Failure | undefined {
  if (error instanceof CloverCardDeclined) {
    const declined = (error.body as { payment?: PlatformPayment } | undefined)?.payment?.id;
    return { status: 'failed', failureCode: 'card_declined', failureMessage: error.cloverMessage, providerPaymentId: error.chargeId ?? declined ?? null };
  }
  if (error instanceof CloverRequestRejected) {
    return { status: 'failed', failureCode: (error.cloverCode ?? 'request_rejected').toLowerCase().slice(0, 64), failureMessage: error.cloverMessage };
  }
  if (error instanceof CloverUnauthorized) return { status: 'failed', failureCode: 'clover_unauthorized', failureMessage: error.cloverMessage };
  if (error instanceof CloverReauthorizationRequired) return { status: 'failed', failureCode: 'reauthorization_required', failureMessage: error.message };
  if (error instanceof CloverNotConnected) return { status: 'failed', failureCode: 'not_connected', failureMessage: error.message };
  return undefined;
}

/** A REST Pay Display / Platform payment → the changes it means for our payment. */
export function terminalPaymentChanges(payment: PlatformPayment): PaymentChanges & { status: 'succeeded' | 'failed' } {
  const card = { cardBrand: payment.cardTransaction?.cardType ?? null, cardLast4: payment.cardTransaction?.last4 ?? null };
  const created = payment.createdTime ? new Date(payment.createdTime) : new Date();
  if (payment.result === 'SUCCESS') return { status: 'succeeded', providerPaymentId: payment.id, providerCreatedAt: created, ...card };
  return { status: 'failed', providerPaymentId: payment.id, failureCode: 'card_declined', failureMessage: `terminal result ${payment.result ?? 'unknown'}`, ...card };
}

/** A credit REST Pay Display made (or the Platform API found by `externalReferenceId`) → a succeeded credit. */
export function terminalCreditChanges(credit: PlatformCredit): PaymentChanges & { status: 'succeeded' } {
  return {
    status: 'succeeded',
    providerPaymentId: credit.id,
    providerCreatedAt: credit.createdTime ? new Date(credit.createdTime) : new Date(),
    cardBrand: credit.cardTransaction?.cardType ?? null,
    cardLast4: credit.cardTransaction?.last4 ?? null,
  };
}
