/**
 * What a Clover webhook body says, as pure functions (seed "Webhook fan-out" and quirks 18-19).
 * Three shapes arrive at the same URL:
 * - the one-shot verification challenge `{"verificationCode": "<uuid>"}` (unsigned);
 * - the merchant firehose `{"appId", "merchants": {"<mId>": [{"objectId": "P:…", "type", "ts"}]}}`;
 * - the single-event format `{"type": "charge.succeeded", "merchantId"?, "data": {…}}`.
 */

export type ObjectKind = 'payment' | 'order' | 'customer' | 'other';

/** One object change a webhook announces. */
export interface WebhookObject {
  merchantId: string;
  /** As Clover sent it, e.g. `P:ASVPRFJ5D5GF1/BSEQZTNJKQGY6` or `P:BSEQZTNJKQGY6`. */
  objectId: string;
  kind: ObjectKind;
  /** The object's own id (the part after the prefix and the optional `<mId>/`). */
  id: string;
  /** `CREATE`, `UPDATE`, `DELETE` (firehose) or the event type (single-event format). */
  type?: string;
  ts?: number;
}

export type WebhookPayload =
  | { shape: 'verification'; appId?: undefined; verificationCode: string; merchantIds: string[]; objects: WebhookObject[] }
  | { shape: 'firehose'; appId?: string; merchantIds: string[]; objects: WebhookObject[] }
  | { shape: 'event'; appId?: string; type: string; merchantIds: string[]; objects: WebhookObject[] }
  | { shape: 'unknown'; appId?: string; merchantIds: string[]; objects: WebhookObject[] };

export type ParsedBody = { ok: true; payload: WebhookPayload; json: unknown } | { ok: false; reason: 'not_utf8' | 'malformed_json'; message: string };

const PREFIXES: Record<string, ObjectKind> = { P: 'payment', O: 'order', C: 'customer' };

/** Merchant ids are Clover's 13-character ids; anything printable and short is accepted as a key. */
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** Verification codes are UUIDs; a little slack for other formats, never unbounded text. */
const VERIFICATION_CODE = /^[A-Za-z0-9-]{6,100}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes (strict UTF-8: the bytes must survive verbatim) and classifies a raw body. */
export function parseWebhookBody(raw: Buffer): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, reason: 'not_utf8', message: 'the body is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'malformed_json', message: `the body is not valid JSON: ${(error as Error).message}` };
  }
  return { ok: true, payload: classify(json), json };
}

export function isMerchantId(value: unknown): value is string {
  return typeof value === 'string' && MERCHANT_ID.test(value);
}

/** Classifies a parsed body. Never throws: what cannot be understood is `unknown`. */
export function classify(json: unknown): WebhookPayload {
  if (!isObject(json)) return { shape: 'unknown', merchantIds: [], objects: [] };
  const appId = typeof json.appId === 'string' ? json.appId : undefined;

  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0] === 'verificationCode') {
    const code = json.verificationCode;
    if (typeof code === 'string' && VERIFICATION_CODE.test(code)) {
      return { shape: 'verification', verificationCode: code, merchantIds: [], objects: [] };
    }
  }

  if (isObject(json.merchants)) {
    const merchantIds: string[] = [];
    const objects: WebhookObject[] = [];
    for (const [merchantId, events] of Object.entries(json.merchants)) {
      if (!isMerchantId(merchantId)) continue;
      merchantIds.push(merchantId);
      if (!Array.isArray(events)) continue;
      for (const event of events) {
        if (!isObject(event) || typeof event.objectId !== 'string') continue;
        const object = parseObjectId(event.objectId, merchantId);
        if (!object) continue;
        objects.push({
          ...object,
          ...(typeof event.type === 'string' ? { type: event.type } : {}),
          ...(typeof event.ts === 'number' ? { ts: event.ts } : {}),
        });
      }
    }
    return { shape: 'firehose', ...(appId ? { appId } : {}), merchantIds, objects };
  }

  if (typeof json.type === 'string' && 'data' in json) {
    const data = isObject(json.data) ? json.data : undefined;
    const merchantId = [json.merchantId, data?.merchantId, data?.merchant_id, isObject(data?.merchant) ? data.merchant.id : undefined].find(isMerchantId);
    const merchantIds = merchantId ? [merchantId] : [];
    const objects: WebhookObject[] = [];
    const paymentId = [data?.id, data?.paymentId, json.id].find((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64);
    if (merchantId && paymentId && isPaymentEventType(json.type)) {
      objects.push({ merchantId, objectId: `P:${paymentId}`, kind: 'payment', id: paymentId, type: json.type });
    }
    return { shape: 'event', ...(appId ? { appId } : {}), type: json.type, merchantIds, objects };
  }

  const merchantIds = isMerchantId(json.merchantId) ? [json.merchantId] : [];
  return { shape: 'unknown', ...(appId ? { appId } : {}), merchantIds, objects: [] };
}

/** `charge.succeeded`, `payment.created`, Hosted Checkout's `PAYMENT`… */
export function isPaymentEventType(type: string): boolean {
  return /^(charge|payment)(\.|$)/i.test(type);
}

/**
 * `P:<id>` or `P:<mId>/<id>` (the seed shows the latter). Returns undefined when it is not a
 * prefixed object id or names another merchant than the one it is filed under.
 */
export function parseObjectId(objectId: string, merchantId: string): Omit<WebhookObject, 'type' | 'ts'> | undefined {
  const colon = objectId.indexOf(':');
  if (colon <= 0 || objectId.length > 200) return undefined;
  const prefix = objectId.slice(0, colon);
  let rest = objectId.slice(colon + 1);
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    if (rest.slice(0, slash) !== merchantId) return undefined;
    rest = rest.slice(slash + 1);
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(rest)) return undefined;
  return { merchantId, objectId, kind: PREFIXES[prefix] ?? 'other', id: rest };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
