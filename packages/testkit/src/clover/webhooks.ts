import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';

/**
 * Clover webhooks as the seed describes them (quirks 18-19): the merchant firehose
 * `{"appId", "merchants": {"<mId>": [{"objectId": "P:<mId>/<id>", "type", "ts"}]}}` signed with
 * `X-Clover-Auth-Code: hex(HMAC-SHA256(app secret, raw body))`, and the one-shot, unsigned
 * verification challenge `{"verificationCode": "<uuid>"}`.
 */

export interface FirehoseEvent {
  objectId: string;
  type: 'CREATE' | 'UPDATE' | 'DELETE';
  ts: number;
}

/** `P:` payment, `O:` order, `C:` customer. */
export function objectEvent(prefix: 'P' | 'O' | 'C', merchantId: string, id: string, type: FirehoseEvent['type'] = 'CREATE', ts = Date.now()): FirehoseEvent {
  return { objectId: `${prefix}:${merchantId}/${id}`, type, ts };
}

export function firehoseBody(appId: string, merchants: Record<string, FirehoseEvent[]>): string {
  return JSON.stringify({ appId, merchants });
}

export function verificationBody(code: string = randomUUID()): string {
  return JSON.stringify({ verificationCode: code });
}

export function signCloverWebhook(appSecret: string, body: string | Buffer): string {
  return createHmac('sha256', appSecret).update(body).digest('hex');
}

export interface WebhookReply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * POSTs a webhook the way Clover does. `appSecret` signs it; `signature` overrides the header
 * (forgeries); neither sends it unsigned.
 */
export function sendCloverWebhook(
  url: string,
  body: string | Buffer,
  options: { appSecret?: string; signature?: string; headers?: Record<string, string> } = {},
): Promise<WebhookReply> {
  const signature = options.signature ?? (options.appSecret ? signCloverWebhook(options.appSecret, body) : undefined);
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'user-agent': 'Clover-Webhooks/1.0',
          ...(signature ? { 'X-Clover-Auth-Code': signature } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
