import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import type { EventBus, Subscription } from '../events/bus.js';
import type { Domain } from '../events/envelope.js';
import type { EventEmitter, OutboxRelay } from '../events/outbox.js';
import { outboxEmitter } from '../events/outbox.js';
import { OutboundError, type OutboundHttp } from '../http/outbound-client.js';
import type { Runnable } from '../service/lifecycle.js';
import { contextFrom, inSpan, SpanKind } from '../observability/tracing.js';
import { Delivery, DeliveryAttempt, FINAL_DELIVERY_STATUSES } from './entities.js';
import { decideAfterAttempt, decideOnWake, type AttemptOutcome, type RetryPolicy } from './policy.js';

/** A sort of outbound delivery: where its retry policy and per-attempt preparation live. */
export interface DeliveryKind extends RetryPolicy {
  name: string;
  /** Whole-exchange timeout of one attempt. */
  timeoutMs: number;
  /**
   * Body and headers for one attempt (add an attempt counter, sign with a fresh timestamp, fill in
   * secrets kept encrypted elsewhere so the stored body never holds them…).
   */
  prepare?(delivery: Delivery, attempt: number): Promise<PreparedRequest> | PreparedRequest;
  /** Ops-ticket source key when exhausted (default `<service>:<kind>:<target origin>`). */
  sourceKey?(delivery: Delivery): string;
}

export interface DeliverySpec {
  kind: string;
  url: string;
  body: string;
  headers?: Record<string, string>;
  reference?: string;
  method?: string;
  id?: string;
}

export interface PreparedRequest {
  body: string;
  headers: Record<string, string>;
}

/** Payload of `<domain>.delivery.exhausted`. */
export interface DeliveryExhausted {
  deliveryId: string;
  kind: string;
  reference: string | null;
  targetUrl: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  summary: string;
}

/** A due attempt this late was not picked up by any worker. */
export const OVERDUE_DELIVERY_MS = 15_000;
/** How often each worker looks for overdue deliveries. */
const OVERDUE_SWEEP_INTERVAL_MS = 15_000;
/**
 * Wake-ups handed out and not yet acknowledged, per service. Each delivery awaiting an ACK holds
 * one until the ACK is due, so this caps deliveries in flight: 20,000 at a 10 s ACK timeout is
 * 2,000 new deliveries a second (the bus default of 1,000 allowed 100).
 */
const DELIVERIES_MAX_ACK_PENDING = 20_000;
/** Ask again for the same delivery at most this often. */
const REQUEUE_COOLDOWN_MS = 120_000;

interface Deps {
  service: string;
  domain: Domain;
  db: Database;
  bus: EventBus;
  relay: OutboxRelay;
  http: OutboundHttp;
  logger: Logger;
  metrics: Registry;
}

/**
 * Outbound HTTP deliveries as work items on the bus: enqueued in the caller's transaction,
 * attempted by any replica's worker, retried with the kind's backoff (and ACK wait), every attempt
 * recorded, `<domain>.delivery.exhausted` when attempts run out. State lives in the database, so
 * it survives restarts and is shared by replicas.
 */
export class Deliveries {
  private readonly kinds = new Map<string, DeliveryKind>();
  private readonly requeuedAt = new Map<string, number>();
  private readonly attemptsTotal: Counter<'kind' | 'outcome'>;

  constructor(private readonly deps: Deps) {
    this.attemptsTotal = new Counter({
      name: 'delivery_attempts_total',
      help: 'Outbound delivery attempts by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [deps.metrics],
    });
  }

  get requestedType(): string {
    return `${this.deps.domain}.delivery.requested`;
  }

  register(kind: DeliveryKind): void {
    this.kinds.set(kind.name, kind);
  }

  private kindOf(name: string): DeliveryKind {
    const kind = this.kinds.get(name);
    if (!kind) throw new Error(`unknown delivery kind ${name}`);
    return kind;
  }

  /** Queue a delivery in the caller's transaction; it is attempted once that commits. */
  enqueue(tx: { em: EntityManager; events: EventEmitter }, spec: DeliverySpec): Delivery {
    const kind = this.kindOf(spec.kind);
    const delivery = tx.em.create(Delivery, {
      id: spec.id ?? randomUUID(),
      kind: kind.name,
      reference: spec.reference ?? null,
      targetUrl: spec.url,
      method: spec.method ?? 'POST',
      headers: JSON.stringify(spec.headers ?? { 'content-type': 'application/json' }),
      body: spec.body,
      maxAttempts: kind.maxAttempts,
      nextAttemptAt: null,
    });
    tx.events.emit(this.requestedType, { deliveryId: delivery.id }, { subject: delivery.id });
    return delivery;
  }

  /** The receiver's ACK: stops retries at once. Idempotent; null when there is no such delivery. */
  async acknowledge(em: EntityManager, id: string): Promise<Delivery | null> {
    const delivery = await em.findOne(Delivery, { id });
    if (!delivery) return null;
    if (delivery.status !== 'acknowledged') {
      delivery.status = 'acknowledged';
      delivery.completedAt ??= new Date();
      delivery.updatedAt = new Date();
    }
    return delivery;
  }

