import type { Database, Logger } from '@switchboard/kit';
import type { PaymentRecorder } from '../clover/charges/payment-recorder.js';
import {
  CloverConnection,
  CloverNotConnected,
  CloverReauthorizationRequired,
  CloverRequestRejected,
  type PlatformPayment,
} from '../clover/index.js';
import type { CloverPlatform } from '../clover/platform/platform-api.js';
import { Payment } from '../payments/payment.js';
import type { ObjectResult } from './object-result.js';
import { decideSync } from './sync-rules.js';
import type { WebhookObject } from './webhook-payload.js';

/**
 * Follows up one `P:` object (seed TODO 6): fetch the payment from the Platform API with the
 * merchant's connection (issue 4's client: auth precedence, refresh, one retry on 401), find our
 * payment (Clover's id, or our id as the terminal's `externalPaymentId`) and record what Clover
 * says through the payment recorder — a compare-and-set on the status that emits
 * `payments.charge.*` exactly once, however many webhooks name the payment.
 *
 * Throws only when trying again may help (Clover unavailable, 401 after a refresh, our database):
 * the processor retries the webhook then.
 */
export class PaymentSync {
  constructor(private readonly deps: { db: Database; platform: Pick<CloverPlatform, 'payment'>; recorder: Pick<PaymentRecorder, 'transition'>; logger: Logger }) {}

  async apply(object: WebhookObject): Promise<ObjectResult> {
    const base = { objectId: object.objectId, merchantId: object.merchantId };
    const connections = await this.deps.db.em().find(CloverConnection, { merchantId: object.merchantId });
    const connection = connections.find((c) => c.status === 'connected') ?? connections[0];
    if (!connection) return { ...base, outcome: 'no_connection', detail: `no Clover connection for merchant ${object.merchantId}` };

    let platform: PlatformPayment;
    try {
      platform = await this.deps.platform.payment(connection, object.id);
    } catch (error) {
      if (error instanceof CloverRequestRejected) {
        return { ...base, outcome: error.status === 404 ? 'not_found_at_clover' : 'rejected_by_clover', detail: error.message };
      }
      if (error instanceof CloverReauthorizationRequired) return { ...base, outcome: 'reauthorization_required', detail: error.message };
      if (error instanceof CloverNotConnected) return { ...base, outcome: 'no_connection', detail: error.message };
      throw error;
    }

    const payment = await this.deps.db.em().findOne(Payment, {
      provider: 'clover',
      kind: 'charge',
      connectionId: connection.id,
      $or: [{ providerPaymentId: platform.id }, ...(platform.externalPaymentId ? [{ id: platform.externalPaymentId }] : [])],
    });
    if (!payment) return { ...base, outcome: 'unmatched', detail: `no payment of ours is Clover payment ${platform.id}` };

    const decision = decideSync(payment.status, platform);
    if (decision.action === 'none') {
      if (decision.outcome === 'mismatch') {
        this.deps.logger.warn({ paymentId: payment.id, cloverPaymentId: platform.id, detail: decision.detail }, 'clover webhook: Clover and our payment disagree; left for a person');
      }
      return { ...base, outcome: decision.outcome, paymentId: payment.id, status: payment.status, ...(decision.detail ? { detail: decision.detail } : {}) };
    }
    const moved = await this.deps.recorder.transition(payment.id, decision.from, decision.changes);
    if (!moved) return { ...base, outcome: 'in_sync', paymentId: payment.id, detail: 'recorded by another path meanwhile' };
    return { ...base, outcome: 'updated', paymentId: payment.id, status: decision.changes.status };
  }
}
