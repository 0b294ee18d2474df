import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { recordHttpRequest, type RecordedHttpRequest } from '../recorded-http-request.js';

/**
 * The Odoo webhook that receives the WEX proxy's results, as the legacy README describes it:
 * success payloads carry `_delivery_id` (stable for one success) and `_delivery_attempt` (1..N) and
 * are re-sent until Odoo calls the proxy's `POST /ack` with the `payment_id`; error payloads come
 * once. Like a careful Odoo intake it de-duplicates on `_delivery_id`.
 */

export type OdooReceivedDelivery = RecordedHttpRequest;

export interface OdooAck {
  at: number;
  paymentId: string;
  status: number;
  body: unknown;
}

export interface OdooWebhookOptions {
  /** The proxy's `/ack` URL; needed for automatic or manual ACKs. */
  ackUrl?: string;
  /** Sent with every ACK (`X-Proxy-Auth-Token` header, or body field with `tokenIn: 'body'`). */
  authToken?: string;
  tokenIn?: 'header' | 'body';
  path?: string;
}

/** What the receiver does with the next delivery (queue), or by default. */
export type OdooAnswer =
  | { kind: 'ok'; status?: number }
  | { kind: 'fail'; status?: number }
  /** Hold the answer this long (the proxy's POST timeout should fire first). */
  | { kind: 'hang'; ms: number }
  | { kind: 'drop' };

export interface OdooWebhookReceiver {
  url: string;
  /** Every request received, in order, duplicates included. */
  deliveries: OdooReceivedDelivery[];
  /** Successes (with `card_number`) received, one per `_delivery_id`: what Odoo's intake keeps. */
  processed(): OdooReceivedDelivery[];
  /** Error payloads received (no `card_number`). */
  errors(): OdooReceivedDelivery[];
  acks: OdooAck[];
  /** Queue answers for the next deliveries, in order. */
  next(...answers: OdooAnswer[]): void;
  setDefault(answer: OdooAnswer): void;
  /**
   * ACK successes automatically, like an Odoo server action after saving the card: when a success
   * delivery's `_delivery_attempt` reaches `fromAttempt` (default 1), after `delayMs` (default 0).
   * `only` limits it to some payloads. `false` turns it off.
   */
  autoAck(options: { fromAttempt?: number; delayMs?: number; only?: (body: any) => boolean } | false): void;
  /** Where ACKs go (the proxy's `/ack`), when it is only known after the receiver started. */
  setAckUrl(url: string): void;
  /** Call the proxy's `/ack` now, as Odoo would. */
  ack(paymentId: string, options?: { field?: 'payment_id' | 'x_name'; token?: string | null }): Promise<OdooAck>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startOdooWebhookReceiver(options: OdooWebhookOptions = {}): Promise<OdooWebhookReceiver> {
  const path = options.path ?? '/odoo/webhook/x_requests';
  const deliveries: OdooReceivedDelivery[] = [];
  const acks: OdooAck[] = [];
  const queue: OdooAnswer[] = [];
  let fallback: OdooAnswer = { kind: 'ok' };
  let auto: { fromAttempt: number; delayMs: number; only: (body: any) => boolean } | false = false;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const pendingAcks = new Set<Promise<unknown>>();
  let ackUrl = options.ackUrl;

  async function ack(paymentId: string, ackOptions: { field?: 'payment_id' | 'x_name'; token?: string | null } = {}): Promise<OdooAck> {
    if (!ackUrl) throw new Error('the Odoo webhook receiver has no ackUrl (pass it to start or call setAckUrl)');
    const token = ackOptions.token === undefined ? options.authToken : ackOptions.token;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const body: Record<string, string> = { [ackOptions.field ?? 'payment_id']: paymentId };
    if (token) {
      if (options.tokenIn === 'body') body.x_studio_proxy_auth_token = token;
      else headers['x-proxy-auth-token'] = token;
    }
    const response = await fetch(ackUrl, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
    const record = { at: Date.now(), paymentId, status: response.status, body: parsed };
    acks.push(record);
    return record;
  }

  function scheduleAutoAck(body: any): void {
    if (!auto || typeof body?.card_number !== 'string' || typeof body.payment_id !== 'string') return;
    if ((body._delivery_attempt ?? 1) < auto.fromAttempt || !auto.only(body)) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const pending = ack(body.payment_id).catch(() => undefined);
      pendingAcks.add(pending);
      void pending.finally(() => pendingAcks.delete(pending));
    }, auto.delayMs);
    timers.add(timer);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: OdooReceivedDelivery = await recordHttpRequest(req);
    const { body } = record;
    deliveries.push(record);
    const url = new URL(req.url ?? '/', 'http://odoo');
    const respond = (status: number) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status < 300 ? { result: 'ok' } : { error: 'odoo intake failed' }));
    };
    if (req.method !== 'POST' || url.pathname !== path) return respond(404);
    const answer = queue.shift() ?? fallback;
    switch (answer.kind) {
      case 'ok':
        respond(answer.status ?? 200);
        scheduleAutoAck(body);
        return;
      case 'fail':
        return respond(answer.status ?? 500);
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) respond(200);
        }, answer.ms);
        timers.add(timer);
        return;
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const successes = () => deliveries.filter((d) => typeof d.body?.card_number === 'string' && d.status >= 200 && d.status < 300);
  return {
    url: `http://127.0.0.1:${port}${path}`,
    deliveries,
    acks,
    processed() {
      const seen = new Set<string>();
      return successes().filter((d) => {
        const key = String(d.body._delivery_id);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
    errors: () => deliveries.filter((d) => d.body && typeof d.body.error === 'string' && d.body.card_number === undefined),
    next: (...answers) => void queue.push(...answers),
    setDefault: (answer) => {
      fallback = answer;
    },
    autoAck(settings) {
      auto = settings === false ? false : { fromAttempt: settings.fromAttempt ?? 1, delayMs: settings.delayMs ?? 0, only: settings.only ?? (() => true) };
    },
    setAckUrl(url) {
      ackUrl = url;
    },
    ack,
    reset() {
      deliveries.length = 0;
      acks.length = 0;
      queue.length = 0;
      fallback = { kind: 'ok' };
      auto = false;
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...pendingAcks]);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
