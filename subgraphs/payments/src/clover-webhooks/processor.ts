import { raw } from '@mikro-orm/core';
import { backoffDelay, exponentialSchedule, mapWithLimit, type BusMessage, type Logger, type Runnable, type ServiceRuntime, type Subscription } from '@switchboard/kit';
import { CloverUnavailable } from '../clover/index.js';
import { CloverWebhook } from './clover-webhook.js';
import type { CloverWebhookConfig } from './config.js';
import { WEBHOOK_RECEIVED, WEBHOOK_RETRY_REQUESTED, type WebhookReceived, type WebhookRetryRequested } from './events.js';
import { ignored, type ObjectResult } from './object-result.js';
import type { PaymentSync } from './payment-sync.js';
import { classify, type WebhookObject } from './webhook-payload.js';

/**
 * An attempt's claim on its webhook lapses this long after it was last renewed; then another
 * replica (or this one, restarted) takes the webhook over. A live attempt renews it every
 * HEARTBEAT_MS however long its Clover calls take, so the lease only bounds how long the work of
 * a replica that died waits.
 */
const LEASE_MS = 60_000;
const HEARTBEAT_MS = 20_000;
/**
 * The bus hands an unacknowledged wake-up out again after this long, so one that a dead replica had
 * pulled comes back soon. A redelivery while the attempt is still running is harmless: the claim is
 * held, and the message is put back until the lease could lapse.
 */
const WAKE_UP_ACK_WAIT_MS = 30_000;
/** Platform API calls in flight for one webhook (a firehose may name hundreds of payments). */
const OBJECT_CONCURRENCY = 4;
/** Our own trouble (database unreachable): keep the message, try again after this long. */
const INTERNAL_RETRY_MS = 5_000;

type Next = 'done' | number;

/**
 * Follows up verified webhooks. Clover calls happen outside any database transaction (a held
 * transaction would block SQLite's single connection for the whole call), so this is not a kit
 * `EventHandler`: the webhook row is the job — claimed by a compare-and-set with a lease, results
 * and attempts recorded on it — and the bus message is only the wake-up, which makes duplicate and
 * late deliveries harmless. After the last attempt the row is `failed` (listed, re-processable
 * with `reprocessCloverWebhook`) and announced on `payments.deadletter` for an ops ticket.
 */
export class WebhookProcessor implements Runnable {
  readonly name = 'clover-webhook-processor';
  private subscription?: Subscription;
  private readonly backoff: number[];

  constructor(private readonly deps: { runtime: ServiceRuntime; config: CloverWebhookConfig; sync: PaymentSync; logger: Logger }) {
    this.backoff = exponentialSchedule(deps.config.retryBaseMs, Math.max(deps.config.maxAttempts - 1, 1));
  }

