import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type DeliveryStatus =
  | 'pending' // queued, or waiting for its next attempt
  | 'in_flight' // an attempt is being made
  | 'awaiting_ack' // the receiver answered 2xx; waiting for its ACK
  | 'delivered' // the receiver answered 2xx (no ACK needed)
  | 'acknowledged' // the receiver acknowledged it
  | 'exhausted' // every attempt used up without success
  | 'cancelled';

export const FINAL_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['delivered', 'acknowledged', 'exhausted', 'cancelled'];

/** One outbound HTTP message to an external system, delivered at least once through the bus. */
@Entity({ tableName: 'delivery' })
@Index({ properties: ['status', 'nextAttemptAt'] })
@Index({ properties: ['kind', 'reference'] })
export class Delivery {
  [OptionalProps]?: 'status' | 'attempts' | 'createdAt' | 'updatedAt' | 'headers';

  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  /** What sort of delivery (e.g. `wex.odoo-webhook`): selects its retry policy and signing. */
  @Property({ type: 'string', length: 100 })
  kind!: string;

  /** The domain object it is about (payment id, invoice id, …), for look-ups and the console. */
  @Property({ type: 'string', length: 200, nullable: true })
  reference?: string | null;

  @Property({ type: 'text' })
  targetUrl!: string;

  @Property({ type: 'string', length: 10 })
  method!: string;

  /** JSON object of request headers (without per-attempt signatures). */
  @Property({ type: 'text' })
  headers: string = '{}';

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', length: 20 })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'integer' })
  maxAttempts!: number;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode?: number | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  completedAt?: Date | null;
}

/** Every attempt, successful or not, so an operator can see why a delivery failed. */
@Entity({ tableName: 'delivery_attempt' })
@Index({ properties: ['deliveryId', 'attempt'] })
export class DeliveryAttempt {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  deliveryId!: string;

  @Property({ type: 'integer' })
  attempt!: number;

  @Property({ type: 'datetime' })
  startedAt!: Date;

  @Property({ type: 'integer', nullable: true })
  statusCode?: number | null;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** The first bytes of the receiver's answer. */
  @Property({ type: 'text', nullable: true })
  responseExcerpt?: string | null;
}

export const DELIVERY_ENTITIES = [Delivery, DeliveryAttempt];
