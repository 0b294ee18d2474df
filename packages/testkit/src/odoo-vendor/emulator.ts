import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { busiestWindow, callsPerSecond, preciseNow, type BusiestWindow, type OdooVendorCall, type OdooVendorOperation } from './call-log.js';
import { VendorCatalogue, type OdooVendorProduct, type VendorAnswer } from './products.js';

export interface OdooVendorEmulatorOptions {
  /** Accepted bearer tokens and the partner ids each may act for (default `{ 'odoo-test-token': [7] }`). */
  tokens?: Record<string, number[]>;
  /** Delay before every answer (ms). */
  latencyMs?: number;
  /** Answer 429 to calls beyond this many in any sliding second, as the proxy in front of Odoo does. */
  rateLimitPerSecond?: number;
  port?: number;
}

/** A scripted misbehaviour for the next matching calls. */
export interface OdooVendorFailure {
  /** Answer with this status instead of the real handler (401, 429, 500, 502, 503…). */
  status?: number;
  /** Body to answer with; default: what the real system sends for that status (JSON or HTML). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (slow Odoo); alone, the real answer comes after the delay. */
  delayMs?: number;
  /** Only calls of this operation / for this default_code. */
  operation?: OdooVendorOperation;
  defaultCode?: string;
  /** How many matching calls it applies to (default 1; `Infinity` until cleared). */
  times?: number;
}

export interface OdooVendorEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (use as ODOO_API_BASE_URL). */
  readonly url: string;
  /** Every call received so far, in arrival order. */
  calls(filter?: { operation?: OdooVendorOperation; defaultCode?: string }): OdooVendorCall[];
  /** The busiest `windowMs` sliding window over all calls (or the calls since `since`). */
  busiestWindow(windowMs?: number, since?: number): BusiestWindow;
  /** Calls per calendar second since `since`. */
  callsPerSecond(since?: number): { second: number; count: number }[];
  products(partnerId?: number): OdooVendorProduct[];
  product(partnerId: number, defaultCode: string): OdooVendorProduct | undefined;
  /** Script a failure or a delay for the next matching calls. */
  failNext(failure: OdooVendorFailure): void;
  clearFailures(): void;
  setLatency(ms: number): void;
  grantToken(token: string, partnerIds: number[]): void;
  /** The token stops working at once (expired or rotated on the Odoo side). */
  revokeToken(token: string): void;
  /** Forget calls and failures; with `products`, empty the catalogue too. */
  reset(options?: { products?: boolean }): void;
  stop(): Promise<void>;
}

const INVALID_JSON = Symbol('invalid json');

const WERKZEUG_500 =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n' +
  '<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';
const WERKZEUG_404 =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';
const nginxPage = (status: number, text: string) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/** What the real system answers for a status when a test does not say otherwise. */
function standardAnswer(status: number): VendorAnswer {
  switch (status) {
    case 400:
      return { status, body: { success: false, error: 'Bad request' } };
    case 401:
      return { status, body: { success: false, error: 'Invalid or expired access token' } };
    case 403:
      return { status, body: { success: false, error: 'Access denied' } };
    case 404:
      return { status, body: WERKZEUG_404 };
    case 429:
      return { status, body: { success: false, error: 'Too many requests' }, headers: { 'retry-after': '1' } };
    case 500:
      return { status, body: WERKZEUG_500 };
    case 502:
      return { status, body: nginxPage(502, 'Bad Gateway') };
    case 503:
      return { status, body: nginxPage(503, 'Service Temporarily Unavailable') };
    case 504:
      return { status, body: nginxPage(504, 'Gateway Time-out') };
    default:
      return { status, body: { success: false, error: `HTTP ${status}` } };
  }
}

const OPERATIONS: Record<string, OdooVendorOperation> = {
  '/vendor_api/product/read': 'read',
  '/vendor_api/product/create': 'create',
  '/vendor_api/product/update': 'update',
};

/**
 * An emulated Odoo "vendor API" (`POST /vendor_api/product/read|create|update?partner_id=…` with a
 * bearer token), as the inventory sync seed describes it: a stateful per-partner catalogue keyed by
 * `default_code`, business errors as HTTP 200 with `success: false`, HTML error pages from the
 * proxy for 5xx. Tests can make it answer 401/429/5xx or slowly on command, and every call is
 * recorded with its arrival time so a test can measure the call rate Odoo saw.
 */