  /** Operator re-send: another full round of attempts, starting now. */
  async resend(id: string): Promise<Delivery> {
    const delivery = await this.deps.db.em().transactional(async (em) => {
      const row = await em.findOneOrFail(Delivery, { id }, { failHandler: () => new Error(`delivery ${id} not found`) });
      if (row.status === 'in_flight') throw new Error(`delivery ${id} has an attempt in flight; try again in a moment`);
      row.status = 'pending';
      row.maxAttempts = row.attempts + this.kindOf(row.kind).maxAttempts;
      row.nextAttemptAt = null;
      row.completedAt = null;
      row.updatedAt = new Date();
      outboxEmitter(em, this.deps.service).emit(this.requestedType, { deliveryId: row.id }, { subject: row.id });
      return row;
    });
    this.deps.relay.notify();
    return delivery;
  }

  /** The worker that attempts deliveries; one per service process. */
  worker(): Runnable {
    let subscription: Subscription | undefined;
    let sweeper: NodeJS.Timeout | undefined;
    let sweeping: Promise<void> = Promise.resolve();
    return {
      name: `${this.deps.service}-deliveries`,
      start: async () => {
        if (this.deps.bus.kind === 'in-process') await this.requeueStranded();
        sweeper = setInterval(() => {
          sweeping = this.requeueOverdue().then(
            () => undefined,
            (error: unknown) => this.deps.logger.error({ err: error }, 'overdue delivery sweep failed; will try again'),
          );
        }, OVERDUE_SWEEP_INTERVAL_MS);
        sweeper.unref();
        subscription = await this.deps.bus.subscribe(
          // A delivery waiting for its receiver's ACK keeps its wake-up (put back until the ACK is due):
          // the pending allowance bounds how many can wait at once, so it is generous.
          { durable: `${this.deps.service}-deliveries`, subjects: [this.requestedType], concurrency: 16, ackWaitMs: 90_000, maxAckPending: DELIVERIES_MAX_ACK_PENDING },
          async (message) => {
            const id = (message.event.data as { deliveryId?: string }).deliveryId;
            if (!id) return message.term();
            try {
              const parent = contextFrom({ traceparent: message.event.traceparent });
              const next = await inSpan('delivery wake', { kind: SpanKind.CLIENT, parent, attributes: { 'delivery.id': id } }, () => this.wake(id));
              if (next === 'done') message.ack();
              else message.nak(next);
            } catch (error) {
              // Database trouble: keep the message, try again shortly. Never drop a delivery.
              this.deps.logger.error({ err: error, deliveryId: id }, 'delivery worker failed; will retry');
              message.nak(5_000);
            }
          },
        );
      },
      stop: async () => {
        clearInterval(sweeper);
        await sweeping;
        await subscription?.stop();
      },
    };
  }

  /** Row lock for read-modify-write on PostgreSQL; SQLite transactions are serialized anyway. */
  private lockForUpdate() {
    return this.deps.db.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {};
  }

  /** Handle one wake-up of a delivery; returns `done` or the delay before the next wake-up. */
  async wake(id: string): Promise<'done' | number> {
    const claimed = await this.deps.db.em().transactional(async (em) => {
      const row = await em.findOne(Delivery, { id }, this.lockForUpdate());
      if (!row) return { next: 'done' as const };
      const decision = decideOnWake(row, Date.now());
      if (decision.action === 'done') return { next: 'done' as const };
      if (decision.action === 'wait') return { next: decision.ms };
      if (decision.action === 'exhaust') {
        this.exhaust(em, row);
        return { next: 'done' as const };
      }
      row.attempts += 1;
      row.status = 'in_flight';
      row.updatedAt = new Date();
      return { next: 'attempt' as const, row };
    });
    if (claimed.next !== 'attempt') {
      this.deps.relay.notify();
      return claimed.next;
    }
    return this.attempt(claimed.row);
  }

