import type { Database, Logger, Runnable } from '@switchboard/kit';
import { Payment } from '../../payments/payment.js';
import type { CloverConfig } from '../config.js';
import { CloverConnection } from '../connections/clover-connection.js';
import { CloverNotFoundError } from '../domain-errors.js';
import type { CloverPlatform } from '../platform/platform-api.js';
import type { CloverRefunds } from '../refunds/refund-service.js';
import type { CloverCollections } from './collect-service.js';
import { terminalCreditChanges, terminalPaymentChanges } from './outcomes.js';
import type { PaymentRecorder } from './payment-recorder.js';
import type { TerminalRunner } from './terminal-runner.js';

/** Time the device gets beyond the call timeout before a payment Clover never recorded counts as failed. */
const TERMINAL_GRACE_MS = 60_000;

/**
 * Resolves Clover payments left `pending` by an unknown outcome (timeout, crash, lost response):
 * card charges, credits and refunds are asked again with their idempotency key; terminal payments
 * are looked up at Clover by `externalPaymentId`. Runs on every replica: a compare-and-set on the
 * attempt counter lets one replica take each payment per pass, and recording is a compare-and-set
 * on the status, so a race costs at most a duplicate (idempotent) call.
 */
export class CloverReconciler implements Runnable {
  readonly name = 'clover-reconciler';
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly deps: {
      db: Database;
      config: CloverConfig;
      platform: CloverPlatform;
      collections: CloverCollections;
      refunds: CloverRefunds;
      runner: TerminalRunner;
      recorder: PaymentRecorder;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.pass()
        .then(() => undefined, (error) => this.deps.logger.warn({ err: (error as Error).message }, 'clover reconciliation pass failed'))
        .finally(() => (this.running = undefined));
    }, this.deps.config.reconcileIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep over stale pending payments; returns how many it settled. */
  async pass(): Promise<number> {
    const { db, config, logger } = this.deps;
    const quietFor = config.httpTimeoutMs + 5_000;
    // Card payments past the retry window are left for a person (noted once by `resolve`).
    const retryFrom = new Date(Date.now() - config.pendingRetryWindowMs - quietFor);
    const stale = await db.em().find(
      Payment,
      {
        provider: 'clover',
        status: 'pending',
        updatedAt: { $lt: new Date(Date.now() - quietFor) },
        $or: [{ method: 'terminal' }, { createdAt: { $gt: retryFrom } }],
      },
      { orderBy: { updatedAt: 'asc' }, limit: 50 },
    );
    let settled = 0;
    for (const payment of stale) {
      if (this.deps.runner.isInFlight(payment.id)) continue;
      const claimed = await db.em().nativeUpdate(
        Payment,
        { id: payment.id, status: 'pending', attempts: payment.attempts },
        { attempts: payment.attempts + 1, updatedAt: new Date() },
      );
      if (claimed !== 1) continue;
      try {
        const after = await this.resolve(payment);
        if (after.status !== 'pending') settled++;
      } catch (error) {
        logger.warn({ paymentId: payment.id, err: (error as Error).message }, 'clover reconciliation attempt failed');
      }
    }
    return settled;
  }

  /** Finds out what happened to a pending payment now (also the "check status" of the UI). */
  async resolve(payment: Payment): Promise<Payment> {
    if (payment.status !== 'pending') return payment;
    const { db, config } = this.deps;
    const age = Date.now() - payment.createdAt.getTime();
    if (payment.method === 'terminal') {
      const connection = await db.em().findOne(CloverConnection, { id: payment.connectionId! });
      if (!connection) throw new CloverNotFoundError(`no Clover connection ${payment.connectionId}`);
      if (payment.kind === 'credit') {
        const credit = await this.deps.platform.creditByExternalId(connection, payment.id);
        if (credit) await this.deps.recorder.transition(payment.id, 'pending', terminalCreditChanges(credit));
      } else {
        const found = await this.deps.platform.paymentByExternalId(connection, payment.id);
        if (found) await this.deps.recorder.transition(payment.id, 'pending', terminalPaymentChanges(found));
      }
      const after = await db.em().findOneOrFail(Payment, { id: payment.id });
      if (after.status === 'pending' && !this.deps.runner.isInFlight(payment.id) && age > config.terminalTimeoutMs + TERMINAL_GRACE_MS) {
        await this.deps.recorder.transition(payment.id, 'pending', {
          status: 'failed',
          failureCode: 'not_completed',
          failureMessage: 'the terminal never completed this transaction (Clover has no record of it)',
        });
      }
      return db.em().findOneOrFail(Payment, { id: payment.id });
    }
    if (age > config.pendingRetryWindowMs) {
      await this.deps.recorder.noteAttempt(payment.id, 'outcome still unknown after the retry window: check the Clover dashboard and settle it by hand');
      return payment;
    }
    return payment.kind === 'charge' ? this.deps.collections.redrive(payment) : this.deps.refunds.redrive(payment);
  }
}
