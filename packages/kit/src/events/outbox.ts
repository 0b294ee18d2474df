import { LockMode, raw, type EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { EventBus } from './bus.js';
import { createEvent, type EventEnvelope } from './envelope.js';
import { currentTraceparent } from '../observability/tracing.js';
import { OutboxEvent } from './entities.js';

/** What domain code sees inside a transaction: emit events that commit with its writes. */
export interface EventEmitter {
  emit<T>(type: string, data: T, options?: { subject?: string; id?: string }): EventEnvelope<T>;
}

/** Events carry the active trace context, so a consumer's span joins the producer's trace. */
export function outboxEmitter(em: EntityManager, source: string): EventEmitter {
  return {
    emit(type, data, options = {}) {
      const event = createEvent({ type, data, source, traceparent: currentTraceparent(), ...options });
      em.persist(OutboxEvent.of(event));
      return event;
    },
  };
}

/**
 * Publishes committed outbox rows to the bus and marks them sent. A crash between publish and
 * mark re-publishes on the next pass; the bus de-duplicates by event id and consumers are
 * idempotent, so nothing is lost and nothing applies twice. Events reach the bus in outbox order
 * except after a failed publish, which is retried behind the ones that did go out: consumers
 * must not rely on order across events (they compare timestamps or versions where it matters).
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly options: { pollMs?: number; batchSize?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a pass now (called after a commit that emitted events). */
  notify(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Publish everything pending, then resolve. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < (this.options.batchSize ?? 200)) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.flush().catch((error) => this.logger.warn({ err: error }, 'outbox flush on stop failed'));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), delayMs);
  }

  private async pass(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.flush();
        } while (this.again && !this.stopped);
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay pass failed; will retry');
      }
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule(this.options.pollMs ?? 500);
  }

  private async publishBatch(): Promise<number> {
    let failure: Error | undefined;
    const published = await this.db.em().transactional(async (tx) => {
      // Plain rows, not entities: the relay moves hundreds of events a second, and hydrating and
      // diffing an entity per event would cost more than publishing it.
      const query = (tx as SqlEntityManager)
        .createQueryBuilder(OutboxEvent)
        .select(['id', 'envelope'])
        .where({ publishedAt: null })
        .orderBy({ createdAt: 'asc', id: 'asc' })
        .limit(this.options.batchSize ?? 200);
      // Replicas on PostgreSQL split the backlog instead of racing for the same rows.
      if (this.db.dialect === 'postgresql') query.setLockMode(LockMode.PESSIMISTIC_PARTIAL_WRITE);
      const rows = await query.execute<{ id: string; envelope: string }[]>('all', false);
      // Pipelined: every publish of the batch is sent before the first ack is awaited. One
      // connection keeps them in order on the wire, so the stream stores them in outbox order.
      const outcomes = await Promise.allSettled(rows.map((row) => this.bus.publish(JSON.parse(row.envelope) as EventEnvelope)));
      const sent = rows.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((row) => row.id);
      if (sent.length > 0) {
        await tx.nativeUpdate(OutboxEvent, { id: { $in: sent } }, { publishedAt: new Date(), publishAttempts: raw('publish_attempts + 1'), lastError: null });
      }
      // A failed one waits for the next pass; a later event of the batch may then be ahead of it.
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') continue;
        failure ??= outcome.reason as Error;
        await tx.nativeUpdate(OutboxEvent, { id: rows[i]!.id }, { publishAttempts: raw('publish_attempts + 1'), lastError: (outcome.reason as Error).message });
      }
      return sent.length;
    });
    if (failure) throw failure;
    return published;
  }
}
