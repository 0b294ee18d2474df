import { AsyncResource } from 'node:async_hooks';
import type { ConsumerSpec, BusMessage, EventBus, Subscription } from './bus.js';
import { domainOf, domainOfPattern, subjectMatches, type Domain, type EventEnvelope } from './envelope.js';
import { InFlight } from './in-flight.js';

interface Pending {
  event: EventEnvelope;
  attempt: number;
}

/** A durable consumer: its own cursor over a stream, shared by every subscriber of the same name. */
class DurableConsumer {
  cursor = 0;
  readonly ready: Pending[] = [];
  readonly unacked = new Map<string, NodeJS.Timeout>();
  readonly delayed = new Set<NodeJS.Timeout>();
  subscribers: { handle: (d: BusMessage) => Promise<void>; inFlight: InFlight; ackWaitMs: number }[] = [];
  private next = 0;
  private pumping = false;

  constructor(readonly pattern: string, readonly domain: Domain) {}

  pickSubscriber() {
    if (this.subscribers.length === 0) return undefined;
    const subscriber = this.subscribers[this.next % this.subscribers.length];
    this.next++;
    return subscriber;
  }

  /** Hands ready deliveries to subscribers, respecting each one's concurrency. */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.ready.length > 0) {
        const subscriber = this.pickSubscriber();
        if (!subscriber) return;
        const pending = this.ready.shift()!;
        await subscriber.inFlight.run(() => this.deliver(subscriber, pending));
      }
    } finally {
      this.pumping = false;
    }
  }

  private deliver(
    subscriber: DurableConsumer['subscribers'][number],
    pending: Pending,
  ): Promise<void> {
    const key = `${pending.event.id}#${pending.attempt}`;
    let settled = false;
    const redeliver = (delayMs: number) => {
      const timer = setTimeout(() => {
        this.delayed.delete(timer);
        this.ready.push({ event: pending.event, attempt: pending.attempt + 1 });
        void this.pump();
      }, delayMs);
      this.delayed.add(timer);
    };
    const settle = (then?: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(this.unacked.get(key));
      this.unacked.delete(key);
      then?.();
    };
    // Like JetStream's ack_wait: a delivery nobody settles is redelivered.
    this.unacked.set(
      key,
      setTimeout(() => settle(() => redeliver(0)), subscriber.ackWaitMs),
    );
    return subscriber.handle({
      event: pending.event,
      attempt: pending.attempt,
      ack: () => settle(),
      nak: (delayMs) => settle(() => redeliver(delayMs)),
      term: () => settle(),
    });
  }

  clearTimers(): void {
    for (const timer of this.unacked.values()) clearTimeout(timer);
    for (const timer of this.delayed) clearTimeout(timer);
    this.unacked.clear();
    this.delayed.clear();
  }
}

/**
 * The event bus for one process, with the JetStream contract: a retained stream per domain,
 * de-duplication by event id within a window, durable consumers that start from the beginning
 * and share a cursor, ack-wait redelivery and delayed `nak`. Nothing survives the process: the
 * outbox (which does) re-publishes whatever was not yet marked sent.
 */
export class InProcessEventBus implements EventBus {
  readonly kind = 'in-process' as const;
  private readonly streams = new Map<Domain, EventEnvelope[]>();
  private readonly seen = new Map<string, number>();
  private readonly consumers = new Map<string, DurableConsumer>();
  private closed = false;
  /**
   * Deliveries run in the async context the bus was created in, not the publisher's: a consumer
   * must never inherit the publishing service's transaction (MikroORM finds it through
   * AsyncLocalStorage), exactly as with a real broker in between.
   */
  private readonly scope = new AsyncResource('switchboard.in-process-bus');

  constructor(private readonly options: { duplicateWindowMs?: number; maxRetained?: number } = {}) {}

  async publish(event: EventEnvelope): Promise<void> {
    if (this.closed) throw new Error('event bus closed');
    const domain = domainOf(event.type);
    const now = Date.now();
    const window = this.options.duplicateWindowMs ?? 120_000;
    const seenAt = this.seen.get(event.id);
    if (seenAt !== undefined && now - seenAt < window) return;
    this.seen.set(event.id, now);
    if (this.seen.size > 100_000) this.forgetOlderThan(now - window);

    const stream = this.streams.get(domain) ?? [];
    this.streams.set(domain, stream);
    stream.push(event);
    const maxRetained = this.options.maxRetained ?? 100_000;
    if (stream.length > maxRetained) {
      const dropped = stream.length - maxRetained;
      stream.splice(0, dropped);
      for (const consumer of this.consumers.values()) {
        if (consumer.domain === domain) consumer.cursor = Math.max(0, consumer.cursor - dropped);
      }
    }
    for (const consumer of this.consumers.values()) {
      if (consumer.domain === domain) this.advance(consumer);
    }
  }

  async subscribe(spec: ConsumerSpec, handle: (delivery: BusMessage) => Promise<void>): Promise<Subscription> {
    const subscriber = {
      handle,
      inFlight: new InFlight(spec.concurrency ?? 8),
      ackWaitMs: spec.ackWaitMs ?? 30_000,
    };
    const joined: DurableConsumer[] = [];
    for (const pattern of spec.subjects) {
      const key = `${spec.durable}|${pattern}`;
      let consumer = this.consumers.get(key);
      if (!consumer) {
        consumer = new DurableConsumer(pattern, domainOfPattern(pattern));
        this.consumers.set(key, consumer);
      }
      consumer.subscribers.push(subscriber);
      joined.push(consumer);
      this.advance(consumer);
    }
    return {
      stop: async () => {
        for (const consumer of joined) {
          consumer.subscribers = consumer.subscribers.filter((s) => s !== subscriber);
        }
        await subscriber.inFlight.drain();
      },
    };
  }

  /** Moves a consumer's cursor over newly retained events that match its pattern. */
  private advance(consumer: DurableConsumer): void {
    const stream = this.streams.get(consumer.domain) ?? [];
    while (consumer.cursor < stream.length) {
      const event = stream[consumer.cursor++]!;
      if (subjectMatches(consumer.pattern, event.type)) consumer.ready.push({ event, attempt: 1 });
    }
    this.scope.runInAsyncScope(() => setImmediate(() => void consumer.pump()));
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [id, at] of this.seen) if (at < cutoff) this.seen.delete(id);
  }

  async check(): Promise<true | string> {
    return this.closed ? 'event bus closed' : true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const consumer of this.consumers.values()) consumer.clearTimers();
  }
}
