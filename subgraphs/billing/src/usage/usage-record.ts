import { BigIntType, Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One aggregated counter pushed by an app (e.g. an hour of CPU-seconds of a deployment). The
 * idempotency key is unique per (subscription, metric): a retried push is a duplicate, never a
 * second charge. Written in bulk by the ingestion (see usage-store.ts); the entity is for reads.
 */
@Entity({ tableName: 'billing_usage_record' })
@Unique({ name: 'billing_usage_record_idempotency_unique', properties: ['subscriptionId', 'metricId', 'idempotencyKey'] })
export class UsageRecord {
  [OptionalProps]?: 'uniqueValue';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 36 })
  subscriptionId!: string;

  @Property({ type: 'integer' })
  metricId!: number;

  @Property({ type: 'string', length: 200 })
  idempotencyKey!: string;

  /** Quantity × 10^6 (exact on SQLite and PostgreSQL alike). */
  @Property({ type: new BigIntType('string') })
  quantityMicros!: string;

  /** What `unique_count` metrics count distinct values of (a user id, a conversation id). */
  @Property({ type: 'string', length: 200, nullable: true })
  uniqueValue?: string | null = null;

  /** When the usage happened (the app's timestamp): selects the period. */
  @Property({ type: 'datetime' })
  occurredAt!: Date;

  /** Start of the billing period `occurredAt` falls in. */
  @Property({ type: 'datetime' })
  periodStart!: Date;

  @Property({ type: 'datetime' })
  receivedAt!: Date;
}
