import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import type { BusMessage, EventBus, Subscription } from './bus.js';
import { backoffDelay, DEFAULT_BACKOFF_MS } from './backoff.js';
import { domainOfPattern, type Domain, type EventEnvelope } from './envelope.js';
import { DeadLetter, ProcessedEvent } from './entities.js';
import { outboxEmitter, type EventEmitter, type OutboxRelay } from './outbox.js';
import { contextFrom, inSpan, SpanKind } from '../observability/tracing.js';

export interface HandlerContext {
  /** The transaction the effects must be written in; the processed-event mark joins it. */
  em: EntityManager;
  /** Emit follow-up events through the outbox, in the same transaction. */
  events: EventEmitter;
  attempt: number;
  logger: Logger;
}

export interface EventHandler<T = any> {
  /** Durable consumer name: unique per service and purpose, shared by its replicas. */
  name: string;
  subjects: string[];
  /** Attempts before the event becomes a dead letter (default 5). */
  maxAttempts?: number;
  /** Delay after each failed attempt (default 1 s, 5 s, 30 s, 2 min). */
  backoffMs?: readonly number[];
  concurrency?: number;
  handle(event: EventEnvelope<T>, context: HandlerContext): Promise<void>;
}

export type ApplyOutcome = 'applied' | 'duplicate';

/**
 * Runs event handlers idempotently: the handler's effects and the processed-event mark commit
 * together, so a redelivered or duplicated event has one effect. Failures are `nak`ed with the
 * handler's backoff; after the last attempt the event is stored as a dead letter and announced
 * on `<domain>.deadletter`.
 */
export class ConsumerRunner {
  private readonly handlers = new Map<string, EventHandler>();
  private readonly subscriptions: Subscription[] = [];
  private readonly outcomes: Counter<'consumer' | 'outcome'>;

  constructor(
    private readonly deps: {
      service: string;
      domain: Domain;
      db: Database;
      bus: EventBus;
      relay: OutboxRelay;
      logger: Logger;
      metrics: Registry;
    },
  ) {
    this.outcomes = new Counter({
      name: 'events_consumed_total',
      help: 'Event deliveries by consumer and outcome',
      labelNames: ['consumer', 'outcome'],
      registers: [deps.metrics],
    });
  }

  register(handler: EventHandler): void {
    if (this.handlers.has(handler.name)) throw new Error(`duplicate consumer name ${handler.name}`);
    for (const subject of handler.subjects) domainOfPattern(subject);
    this.handlers.set(handler.name, handler);
  }

  async start(): Promise<void> {
    for (const handler of this.handlers.values()) {
      this.subscriptions.push(
        await this.deps.bus.subscribe(
          { durable: `${this.deps.service}-${handler.name}`, subjects: handler.subjects, concurrency: handler.concurrency },
          (delivery) => this.onDelivery(handler, delivery),
        ),
      );
    }
  }