  private async attempt(snapshot: Delivery): Promise<'done' | number> {
    const kind = this.kindOf(snapshot.kind);
    const attempt = snapshot.attempts;
    const startedAt = new Date();
    let outcome: AttemptOutcome;
    let latencyMs: number;
    let excerpt: string | null = null;
    try {
      const prepared = kind.prepare
        ? await kind.prepare(snapshot, attempt)
        : { body: snapshot.body, headers: JSON.parse(snapshot.headers) as Record<string, string> };
      const response = await this.deps.http.send({
        method: snapshot.method as 'POST',
        url: snapshot.targetUrl,
        headers: prepared.headers,
        body: prepared.body,
        timeoutMs: kind.timeoutMs,
      });
      latencyMs = response.latencyMs;
      excerpt = response.body.slice(0, 500);
      outcome = response.status >= 200 && response.status < 300
        ? { ok: true, statusCode: response.status }
        : { ok: false, statusCode: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      latencyMs = error instanceof OutboundError ? error.latencyMs : Date.now() - startedAt.getTime();
      outcome = { ok: false, error: error instanceof OutboundError ? `${error.kind}: ${error.message}` : (error as Error).message };
    }
    this.attemptsTotal.inc({ kind: kind.name, outcome: outcome.ok ? 'success' : 'failure' });
    const decision = decideAfterAttempt(kind, attempt, outcome);

    const next = await this.deps.db.em().transactional(async (em) => {
      em.persist(em.create(DeliveryAttempt, {
        deliveryId: snapshot.id,
        attempt,
        startedAt,
        statusCode: outcome.statusCode ?? null,
        latencyMs,
        error: outcome.ok ? null : outcome.error,
        responseExcerpt: excerpt,
      }));
      // Locked (PostgreSQL): an ACK committed between this read and the write below would
      // otherwise be overwritten with `awaiting_ack`, and the receiver get one more attempt.
      const row = await em.findOneOrFail(Delivery, { id: snapshot.id }, this.lockForUpdate());
      row.lastStatusCode = outcome.statusCode ?? null;
      row.lastError = outcome.ok ? null : outcome.error;
      row.updatedAt = new Date();
      // An ACK (or a cancel) that arrived during the attempt wins.
      if (FINAL_DELIVERY_STATUSES.includes(row.status)) return 'done' as const;
      if (decision.status === 'exhausted') {
        this.exhaust(em, row);
        return 'done' as const;
      }
      row.status = decision.status;
      if (decision.status === 'delivered') {
        row.completedAt = new Date();
        return 'done' as const;
      }
      row.nextAttemptAt = new Date(Date.now() + decision.retryInMs);
      return decision.retryInMs;
    });
    this.deps.relay.notify();
    this.deps.logger.info({ deliveryId: snapshot.id, kind: kind.name, attempt, outcome, latencyMs }, 'delivery attempt');
    return next;
  }

  private exhaust(em: EntityManager, row: Delivery): void {
    const unacknowledged = row.status === 'awaiting_ack';
    row.status = 'exhausted';
    row.completedAt = new Date();
    row.updatedAt = new Date();
    const kind = this.kinds.get(row.kind);
    const sourceKey = kind?.sourceKey?.(row) ?? `${this.deps.service}:${row.kind}:${new URL(row.targetUrl).origin}`;
    outboxEmitter(em, this.deps.service).emit<DeliveryExhausted>(`${this.deps.domain}.delivery.exhausted`, {
      deliveryId: row.id,
      kind: row.kind,
      reference: row.reference ?? null,
      targetUrl: row.targetUrl,
      attempts: row.attempts,
      lastStatusCode: row.lastStatusCode ?? null,
      lastError: row.lastError ?? null,
      summary: `${row.kind} to ${new URL(row.targetUrl).origin} gave up after ${row.attempts} attempt(s)` +
        (unacknowledged ? ': delivered but never acknowledged' : row.lastError ? `: ${row.lastError}` : ''),
    }, { subject: sourceKey });
  }

  /**
   * Wakes deliveries whose next attempt is long overdue. When a process dies, the bus may already
   * have handed it a delivery's wake-up, which then returns only after the ack wait. An extra
   * wake-up is harmless: a delivery is claimed under a lock, and an early one only waits.
   */
  async requeueOverdue(now = Date.now()): Promise<number> {
    for (const [id, at] of this.requeuedAt) if (now - at > REQUEUE_COOLDOWN_MS) this.requeuedAt.delete(id);
    const cutoff = new Date(now - OVERDUE_DELIVERY_MS);
    const overdue = await this.deps.db.em().find(
      Delivery,
      {
        // In-flight attempts have their own lease; only deliveries waiting for a wake-up count.
        status: { $in: ['pending', 'awaiting_ack'] },
        $or: [{ nextAttemptAt: { $lt: cutoff } }, { nextAttemptAt: null, createdAt: { $lt: cutoff } }],
      },
      { fields: ['id'], limit: 200, orderBy: { createdAt: 'asc' } },
    );
    const fresh = overdue.filter(({ id }) => !this.requeuedAt.has(id));
    if (fresh.length === 0) return 0;
    await this.deps.db.em().transactional(async (em) => {
      const events = outboxEmitter(em, this.deps.service);
      for (const { id } of fresh) events.emit(this.requestedType, { deliveryId: id }, { subject: id });
    });
    this.deps.relay.notify();
    for (const { id } of fresh) this.requeuedAt.set(id, now);
    this.deps.logger.warn({ count: fresh.length }, 'overdue deliveries re-requested');
    return fresh.length;
  }

  /** In-process bus only: its pending redeliveries die with the process, the rows do not. */
  private async requeueStranded(): Promise<void> {
    const stranded = await this.deps.db.em().find(Delivery, { status: { $nin: [...FINAL_DELIVERY_STATUSES] } });
    if (stranded.length === 0) return;
    await this.deps.db.em().transactional(async (em) => {
      const events = outboxEmitter(em, this.deps.service);
      for (const row of stranded) events.emit(this.requestedType, { deliveryId: row.id }, { subject: row.id });
    });
    this.deps.logger.warn({ count: stranded.length }, 're-queued unfinished deliveries after restart');
  }
}