  async start(): Promise<void> {
    const { runtime, config } = this.deps;
    if (runtime.bus.kind === 'in-process') await this.requeueStranded();
    this.subscription = await runtime.bus.subscribe(
      {
        durable: `${runtime.service}-clover-webhook-processor`,
        subjects: [WEBHOOK_RECEIVED, WEBHOOK_RETRY_REQUESTED],
        concurrency: config.processorConcurrency,
        ackWaitMs: WAKE_UP_ACK_WAIT_MS,
      },
      (message) => this.onMessage(message),
    );
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Queue a webhook for another round of attempts (operators, after fixing the cause). */
  async requestRetry(webhookId: string): Promise<CloverWebhook> {
    return this.deps.runtime.transaction(async ({ em, events }) => {
      const row = await em.findOne(CloverWebhook, { id: webhookId });
      if (!row) throw new Error(`no clover webhook ${webhookId}`);
      if (row.status !== 'verified') throw new Error(`webhook ${webhookId} is ${row.status}: only verified webhooks are processed`);
      if (row.processingStatus === 'processing') throw new Error(`webhook ${webhookId} is being processed right now; try again in a moment`);
      row.processingStatus = 'pending';
      row.processingAttempts = 0;
      row.processingError = null;
      events.emit<WebhookRetryRequested>(WEBHOOK_RETRY_REQUESTED, { webhookId }, { subject: webhookId });
      return row;
    });
  }

  private async onMessage(message: BusMessage): Promise<void> {
    const data = message.event.data as Partial<WebhookReceived> | null;
    const webhookId = data?.webhookId;
    if (typeof webhookId !== 'string') {
      this.deps.logger.error({ eventId: message.event.id }, 'clover webhook wake-up without webhookId; dropped');
      return message.term();
    }
    // Nothing to follow up (orders, customers…): the intake already marked it processed.
    if (message.event.type === WEBHOOK_RECEIVED && data?.paymentObjectCount === 0) return message.ack();
    try {
      const next = await this.process(webhookId);
      if (next === 'done') message.ack();
      else message.nak(next);
    } catch (error) {
      this.deps.logger.error({ err: error, webhookId }, 'clover webhook could not be processed; will retry');
      message.nak(INTERNAL_RETRY_MS);
    }
  }

  /** One wake-up: claim the webhook, follow up its payments, record the outcome. */
  async process(webhookId: string): Promise<Next> {
    const { runtime } = this.deps;
    const now = new Date();
    const claimed = await runtime.db.em().nativeUpdate(
      CloverWebhook,
      {
        id: webhookId,
        status: 'verified',
        $or: [
          { processingStatus: { $in: ['pending', 'retrying'] } },
          { processingStatus: 'processing', processingStartedAt: { $lt: new Date(now.getTime() - LEASE_MS) } },
        ],
      },
      { processingStatus: 'processing', processingStartedAt: now, processingAttempts: raw('processing_attempts + 1') },
    );
    if (claimed === 0) {
      const row = await runtime.db.em().findOne(CloverWebhook, { id: webhookId }, { fields: ['processingStatus', 'processingStartedAt'] });
      if (row?.processingStatus === 'processing' && row.processingStartedAt) {
        return Math.max(row.processingStartedAt.getTime() + LEASE_MS - now.getTime(), 1_000);
      }
      return 'done';
    }
    const heartbeat = setInterval(() => void this.renewClaim(webhookId), HEARTBEAT_MS);
    try {
      return await this.followUp(webhookId);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** The claimed attempt: follow up each payment object, then record the results (or the failure). */
  private async followUp(webhookId: string): Promise<Next> {
    const { runtime, sync, logger } = this.deps;
    const row = await runtime.db.em().findOneOrFail(CloverWebhook, { id: webhookId });
    const payload = classify(JSON.parse(row.body ?? 'null'));
    let results: ObjectResult[];
    try {
      results = await mapWithLimit(payload.objects, OBJECT_CONCURRENCY, (object: WebhookObject) =>
        object.kind === 'payment' ? sync.apply(object) : Promise.resolve(ignored(object)),
      );
    } catch (error) {
      return this.failed(row, error as Error);
    }
    await runtime.db.em().nativeUpdate(
      CloverWebhook,
      { id: webhookId },
      { processingStatus: 'processed', processedAt: new Date(), processingError: null, processingResult: JSON.stringify(results) },
    );
    const updated = results.filter((r) => r.outcome === 'updated').length;
    logger.debug({ webhookId, objects: results.length, updated }, 'clover webhook processed');
    return 'done';
  }

  /** Keeps a running attempt's claim (`processingStartedAt` is the claim's last renewal). */
  private async renewClaim(webhookId: string): Promise<void> {
    try {
      await this.deps.runtime.db.em().nativeUpdate(CloverWebhook, { id: webhookId, processingStatus: 'processing' }, { processingStartedAt: new Date() });
    } catch (error) {
      // The lease may lapse and another replica take over: the payment recorder's compare-and-set keeps that harmless.
      this.deps.logger.warn({ err: error, webhookId }, 'clover webhook: could not renew the claim of a running attempt');
    }
  }

  private async failed(row: CloverWebhook, error: Error): Promise<Next> {
    const { runtime, config, logger } = this.deps;
    const attempt = row.processingAttempts;
    const message = error.message.slice(0, 2_000);
    if (attempt < config.maxAttempts) {
      // Clover's 429 names its wait; asking before it ends would only lengthen it.
      const delay = Math.max(backoffDelay(attempt, this.backoff), error instanceof CloverUnavailable ? (error.retryAfterMs ?? 0) : 0);
      await runtime.db.em().nativeUpdate(CloverWebhook, { id: row.id }, { processingStatus: 'retrying', processingError: message });
      logger.warn({ webhookId: row.id, attempt, retryInMs: delay, err: message }, 'clover webhook follow-up failed; will retry');
      return delay;
    }
    await runtime.transaction(async ({ em, events }) => {
      await em.nativeUpdate(CloverWebhook, { id: row.id }, { processingStatus: 'failed', processingError: message });
      // The kit's dead-letter announcement (helpdesk opens one ops ticket per subject).
      events.emit(`${runtime.domain}.deadletter`, {
        deadLetterId: row.id,
        service: runtime.service,
        consumer: this.name,
        eventId: row.id,
        eventType: WEBHOOK_RECEIVED,
        error: message,
        attempts: attempt,
        summary: `${runtime.service}: clover webhook ${row.id} could not be followed up after ${attempt} attempts: ${message} (reprocessCloverWebhook once fixed)`,
      }, { subject: `${runtime.service}:${this.name}:${row.id}` });
    });
    logger.error({ webhookId: row.id, attempt, err: message }, 'clover webhook follow-up failed for the last time');
    return 'done';
  }

  /** In-process bus only: its pending wake-ups die with the process, the rows do not. */
  private async requeueStranded(): Promise<void> {
    const { runtime, logger } = this.deps;
    const stranded = await runtime.db.em().find(
      CloverWebhook,
      { status: 'verified', processingStatus: { $in: ['pending', 'retrying', 'processing'] } },
      { fields: ['id'], limit: 10_000 },
    );
    if (stranded.length === 0) return;
    await runtime.transaction(async ({ events }) => {
      for (const row of stranded) events.emit<WebhookRetryRequested>(WEBHOOK_RETRY_REQUESTED, { webhookId: row.id }, { subject: row.id });
    });
    logger.warn({ count: stranded.length }, 're-queued unprocessed clover webhooks after restart');
  }
}