  /** Stop pulling and wait for the handlers in flight. */
  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.stop()));
  }

  /** Apply an event once: a no-op when this consumer already applied it. */
  async apply(handler: EventHandler, event: EventEnvelope, attempt: number): Promise<ApplyOutcome> {
    const logger = this.deps.logger.child({ consumer: handler.name, eventId: event.id, eventType: event.type });
    const span = {
      kind: SpanKind.CONSUMER,
      parent: contextFrom({ traceparent: event.traceparent }),
      attributes: { 'messaging.destination.name': event.type, 'messaging.message.id': event.id, 'messaging.consumer.group.name': handler.name, attempt },
    };
    const outcome = await inSpan(`consume ${event.type}`, span, () =>
      this.deps.db.em().transactional(async (em) => {
        const seen = await em.count(ProcessedEvent, { consumer: handler.name, eventId: event.id });
        if (seen > 0) return 'duplicate' as const;
        await handler.handle(event, { em, events: outboxEmitter(em, this.deps.service), attempt, logger });
        // A concurrent replica applying the same event violates the unique key and rolls back.
        em.persist(Object.assign(new ProcessedEvent(), { consumer: handler.name, eventId: event.id }));
        return 'applied' as const;
      }),
    );
    if (outcome === 'applied') this.deps.relay.notify();
    return outcome;
  }

  /** Re-run a dead letter's event through its handler; marks it replayed on success. */
  async replay(deadLetterId: number): Promise<DeadLetter> {
    const em = this.deps.db.em();
    const letter = await em.findOneOrFail(DeadLetter, { id: deadLetterId }, {
      failHandler: () => new Error(`dead letter ${deadLetterId} not found`),
    });
    if (letter.status === 'replayed') return letter;
    const handler = this.handlers.get(letter.consumer);
    if (!handler) throw new Error(`no consumer named ${letter.consumer} in this service`);
    const event = JSON.parse(letter.envelope) as EventEnvelope;
    try {
      await this.apply(handler, event, letter.attempts + 1);
    } catch (error) {
      letter.attempts += 1;
      letter.error = describe(error);
      letter.updatedAt = new Date();
      await em.flush();
      throw new Error(`replay failed: ${letter.error}`);
    }
    letter.status = 'replayed';
    letter.replayedAt = new Date();
    letter.updatedAt = new Date();
    await em.flush();
    return letter;
  }

  private async onDelivery(handler: EventHandler, delivery: BusMessage): Promise<void> {
    const { event, attempt } = delivery;
    try {
      const outcome = await this.apply(handler, event, attempt);
      delivery.ack();
      this.outcomes.inc({ consumer: handler.name, outcome });
      return;
    } catch (error) {
      const maxAttempts = handler.maxAttempts ?? 5;
      const logger = this.deps.logger.child({ consumer: handler.name, eventId: event.id, attempt });
      if (attempt < maxAttempts) {
        const delay = backoffDelay(attempt, handler.backoffMs ?? DEFAULT_BACKOFF_MS);
        logger.warn({ err: error, retryInMs: delay }, 'handler failed; will retry');
        this.outcomes.inc({ consumer: handler.name, outcome: 'retry' });
        delivery.nak(delay);
        return;
      }
      try {
        await this.storeDeadLetter(handler, event, attempt, error);
        logger.error({ err: error }, 'handler failed for the last time; stored as dead letter');
        this.outcomes.inc({ consumer: handler.name, outcome: 'dead-letter' });
        delivery.term();
      } catch (storeError) {
        // Never drop an event we could not park: let the bus redeliver it.
        logger.error({ err: storeError }, 'could not store dead letter; will retry');
        delivery.nak(backoffDelay(attempt, handler.backoffMs ?? DEFAULT_BACKOFF_MS));
      }
    }
  }

  private async storeDeadLetter(handler: EventHandler, event: EventEnvelope, attempt: number, error: unknown) {
    await this.deps.db.em().transactional(async (em) => {
      const existing = await em.findOne(DeadLetter, { consumer: handler.name, eventId: event.id });
      const letter = existing ?? new DeadLetter();
      Object.assign(letter, {
        consumer: handler.name,
        eventId: event.id,
        eventType: event.type,
        envelope: JSON.stringify(event),
        error: describe(error),
        attempts: attempt,
        status: 'dead',
        updatedAt: new Date(),
      });
      em.persist(letter);
      await em.flush();
      outboxEmitter(em, this.deps.service).emit(`${this.deps.domain}.deadletter`, {
        deadLetterId: letter.id,
        service: this.deps.service,
        consumer: handler.name,
        eventId: event.id,
        eventType: event.type,
        error: letter.error,
        attempts: attempt,
        summary: `${this.deps.service}: ${handler.name} gave up on ${event.type} after ${attempt} attempts: ${letter.error}`,
      }, { subject: `${this.deps.service}:${handler.name}:${event.id}` });
    });
    this.deps.relay.notify();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
