import type { Database, Logger, Runnable } from '@switchboard/kit';
import { Payment } from '../../payments/payment.js';
import { CloverConnection } from '../connections/clover-connection.js';
import { CloverUnavailable } from '../http/errors.js';
import type { CloverPlatform } from '../platform/platform-api.js';
import { toCents } from '../money/cents.js';
import { CloverTerminal } from '../terminals/clover-terminal.js';
import type { CloverRestPay } from '../terminals/rest-pay-api.js';
import { failureFrom, terminalCreditChanges, terminalPaymentChanges } from './outcomes.js';
import type { PaymentRecorder } from './payment-recorder.js';

/**
 * Sends pending terminal payments and credits to the device in the background: REST Pay Display
 * answers only when the customer is done, far longer than a GraphQL request may wait. The
 * payment stays `pending` meanwhile; if this process dies mid-call, the reconciler finds the
 * outcome at Clover by `externalPaymentId`.
 */
export class TerminalRunner implements Runnable {
  readonly name = 'clover-terminal-runner';
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly deps: { db: Database; restPay: CloverRestPay; platform: CloverPlatform; recorder: PaymentRecorder; logger: Logger },
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
  }

  /** In-flight calls are left to finish or to the reconciler; we wait only briefly. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  isInFlight(paymentId: string): boolean {
    return this.inFlight.has(paymentId);
  }

  /** Starts the device call for a pending terminal payment (once per process). */
  run(paymentId: string): void {
    if (this.stopping || this.inFlight.has(paymentId)) return;
    const work = this.send(paymentId)
      .catch((error) => this.deps.logger.error({ paymentId, err: error }, 'clover terminal call failed unexpectedly'))
      .finally(() => this.inFlight.delete(paymentId));
    this.inFlight.set(paymentId, work);
  }

  /** Waits for the device call of `paymentId`, if one is running here (tests, shutdown). */
  async settled(paymentId: string): Promise<void> {
    await this.inFlight.get(paymentId);
  }

  private async send(paymentId: string): Promise<void> {
    const em = this.deps.db.em();
    const payment = await em.findOne(Payment, { id: paymentId });
    if (!payment || payment.status !== 'pending' || payment.method !== 'terminal') return;
    const connection = await em.findOneOrFail(CloverConnection, { id: payment.connectionId! });
    const terminal = await em.findOneOrFail(CloverTerminal, { id: payment.terminalId! });
    const { restPay, recorder } = this.deps;
    try {
      if (payment.kind === 'credit') {
        const credit = await restPay.credit(connection, terminal, { amountCents: toCents(payment.amountValue), externalReferenceId: payment.id }, payment.id);
        await recorder.transition(payment.id, 'pending', terminalCreditChanges(credit));
      } else {
        const result = await restPay.pay(connection, terminal, { amountCents: toCents(payment.amountValue), externalPaymentId: payment.id }, payment.id);
        await recorder.transition(payment.id, 'pending', terminalPaymentChanges(result));
      }
    } catch (error) {
      const failure = failureFrom(error);
      if (failure) {
        await recorder.transition(payment.id, 'pending', failure);
        return;
      }
      await recorder.noteAttempt(payment.id, `outcome unknown: ${(error as Error).message}`);
      // A device that is not connected did nothing: look once, and fail the payment if Clover has none.
      if (error instanceof CloverUnavailable && error.status === 503) {
        let found: unknown;
        try {
          found = payment.kind === 'credit'
            ? await this.deps.platform.creditByExternalId(connection, payment.id)
            : await this.deps.platform.paymentByExternalId(connection, payment.id);
        } catch {
          return; // cannot tell now: the reconciler will look again
        }
        if (!found) {
          await recorder.transition(payment.id, 'pending', { status: 'failed', failureCode: 'device_unavailable', failureMessage: error.message });
        }
      }
    }
  }
}
