import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { recordHttpRequest, type RecordedHttpRequest } from '../recorded-http-request.js';

/**
 * An emulator of the WEX virtual-card endpoint the legacy Odoo proxy called
 * (`POST $WEX_API_URL`, JSON, HTTP Basic auth). What it answers, per the legacy proxy:
 *
 *   200 { "virtual_card": { "number", "security_code", "expiration": "YYYY-MM-DDT00:00:00Z" },
 *         "detailed_response_message": "Success: …" }
 *
 * A 2xx whose `detailed_response_message` does not start with `Success:` is a decline; errors carry
 * their text in `detailed_response_message` too. Every successful call issues a new card: WEX has no
 * idempotency key, so a client that asks twice pays twice — which is what tests must catch.
 */

export interface WexIssuedCard {
  number: string;
  securityCode: string;
  expiration: string;
  amount: number;
  merchantCode: string;
  userDefinedFields: unknown[];
  invoiceNumber: string;
  issuedAt: number;
}

export type WexRecordedRequest = RecordedHttpRequest;

/** What the emulator does with the next request(s). */
export type WexBehaviour =
  | { kind: 'success' }
  /** 200 with a non-`Success:` message (how WEX declines). */
  | { kind: 'decline'; message?: string }
  /** A 4xx with an error message (validation, limits). */
  | { kind: 'reject'; status?: number; message?: string }
  /** 401 whatever the credentials. */
  | { kind: 'unauthorized' }
  /** A 5xx; default 503 with an HTML page, as a load balancer sends. */
  | { kind: 'server-error'; status?: number; body?: string }
  /** Answer only after `ms` (default: never, until the client gives up); `issues` = a card is issued first. */
  | { kind: 'hang'; ms?: number; issues?: boolean }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed'; body?: string }
  /** 200 "Success:" but the card object is missing a field. */
  | { kind: 'incomplete-card' }
  /** Issue the card, then drop the connection without answering. */
  | { kind: 'drop-after-issue' };

export interface WexEmulatorOptions {
  username?: string;
  password?: string;
  /** Path of the endpoint (default `/merchant/log`, as in the legacy `.env`). */
  path?: string;
}

export interface WexEmulator {
  /** The full endpoint URL to configure as `WEX_API_URL`. */
  url: string;
  username: string;
  password: string;
  requests: WexRecordedRequest[];
  cards: WexIssuedCard[];
  /** Queue behaviours for the next requests, in order; afterwards the default applies again. */
  next(...behaviours: WexBehaviour[]): void;
  /** The behaviour when nothing is queued (default `success`). */
  setDefault(behaviour: WexBehaviour): void;
  reset(): void;
  stop(): Promise<void>;
}

