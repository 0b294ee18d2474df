import type { Logger } from '@switchboard/kit';
import type { Counter } from 'prom-client';
import type { RejectionReason, WebhookEndpoint } from './clover-webhook.js';
import type { IncomingWebhook, IntakeAnswer } from './customer-intake.js';
import { TokenBucket } from './token-bucket.js';
import { webhookRow, type WebhookJournal } from './webhook-journal.js';
import type { WebhookPayload } from './webhook-payload.js';

export interface Rejection {
  endpoint: WebhookEndpoint;
  reason: RejectionReason;
  detail: string;
  bodyBytes: number;
  remoteIp?: string;
  signature?: string;
  shape?: string;
  appId?: string;
  merchantIds?: readonly string[];
}

/**
 * Journals refused webhooks (reason and size, never the body) without making the caller wait:
 * a forged-request flood is answered at full speed. Past `perSecond`, refusals are only counted,
 * so a flood cannot fill the database; a summary is logged instead.
 */
export class RejectionJournal {
  private readonly bucket: TokenBucket;
  private suppressed = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly journal: WebhookJournal, private readonly logger: Logger, perSecond: number) {
    this.bucket = new TokenBucket(perSecond, Math.max(perSecond, 1) * 2);
  }

  record(rejection: Rejection): void {
    if (!this.bucket.take()) {
      this.suppressed += 1;
      this.timer ??= setTimeout(() => this.flushSummary(), 10_000).unref();
      return;
    }
    const merchantIds = rejection.merchantIds?.slice(0, 1_000) ?? [];
    const row = webhookRow({
      endpoint: rejection.endpoint,
      status: 'rejected',
      reason: rejection.reason,
      detail: rejection.detail.slice(0, 1_000),
      bodyBytes: rejection.bodyBytes,
      remoteIp: rejection.remoteIp ?? null,
      signature: rejection.signature?.slice(0, 200) ?? null,
      shape: rejection.shape ?? null,
      appId: rejection.appId?.slice(0, 64) ?? null,
      merchantIds: merchantIds.length ? JSON.stringify(merchantIds) : null,
      merchantCount: rejection.merchantIds?.length ?? 0,
    });
    this.journal.record({ row }).catch((error) => this.logger.warn({ err: (error as Error).message }, 'could not journal a rejected clover webhook'));
  }

  private flushSummary(): void {
    this.timer = undefined;
    if (this.suppressed === 0) return;
    this.logger.warn({ suppressed: this.suppressed }, 'clover webhooks: more refusals than the journal keeps; only counted (see clover_webhooks_total)');
    this.suppressed = 0;
  }
}

/** What an intake refuses a webhook with: the journal of refusals and the `clover_webhooks_total` counter. */
export interface RefusalDeps {
  rejections: RejectionJournal;
  counter: Counter<'endpoint' | 'outcome'>;
}

export interface Refusal {
  endpoint: WebhookEndpoint;
  webhook: IncomingWebhook;
  reason: RejectionReason;
  status: number;
  message: string;
  /** What the body said, when it could be parsed. */
  payload?: WebhookPayload;
}

/** Refuses a webhook at either endpoint: counted, journaled, answered `{ ok: false, error, reason }`. */
export function refuseWebhook({ rejections, counter }: RefusalDeps, { endpoint, webhook, reason, status, message, payload }: Refusal): IntakeAnswer {
  counter.inc({ endpoint, outcome: reason });
  rejections.record({
    endpoint,
    reason,
    detail: message,
    bodyBytes: webhook.raw.length,
    remoteIp: webhook.remoteIp,
    signature: webhook.signature,
    shape: payload?.shape,
    appId: payload?.appId,
    merchantIds: payload?.merchantIds,
  });
  return { status, body: { ok: false, error: message, reason } };
}
