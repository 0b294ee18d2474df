/**
 * The webhook-style adapters test/bench/webhook-intake.ts measures, each described once: what a
 * caller sends (built here for the load generator, one distinct request each time) and the
 * authentication the adapter performs (which the bare comparison server repeats, and nothing else).
 *
 * - `prestashop`: `POST /prestashop/webhook`, the module's batch, `X-Webhook-Secret` compared in
 *   constant time (before the body is parsed);
 * - `wex`: `POST /proxy`, Odoo Studio's request with the token in the JSON body
 *   (`x_studio_proxy_auth_token`), so the body is parsed before the constant-time compare;
 * - `billing-usage`: `POST /api/billing/v1/usage`, one usage record per request (an app reporting
 *   as things happen), `Authorization: Bearer <key>` whose SHA-256 is compared with the stored hash.
 */
import { constantTimeEqual, sha256Hex } from '@switchboard/kit';
import { batchRequest, EventTemplates } from './prestashop-events.js';

export const ADAPTERS = ['prestashop', 'wex', 'billing-usage'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export const PRESTASHOP_SECRET = 'bench-prestashop-webhook-secret-0123';
export const WEX_TOKEN = 'bench-wex-proxy-auth-token-0123456789';
/** The billing app's external subscription ids are `bench-sub-<n>`. */
export const BILLING_SUBSCRIPTION_PREFIX = 'bench-sub-';

export const ADAPTER_PATHS: Record<AdapterName, string> = {
  prestashop: '/prestashop/webhook',
  wex: '/proxy',
  'billing-usage': '/api/billing/v1/usage',
};

export const ADAPTER_TITLES: Record<AdapterName, string> = {
  prestashop: 'PrestaShop sales-event webhook',
  wex: 'WEX /proxy (virtual card)',
  'billing-usage': 'billing usage events (REST)',
};

/** What the load generator needs to build an adapter's requests. */
export interface RequestOptions {
  /** Makes ids unique across runs against the same database (event ids, payment ids, keys). */
  runId: number;
  /** PrestaShop: events per batch (the module sends up to 50; a webhook per sale is 1). */
  eventsPerBatch?: number;
  /** PrestaShop: the file EventTemplates wrote. */
  templateFile?: string;
  /** billing-usage: the app's API key and how many subscriptions it has. */
  apiKey?: string;
  subscriptions?: number;
}

export interface BuiltRequest {
  body: string;
  headers: Record<string, string>;
  /** Records (events, usage rows) the request carries. */
  records: number;
}

/** A factory of distinct requests for one adapter (one per call). */
export function requestFactory(adapter: AdapterName, options: RequestOptions): () => BuiltRequest {
  switch (adapter) {
    case 'prestashop':
      return prestashopRequests(options);
    case 'wex':
      return wexRequests(options);
    case 'billing-usage':
      return billingUsageRequests(options);
  }
}

/**
 * Module batches of simulated shop events (see EventTemplates: the content comes from a pool of
 * distinct events, encoded once; every request gets fresh event ids).
 */
function prestashopRequests(options: RequestOptions): () => BuiltRequest {
  if (!options.templateFile) throw new Error('prestashop requests need the event templates file');
  const templates = EventTemplates.read(options.templateFile);
  const perBatch = options.eventsPerBatch ?? 1;
  let next = options.runId * 10_000_000;
  return () => {
    const ids = Array.from({ length: perBatch }, () => ++next);
    const { body, headers } = batchRequest(ids.map((id) => templates.event(id, id)), ids, PRESTASHOP_SECRET);
    return { body, headers, records: ids.length };
  };
}

function wexRequests(options: RequestOptions): () => BuiltRequest {
  let sequence = 0;
  return () => {
    const n = ++sequence;
    const body = JSON.stringify({
      _id: options.runId * 10_000_000 + n,
      x_name: `BENCH-${options.runId}-${n}`,
      x_studio_vendor_name: 'Acme Hauling LLC',
      x_studio_vendor_payment_amount_requested: 150 + (n % 100),
      x_studio_hauler_invoice_or_remittance_advice_memo: `INV-${options.runId}-${n}`,
      x_studio_employee_name: 'Bench Runner',
      x_studio_proxy_auth_token: WEX_TOKEN,
    });
    return { body, headers: { 'content-type': 'application/json' }, records: 1 };
  };
}

function billingUsageRequests(options: RequestOptions): () => BuiltRequest {
  if (!options.apiKey) throw new Error('billing-usage requests need the app API key');
  const subscriptions = options.subscriptions ?? 100;
  const authorization = `Bearer ${options.apiKey}`;
  let sequence = 0;
  return () => {
    const n = ++sequence;
    const body = JSON.stringify({
      usage: [
        {
          subscription_id: `${BILLING_SUBSCRIPTION_PREFIX}${n % subscriptions}`,
          metric: 'cpu_seconds',
          quantity: '8.5',
          timestamp: new Date().toISOString(),
          idempotency_key: `bench-${options.runId}-${n}`,
        },
      ],
    });
    return { body, headers: { 'content-type': 'application/json', authorization }, records: 1 };
  };
}

/**
 * The adapter's authentication and nothing else, for the bare server: true when the request
 * would pass it. `apiKeyHash` is what billing stores of the app's key.
 */
export function bareAuthenticator(adapter: AdapterName, options: { apiKeyHash?: string } = {}): (headers: Record<string, string | string[] | undefined>, body: Buffer) => boolean {
  const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  switch (adapter) {
    case 'prestashop':
      return (headers) => {
        const given = header(headers, 'x-webhook-secret');
        return given !== undefined && constantTimeEqual(given, PRESTASHOP_SECRET);
      };
    case 'wex':
      return (headers, body) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          return false;
        }
        const fromBody = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).x_studio_proxy_auth_token : undefined;
        const token = typeof fromBody === 'string' && fromBody !== '' ? fromBody : header(headers, 'x-proxy-auth-token');
        return token !== undefined && constantTimeEqual(token, WEX_TOKEN);
      };
    case 'billing-usage': {
      const stored = options.apiKeyHash;
      if (!stored) throw new Error('the bare billing server needs the stored key hash');
      return (headers) => {
        const key = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '')?.[1];
        return key !== undefined && constantTimeEqual(sha256Hex(key), stored);
      };
    }
  }
}