export async function startOdooVendorEmulator(options: OdooVendorEmulatorOptions = {}): Promise<OdooVendorEmulator> {
  const tokens = new Map(Object.entries(options.tokens ?? { 'odoo-test-token': [7] }));
  const catalogue = new VendorCatalogue();
  let failures: (OdooVendorFailure & { left: number })[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let calls: OdooVendorCall[] = [];

  function takeFailure(call: OdooVendorCall): OdooVendorFailure | undefined {
    const found = failures.find(
      (f) =>
        f.left > 0 &&
        (f.operation === undefined || f.operation === call.operation) &&
        (f.defaultCode === undefined || f.defaultCode === call.defaultCode),
    );
    if (found) {
      found.left -= 1;
      failures = failures.filter((f) => f.left > 0);
    }
    return found;
  }

  function overRateLimit(call: OdooVendorCall): boolean {
    const limit = options.rateLimitPerSecond;
    if (!limit) return false;
    let recent = 0;
    for (let i = calls.length - 1; i >= 0 && call.at - calls[i]!.at < 1000; i--) recent++;
    return recent > limit;
  }

  function answer(call: OdooVendorCall, query: URLSearchParams, body: unknown): VendorAnswer {
    if (call.method !== 'POST') {
      return call.operation === 'unknown' ? standardAnswer(404) : { status: 405, body: { success: false, error: 'Method Not Allowed' } };
    }
    if (call.operation === 'unknown') return standardAnswer(404);
    const bearer = /^Bearer\s+(.+)$/i.exec(call.authorization)?.[1]?.trim();
    const partners = bearer === undefined ? undefined : tokens.get(bearer);
    if (!partners) return standardAnswer(401);
    const partnerRaw = query.get('partner_id');
    if (!partnerRaw) return { status: 400, body: { success: false, error: 'partner_id query parameter is required' } };
    const partnerId = Number(partnerRaw);
    if (!Number.isInteger(partnerId) || partnerId <= 0) {
      return { status: 400, body: { success: false, error: `invalid partner_id '${partnerRaw}'` } };
    }
    if (!partners.includes(partnerId)) return { status: 403, body: { success: false, error: `Access denied for partner ${partnerId}` } };
    if (body === INVALID_JSON || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { status: 400, body: { success: false, error: 'Request body must be a JSON object' } };
    }
    const fields = body as Record<string, unknown>;
    if (call.operation === 'read') return catalogue.read(partnerId, fields);
    if (call.operation === 'create') return catalogue.create(partnerId, fields);
    return catalogue.update(partnerId, fields);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = preciseNow();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://odoo');
    let body: unknown = undefined;
    if (rawBody.trim()) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = INVALID_JSON;
      }
    }
    const defaultCode = body && typeof body === 'object' && typeof (body as Record<string, unknown>)['default_code'] === 'string'
      ? ((body as Record<string, unknown>)['default_code'] as string)
      : null;
    const call: OdooVendorCall = {
      at,
      method: req.method ?? 'GET',
      path: url.pathname,
      operation: OPERATIONS[url.pathname] ?? 'unknown',
      partnerId: url.searchParams.get('partner_id'),
      defaultCode,
      authorization: req.headers.authorization ?? '',
      body: body === INVALID_JSON ? rawBody : body,
      status: 0,
    };
    calls.push(call);

    let result: VendorAnswer;
    const failure = takeFailure(call);
    if (overRateLimit(call)) {
      result = { ...standardAnswer(429), body: { success: false, error: `Rate limit exceeded: ${options.rateLimitPerSecond} requests per second` } };
    } else if (failure?.status !== undefined) {
      const standard = standardAnswer(failure.status);
      result = { status: failure.status, body: failure.body ?? standard.body, headers: { ...standard.headers, ...failure.headers } };
    } else {
      result = answer(call, url.searchParams, body);
    }
    const delay = latencyMs + (failure?.delayMs ?? 0);
    if (delay > 0) await sleep(delay);
    call.status = result.status;
    if (res.destroyed) return; // the client gave up (timeout) while we were slow
    const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    res.writeHead(result.status, {
      'content-type': typeof result.body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
      ...result.headers,
    });
    res.end(text);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator error: ${error.message}`);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const arrivalsSince = (since = 0) => calls.filter((c) => c.at >= since).map((c) => c.at);
  return {
    url: `http://127.0.0.1:${port}`,
    calls: (filter = {}) =>
      calls.filter(
        (c) =>
          (filter.operation === undefined || c.operation === filter.operation) &&
          (filter.defaultCode === undefined || c.defaultCode === filter.defaultCode),
      ),
    busiestWindow: (windowMs = 1000, since) => busiestWindow(arrivalsSince(since), windowMs),
    callsPerSecond: (since) => callsPerSecond(arrivalsSince(since)),
    products: (partnerId) => catalogue.products(partnerId),
    product: (partnerId, defaultCode) => catalogue.product(partnerId, defaultCode),
    failNext: (failure) => {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    clearFailures: () => {
      failures = [];
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    grantToken: (token, partnerIds) => {
      tokens.set(token, partnerIds);
    },
    revokeToken: (token) => {
      tokens.delete(token);
    },
    reset: (resetOptions = {}) => {
      calls = [];
      failures = [];
      if (resetOptions.products) catalogue.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

