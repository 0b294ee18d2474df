import { currentTraceparent, sha256Hex, type Logger } from '@switchboard/kit';
import type { AppSecrets } from './app-secrets.js';
import type { RejectionReason } from './clover-webhook.js';
import { WEBHOOK_RECEIVED, type WebhookReceived } from './events.js';
import { refuseWebhook, type RefusalDeps } from './rejections.js';
import { checkSignature } from './signature.js';
import { TokenBucket } from './token-bucket.js';
import { webhookRow, type WebhookJournal } from './webhook-journal.js';
import { ignored } from './object-result.js';
import { parseWebhookBody, type WebhookPayload } from './webhook-payload.js';

export interface IncomingWebhook {
  raw: Buffer;
  /** `X-Clover-Auth-Code`. */
  signature?: string;
  remoteIp?: string;
}

export interface IntakeAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Verification challenges are unsigned: accept a handful per second, not a flood. */
const VERIFICATIONS_PER_SECOND = 2;
const VERIFICATION_BURST = 20;

/**
 * `POST /payment/clover/webhook`, transport aside: the one-shot verification challenge is taken
 * without a signature (logged at WARN, shown to operators); everything else must carry a valid
 * HMAC of the raw bytes. Accepted webhooks are journaled with a `payments.clover.webhook.received`
 * event in one (group-committed) transaction before the 200.
 */
export class CustomerWebhookIntake {
  private readonly verifications = new TokenBucket(VERIFICATIONS_PER_SECOND, VERIFICATION_BURST);

  constructor(
    private readonly deps: RefusalDeps & { journal: WebhookJournal; secrets: AppSecrets; logger: Logger },
  ) {}

  async receive(webhook: IncomingWebhook): Promise<IntakeAnswer> {
    const parsed = parseWebhookBody(webhook.raw);
    if (!parsed.ok) return this.reject(webhook, parsed.reason, 400, parsed.message);
    const payload = parsed.payload;
    if (payload.shape === 'verification') return this.verification(webhook, payload.verificationCode);

    const secrets = await this.deps.secrets.forPayload(payload);
    if (secrets.length === 0) {
      const named = payload.appId ? `app ${payload.appId}` : payload.merchantIds.length ? `merchant ${payload.merchantIds.slice(0, 3).join(', ')}` : 'this webhook';
      return this.reject(webhook, 'unknown_app', 403, `no app secret is known for ${named}: set CLOVER_WEBHOOK_APP_SECRET or create the Clover connection`, payload);
    }
    const check = checkSignature(webhook.raw, webhook.signature, secrets);
    if (check === 'missing') return this.reject(webhook, 'missing_signature', 403, 'X-Clover-Auth-Code is missing: only the verification challenge may be unsigned', payload);
    if (check === 'mismatch') return this.reject(webhook, 'bad_signature', 403, 'X-Clover-Auth-Code does not match the body (HMAC-SHA256 with the app secret)', payload);

    const payments = payload.objects.filter((object) => object.kind === 'payment');
    const receivedAt = new Date();
    const row = webhookRow({
      endpoint: 'customer',
      status: 'verified',
      shape: payload.shape,
      appId: payload.appId?.slice(0, 64) ?? null,
      merchantIds: JSON.stringify(payload.merchantIds),
      merchantCount: payload.merchantIds.length,
      objectCount: payload.objects.length,
      dedupeKey: `customer:${sha256Hex(webhook.raw)}`,
      body: webhook.raw.toString('utf8'),
      bodyBytes: webhook.raw.length,
      signature: webhook.signature?.slice(0, 200) ?? null,
      remoteIp: webhook.remoteIp ?? null,
      receivedAt,
      // Nothing to follow up (orders, customers…): done at once.
      ...(payments.length === 0
        ? { processingStatus: 'processed' as const, processedAt: receivedAt, processingResult: JSON.stringify(payload.objects.map(ignored)) }
        : { processingStatus: 'pending' as const }),
    });
    const stored = await this.deps.journal.record({
      row,
      event: {
        type: WEBHOOK_RECEIVED,
        data: {
          webhookId: row.id,
          shape: payload.shape,
          ...(payload.appId ? { appId: payload.appId } : {}),
          merchantCount: payload.merchantIds.length,
          objectCount: payload.objects.length,
          paymentObjectCount: payments.length,
          receivedAt: receivedAt.toISOString(),
        } satisfies WebhookReceived,
        // The webhook id doubles as the event id: a re-announcement is recognisably the same.
        id: row.id,
        subject: row.id,
        traceparent: currentTraceparent(),
      },
    });
    this.deps.counter.inc({ endpoint: 'customer', outcome: stored.duplicate ? 'duplicate' : 'verified' });
    return { status: 200, body: { ok: true, id: stored.id, duplicate: stored.duplicate } };
  }

  private async verification(webhook: IncomingWebhook, code: string): Promise<IntakeAnswer> {
    if (!this.verifications.take()) {
      this.deps.counter.inc({ endpoint: 'customer', outcome: 'throttled' });
      return { status: 429, body: { ok: false, error: 'too many verification challenges; Clover sends one per click' } };
    }
    const row = webhookRow({
      endpoint: 'customer',
      status: 'verification',
      shape: 'verification',
      verificationCode: code,
      dedupeKey: `customer:${sha256Hex(webhook.raw)}`,
      body: webhook.raw.toString('utf8'),
      bodyBytes: webhook.raw.length,
      remoteIp: webhook.remoteIp ?? null,
    });
    const stored = await this.deps.journal.record({ row });
    // Loud on purpose (seed: "handler at WARNING level so it's hard to miss").
    this.deps.logger.warn(
      { verificationCode: code, webhookId: stored.id, duplicate: stored.duplicate },
      `==== CLOVER WEBHOOK VERIFICATION CODE: ${code} — paste it into the Clover dashboard to activate the webhook ====`,
    );
    this.deps.counter.inc({ endpoint: 'customer', outcome: 'verification' });
    return { status: 200, body: { ok: true, id: stored.id, verificationCode: code } };
  }

  private reject(webhook: IncomingWebhook, reason: RejectionReason, status: number, message: string, payload?: WebhookPayload): IntakeAnswer {
    return refuseWebhook(this.deps, { endpoint: 'customer', webhook, reason, status, message, payload });
  }
}
