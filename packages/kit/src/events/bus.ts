import type { EventEnvelope } from './envelope.js';

/** One delivery of one event to one durable consumer. */
export interface BusMessage {
  readonly event: EventEnvelope;
  /** 1 on first delivery, then 2, 3, … */
  readonly attempt: number;
  ack(): void;
  /** Redeliver after `delayMs`. */
  nak(delayMs: number): void;
  /** Never redeliver (used once a dead letter has been stored). */
  term(): void;
}

export interface ConsumerSpec {
  /** Durable name shared by every replica of the consuming service for one purpose. */
  durable: string;
  /** Subject patterns (`commerce.customer.upserted`, `payments.>`); each within one domain. */
  subjects: string[];
  /** How long a delivery may stay unacknowledged before the bus redelivers it. */
  ackWaitMs?: number;
  /** Deliveries handled concurrently by this process. */
  concurrency?: number;
  /**
   * Deliveries handed out and not yet acknowledged — those a handler put back with a delay (`nak`)
   * included — across every replica, before JetStream holds back further ones (default 1,000).
   * The in-process bus has no such limit.
   */
  maxAckPending?: number;
}

export interface Subscription {
  /** Stop pulling, wait for the deliveries in hand to finish. */
  stop(): Promise<void>;
}

/**
 * The event-bus contract. `NatsEventBus` (JetStream) and `InProcessEventBus` implement it the
 * same way: at-least-once, de-duplication by event id, durable consumers that see events
 * published before they subscribed, and delayed redelivery on `nak`.
 */
export interface EventBus {
  readonly kind: 'nats' | 'in-process';
  publish(event: EventEnvelope): Promise<void>;
  subscribe(spec: ConsumerSpec, handle: (delivery: BusMessage) => Promise<void>): Promise<Subscription>;
  check(): Promise<true | string>;
  close(): Promise<void>;
}
