import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** Which of our two webhook URLs received it. */
export type WebhookEndpoint = 'customer' | 'dispatcher';

/**
 * - `verified`: the signature checked out (customer endpoint); processed by the webhook processor.
 * - `forwarded`: routed to customer installations (dispatcher endpoint; it never sees the secret).
 * - `verification`: the one-shot challenge `{"verificationCode": …}`.
 * - `rejected`: refused; `reason` says why (no body is kept).
 */
export type WebhookStatus = 'verified' | 'forwarded' | 'verification' | 'rejected';

export type RejectionReason =
  | 'missing_signature'
  | 'bad_signature'
  | 'unknown_app'
  | 'malformed_json'
  | 'not_utf8'
  | 'too_large'
  | 'no_merchant'
  | 'unknown_merchant';

/** Follow-up of a verified webhook: fetch each payment from the Platform API, update ours. */
export type ProcessingStatus = 'pending' | 'processing' | 'retrying' | 'processed' | 'failed';

/**
 * Every webhook either endpoint received: the journal operators read ("verified / rejected and
 * why"), the durable copy the processor works from, and the de-duplication key (a re-sent
 * webhook is byte-identical, so it has one effect).
 */
@Entity({ tableName: 'clover_webhook' })
@Index({ properties: ['endpoint', 'receivedAt'] })
@Index({ properties: ['status', 'receivedAt'] })
@Index({ properties: ['processingStatus'] })
@Unique({ properties: ['dedupeKey'] })
export class CloverWebhook {
  [OptionalProps]?: 'merchantCount' | 'objectCount' | 'processingAttempts' | 'forwardCount';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 20 })
  endpoint!: WebhookEndpoint;

  @Property({ type: 'string', length: 20 })
  status!: WebhookStatus;

  @Property({ type: 'string', length: 40, nullable: true })
  reason?: RejectionReason | null;

  @Property({ type: 'text', nullable: true })
  detail?: string | null;

  /** `firehose`, `event`, `verification` or `unknown` (see webhook-payload.ts). */
  @Property({ type: 'string', length: 20, nullable: true })
  shape?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  appId?: string | null;

  /** JSON array of the merchant ids the body names. */
  @Property({ type: 'text', nullable: true })
  merchantIds?: string | null;

  @Property({ type: 'integer', default: 0 })
  merchantCount = 0;

  @Property({ type: 'integer', default: 0 })
  objectCount = 0;

  @Property({ type: 'string', length: 100, nullable: true })
  verificationCode?: string | null;

  /** `<endpoint>:<sha256 of the body>` for accepted webhooks; null for rejected ones. */
  @Property({ type: 'string', length: 80, nullable: true })
  dedupeKey?: string | null;

  /** The raw body as received (accepted webhooks only). */
  @Property({ type: 'text', nullable: true })
  body?: string | null;

  @Property({ type: 'integer' })
  bodyBytes!: number;

  /** The `X-Clover-Auth-Code` header as received (cut at 200 characters). */
  @Property({ type: 'string', length: 200, nullable: true })
  signature?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  remoteIp?: string | null;

  @Property({ type: 'datetime' })
  receivedAt!: Date;

  @Property({ type: 'string', length: 20, nullable: true })
  processingStatus?: ProcessingStatus | null;

  @Property({ type: 'integer', default: 0 })
  processingAttempts = 0;

  /** When the running attempt claimed the webhook, or last renewed its claim (the lease runs from here). */
  @Property({ type: 'datetime', nullable: true })
  processingStartedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  processingError?: string | null;

  /** JSON array of `ObjectResult`: what became of each object the webhook named. */
  @Property({ type: 'text', nullable: true })
  processingResult?: string | null;

  @Property({ type: 'datetime', nullable: true })
  processedAt?: Date | null;

  /** Dispatcher: deliveries queued (one per distinct customer webhook URL). */
  @Property({ type: 'integer', default: 0 })
  forwardCount = 0;

  /** Dispatcher: JSON array of merchant ids no route was known for. */
  @Property({ type: 'text', nullable: true })
  unroutedMerchantIds?: string | null;
}