function luhnCheckDigit(partial: string): number {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let digit = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** A Luhn-valid Mastercard-range number (WEX virtual cards are Mastercard). */
function cardNumber(): string {
  let partial = '55';
  while (partial.length < 15) partial += String(randomInt(10));
  return partial + String(luhnCheckDigit(partial));
}

function expiration(now: Date): string {
  const year = now.getUTCFullYear() + 3;
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${year}-${month}-01T00:00:00Z`;
}

/** Checks the body the way WEX would; returns the problem or undefined. */
function validate(body: any): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Error: request body must be a JSON object';
  if (typeof body.merchant_code !== 'string' || !body.merchant_code) return 'Error: merchant_code is required';
  if (typeof body.total_amount !== 'number' || !(body.total_amount > 0)) return 'Error: total_amount must be a positive number';
  if (!Array.isArray(body.user_defined_fields)) return 'Error: user_defined_fields must be a list';
  if (!Array.isArray(body.invoices) || body.invoices.length === 0) return 'Error: invoices must be a non-empty list';
  for (const invoice of body.invoices) {
    if (typeof invoice?.invoice_number !== 'string' || !invoice.invoice_number) return 'Error: invoices[].invoice_number is required';
    if (typeof invoice.invoice_date !== 'string' || Number.isNaN(Date.parse(invoice.invoice_date))) return 'Error: invoices[].invoice_date must be an ISO date';
    if (typeof invoice.total_amount !== 'number' || !(invoice.total_amount > 0)) return 'Error: invoices[].total_amount must be a positive number';
  }
  return undefined;
}

export async function startWexEmulator(options: WexEmulatorOptions = {}): Promise<WexEmulator> {
  const username = options.username ?? 'wex-user';
  const password = options.password ?? 'wex-password';
  const path = options.path ?? '/merchant/log';
  const requests: WexRecordedRequest[] = [];
  const cards: WexIssuedCard[] = [];
  const queue: WexBehaviour[] = [];
  let fallback: WexBehaviour = { kind: 'success' };
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  function issue(body: any): WexIssuedCard {
    const card: WexIssuedCard = {
      number: cardNumber(),
      securityCode: String(randomInt(1000)).padStart(3, '0'),
      expiration: expiration(new Date()),
      amount: body.total_amount,
      merchantCode: body.merchant_code,
      userDefinedFields: body.user_defined_fields,
      invoiceNumber: body.invoices[0].invoice_number,
      issuedAt: Date.now(),
    };
    cards.push(card);
    return card;
  }

  const success = (card: WexIssuedCard) => ({
    status: 200,
    body: {
      virtual_card: { number: card.number, security_code: card.securityCode, expiration: card.expiration },
      detailed_response_message: `Success: virtual card issued for ${card.amount.toFixed(2)}`,
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: WexRecordedRequest = await recordHttpRequest(req);
    const { headers, body } = record;
    requests.push(record);
    const answer = (status: number, payload: unknown, contentType = 'application/json') => {
      record.status = status;
      res.writeHead(status, { 'content-type': contentType });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };

    const url = new URL(req.url ?? '/', 'http://wex');
    if (req.method !== 'POST' || url.pathname !== path) return answer(404, { detailed_response_message: `Error: no such endpoint ${req.method} ${url.pathname}` });
    const behaviour = queue.shift() ?? fallback;
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    if (behaviour.kind === 'unauthorized' || headers.authorization !== expected) {
      return answer(401, { detailed_response_message: 'Error: Unauthorized - invalid credentials' });
    }
    if (body === undefined) return answer(400, { detailed_response_message: 'Error: request body is not valid JSON' });
    const problem = validate(body);
    if (problem) return answer(400, { detailed_response_message: problem });

    switch (behaviour.kind) {
      case 'success': {
        const { status, body: payload } = success(issue(body));
        return answer(status, payload);
      }
      case 'decline':
        return answer(200, { detailed_response_message: behaviour.message ?? 'Declined: credit limit exceeded for this merchant' });
      case 'reject':
        return answer(behaviour.status ?? 422, { detailed_response_message: behaviour.message ?? 'Error: vendor is not enrolled for virtual card payments' });
      case 'server-error':
        return answer(behaviour.status ?? 503, behaviour.body ?? '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>', 'text/html');
      case 'malformed':
        return answer(200, behaviour.body ?? '<html><body>Request accepted</body></html>', 'text/html');
      case 'incomplete-card':
        issue(body);
        return answer(200, { virtual_card: { security_code: '123' }, detailed_response_message: 'Success: virtual card issued' });
      case 'drop-after-issue':
        issue(body);
        req.socket.destroy();
        return;
      case 'hang': {
        const card = behaviour.issues ? issue(body) : undefined;
        hanging.add(res);
        if (behaviour.ms !== undefined) {
          setTimeout(() => {
            hanging.delete(res);
            if (res.destroyed) return;
            const payload = card ? success(card) : { status: 200, body: { detailed_response_message: 'Declined: request expired' } };
            answer(payload.status, payload.body);
          }, behaviour.ms).unref();
        }
        return;
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detailed_response_message: `emulator error: ${error.message}` }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${path}`,
    username,
    password,
    requests,
    cards,
    next: (...behaviours) => void queue.push(...behaviours),
    setDefault: (behaviour) => {
      fallback = behaviour;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
      cards.length = 0;
      fallback = { kind: 'success' };
    },
    async stop() {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
