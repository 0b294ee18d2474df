import type { EntityManager } from '@mikro-orm/core';
import type { Logger, ServiceRuntime } from '@switchboard/kit';
import { Payment } from '../../payments/payment.js';
import { failureFrom } from './outcomes.js';
import { eventFor, paymentEventData } from './payment-events.js';

/** `failureCode` of a pending payment whose last call ended without a known outcome. */
export const OUTCOME_UNKNOWN = 'outcome_unknown';

export type PaymentChanges = Partial<
  Pick<
    Payment,
    | 'status'
    | 'providerPaymentId'
    | 'cardBrand'
    | 'cardLast4'
    | 'providerCreatedAt'
    | 'failureCode'
    | 'failureMessage'
    | 'amountValue'
    | 'refundedAmountValue'
  >
>;

/**
 * Moves a payment from one status to the next exactly once — a compare-and-set on the status,
 * so concurrent requests, replicas and the reconciler racing to record the same outcome have one
 * effect — and announces it through the outbox in the same transaction.
 */
export class PaymentRecorder {
  constructor(private readonly runtime: ServiceRuntime, private readonly logger: Logger) {}

  /**
   * Applies `changes` if the payment is still in `from`; `alongside` runs in the same transaction
   * (e.g. the charge's refunded total). Returns false when another writer got there first.
   */
  async transition(
    paymentId: string,
    from: string | string[],
    changes: PaymentChanges & { status: string },
    alongside?: (em: EntityManager, payment: Payment) => Promise<void>,
  ): Promise<boolean> {
    return this.runtime.transaction(async ({ em, events }) => {
      const before = await em.findOne(Payment, { id: paymentId });
      if (!before) return false;
      const previousStatus = before.status;
      const allowed = Array.isArray(from) ? from : [from];
      const now = new Date();
      const changed = await em.nativeUpdate(
        Payment,
        { id: paymentId, status: { $in: allowed } },
        {
          // A settled payment forgets its card token and any "outcome unknown" note.
          ...(changes.status === 'pending' ? {} : { sourceToken: null }),
          ...(changes.status === 'failed' ? {} : { failureCode: null, failureMessage: null }),
          ...changes,
          updatedAt: now,
        },
      );
      if (changed !== 1) return false;
      const payment = await em.refreshOrFail(before);
      await alongside?.(em, payment);
      const type = eventFor(payment.kind, payment.status, previousStatus);
      if (type) events.emit(type, paymentEventData(payment, now), { subject: payment.id });
      this.logger.info({ paymentId, kind: payment.kind, from: previousStatus, to: payment.status }, 'clover payment recorded');
      return true;
    });
  }

  /**
   * Records a Clover call for a pending payment that threw: a definite failure settles it
   * `failed` (`onFailed` runs in the same transaction); an unknown outcome leaves it pending,
   * noted for a retry with the same key or for the reconciler. `call` names it in the log.
   */
  async recordCallError(
    paymentId: string,
    error: unknown,
    call: 'charge' | 'refund',
    onFailed?: (em: EntityManager, payment: Payment) => Promise<void>,
  ): Promise<void> {
    const failure = failureFrom(error);
    if (failure) {
      await this.transition(paymentId, 'pending', failure, onFailed);
      return;
    }
    const message = (error as Error).message;
    this.logger.warn({ paymentId, err: message }, `clover ${call} outcome unknown; it stays pending`);
    await this.noteAttempt(paymentId, `outcome unknown: ${message}; retry with the same idempotencyKey or wait for the reconciler`);
  }

  /**
   * Notes a try that settled nothing: the payment stays pending with `failureCode`
   * `outcome_unknown`, which also tells a retry that no call is in flight any more.
   */
  async noteAttempt(paymentId: string, message: string): Promise<void> {
    await this.runtime.db.em().nativeUpdate(
      Payment,
      { id: paymentId, status: 'pending' },
      { failureCode: OUTCOME_UNKNOWN, failureMessage: message, updatedAt: new Date() },
    );
  }
}
