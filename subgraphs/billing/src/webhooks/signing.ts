import { randomBytes, randomUUID } from 'node:crypto';
import { hmacSha256 } from '@switchboard/kit';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>` over the exact bytes sent; the key is the secret's
 * base64 part after `whsec_`; the header is `v1,<base64 HMAC-SHA256>`.
 */
const SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

export function isWebhookSecret(secret: string): boolean {
  return secret.startsWith(SECRET_PREFIX) && Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64').length >= 24;
}

/** `msg_…`: the stable id of one message, shared by all its delivery attempts. */
export function newWebhookMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${hmacSha256(key, `${id}.${timestampSeconds}.${body}`).toString('base64')}`;
}

/** Headers of one attempt: a fresh timestamp each time, so receivers' replay windows hold. */
export function webhookHeaders(secret: string, id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Switchboard-Billing-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}
