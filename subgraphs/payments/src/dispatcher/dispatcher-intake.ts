import { sha256Hex, type Deliveries, type Logger } from '@switchboard/kit';
import type { RejectionReason } from '../clover-webhooks/clover-webhook.js';
import type { IncomingWebhook, IntakeAnswer } from '../clover-webhooks/customer-intake.js';
import { refuseWebhook, type RefusalDeps } from '../clover-webhooks/rejections.js';
import { TokenBucket } from '../clover-webhooks/token-bucket.js';
import { webhookRow, type WebhookJournal } from '../clover-webhooks/webhook-journal.js';
import { parseWebhookBody, type WebhookPayload } from '../clover-webhooks/webhook-payload.js';
import { fanoutHeaders, WEBHOOK_FANOUT_KIND } from './fanout-kind.js';
import type { DispatcherRouting } from './routing-store.js';
import { routeWebhook, verificationTargets } from './routing-rules.js';

export interface DispatchedWebhook extends IncomingWebhook {
  contentType?: string;
}

/** Unrouted merchant ids listed in an answer (the journal keeps them all). */
const LISTED_UNROUTED = 20;

/**
 * `POST /clover/webhook`, transport aside (seed "Webhook fan-out"): a dumb pipe that never needs
 * the app secret. It finds the merchants (`merchants` keys or `merchantId`), and in one
 * (group-committed) transaction journals the webhook and queues one delivery per distinct customer
 * webhook URL — the raw body verbatim, `X-Clover-Auth-Code` kept — which the kit retries, records
 * and reports exhausted. The verification challenge goes to every routed customer.
 */
export class DispatcherIntake {
  private readonly verifications = new TokenBucket(2, 20);

  constructor(
    private readonly deps: RefusalDeps & { journal: WebhookJournal; routing: DispatcherRouting; deliveries: Deliveries; logger: Logger },
  ) {}

  async receive(webhook: DispatchedWebhook): Promise<IntakeAnswer> {
    const parsed = parseWebhookBody(webhook.raw);
    if (!parsed.ok) return this.reject(webhook, parsed.reason, 400, parsed.message);
    const payload = parsed.payload;
    const table = this.deps.routing.table;

    if (payload.shape === 'verification') {
      if (!this.verifications.take()) {
        this.deps.counter.inc({ endpoint: 'dispatcher', outcome: 'throttled' });
        return { status: 429, body: { ok: false, error: 'too many verification challenges; Clover sends one per click' } };
      }
      const targets = verificationTargets(table);
      const answer = await this.forward(webhook, payload, targets, [], 'verification');
      this.deps.logger.warn(
        { verificationCode: payload.verificationCode, forwardedTo: targets.length },
        `==== CLOVER WEBHOOK VERIFICATION CODE: ${payload.verificationCode} — paste it into the Clover dashboard (also forwarded to ${targets.length} customer installation(s)) ====`,
      );
      return { ...answer, body: { ...answer.body, verificationCode: payload.verificationCode } };
    }

    if (payload.merchantIds.length === 0) {
      return this.reject(webhook, 'no_merchant', 400, 'the body names no merchant (merchants.<merchantId> or merchantId)', payload);
    }
    const { targets, unrouted } = routeWebhook(payload.merchantIds, table);
    if (targets.length === 0) {
      const listed = unrouted.slice(0, 5).join(', ') + (unrouted.length > 5 ? ` and ${unrouted.length - 5} more` : '');
      return this.reject(webhook, 'unknown_merchant', 404, `no customer installation is routed for merchant ${listed}`, payload);
    }
    if (unrouted.length > 0) this.deps.logger.warn({ unrouted: unrouted.slice(0, LISTED_UNROUTED), count: unrouted.length }, 'clover dispatcher: webhook names merchants without a route');
    return this.forward(webhook, payload, targets.map((t) => t.url), unrouted, 'forwarded');
  }

  private async forward(webhook: DispatchedWebhook, payload: WebhookPayload, urls: string[], unrouted: string[], status: 'forwarded' | 'verification'): Promise<IntakeAnswer> {
    const body = webhook.raw.toString('utf8');
    const row = webhookRow({
      endpoint: 'dispatcher',
      status,
      shape: payload.shape,
      appId: payload.appId?.slice(0, 64) ?? null,
      merchantIds: JSON.stringify(payload.merchantIds),
      merchantCount: payload.merchantIds.length,
      objectCount: payload.objects.length,
      verificationCode: payload.shape === 'verification' ? payload.verificationCode : null,
      dedupeKey: `dispatcher:${sha256Hex(webhook.raw)}`,
      body,
      bodyBytes: webhook.raw.length,
      signature: webhook.signature?.slice(0, 200) ?? null,
      remoteIp: webhook.remoteIp ?? null,
      forwardCount: urls.length,
      unroutedMerchantIds: unrouted.length ? JSON.stringify(unrouted) : null,
    });
    const headers = fanoutHeaders(webhook.signature, webhook.contentType);
    const stored = await this.deps.journal.record({
      row,
      onNew: (tx) => {
        for (const url of urls) this.deps.deliveries.enqueue(tx, { kind: WEBHOOK_FANOUT_KIND, url, body, headers, reference: row.id });
      },
    });
    this.deps.counter.inc({ endpoint: 'dispatcher', outcome: stored.duplicate ? 'duplicate' : status });
    return {
      status: 200,
      body: { ok: true, id: stored.id, duplicate: stored.duplicate, forwarded: urls.length, unrouted: unrouted.slice(0, LISTED_UNROUTED), unroutedCount: unrouted.length },
    };
  }

  private reject(webhook: DispatchedWebhook, reason: RejectionReason, status: number, message: string, payload?: WebhookPayload): IntakeAnswer {
    return refuseWebhook(this.deps, { endpoint: 'dispatcher', webhook, reason, status, message, payload });
  }
}
