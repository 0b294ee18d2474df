import { LockMode, type EntityManager } from '@mikro-orm/core';
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
 * idempotent, so nothing is lost and nothing applies twice.
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
      const rows = await tx.find(
        OutboxEvent,
        { publishedAt: null },
        {
          orderBy: { createdAt: 'asc', id: 'asc' },
          limit: this.options.batchSize ?? 200,
          // Replicas on PostgreSQL split the backlog instead of racing for the same rows.
          ...(this.db.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE } : {}),
        },
      );
      let count = 0;
      for (const row of rows) {
        row.publishAttempts += 1;
        try {
          await this.bus.publish(JSON.parse(row.envelope) as EventEnvelope);
        } catch (error) {
          // Keep what was published; the rest waits for the next pass, in order.
          failure = error as Error;
          row.lastError = failure.message;
          break;
        }
        row.publishedAt = new Date();
        row.lastError = null;
        count++;
      }
      return count;
    });
    if (failure) throw failure;
    return published;
  }
}
