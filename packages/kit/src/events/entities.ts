import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { EventEnvelope } from './envelope.js';
import { DELIVERY_ENTITIES } from '../deliveries/entities.js';

/** An event written in the same transaction as the state change it announces. */
@Entity({ tableName: 'outbox_event' })
@Index({ properties: ['publishedAt', 'createdAt'] })
export class OutboxEvent {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 200 })
  type!: string;

  @Property({ type: 'text' })
  envelope!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  publishedAt?: Date | null;

  @Property({ type: 'integer' })
  publishAttempts = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  static of(event: EventEnvelope): OutboxEvent {
    const row = new OutboxEvent();
    row.id = event.id;
    row.type = event.type;
    row.envelope = JSON.stringify(event);
    return row;
  }
}

/** Which events a consumer has already applied; written with the handler's effects. */
@Entity({ tableName: 'processed_event' })
@Unique({ properties: ['consumer', 'eventId'] })
export class ProcessedEvent {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 200 })
  consumer!: string;

  @Property({ type: 'string', length: 64 })
  eventId!: string;

  @Property({ type: 'datetime' })
  processedAt: Date = new Date();
}

export type DeadLetterStatus = 'dead' | 'replayed';

/** An event a consumer gave up on after its last attempt: stored, listed, replayable. */
@Entity({ tableName: 'dead_letter' })
@Unique({ properties: ['consumer', 'eventId'] })
export class DeadLetter {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 200 })
  consumer!: string;

  @Property({ type: 'string', length: 64 })
  eventId!: string;

  @Property({ type: 'string', length: 200 })
  eventType!: string;

  @Property({ type: 'text' })
  envelope!: string;

  @Property({ type: 'text' })
  error!: string;

  @Property({ type: 'integer' })
  attempts!: number;

  @Property({ type: 'string', length: 20 })
  status: DeadLetterStatus = 'dead';

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  replayedAt?: Date | null;
}

/** Every table the kit itself owns in each service's database. */
export const EVENT_ENTITIES = [OutboxEvent, ProcessedEvent, DeadLetter, ...DELIVERY_ENTITIES];
