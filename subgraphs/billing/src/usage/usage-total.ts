import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Running aggregates of one (subscription, metric, period), kept in the transaction that stores the
 * usage rows: thresholds, drafts and GraphQL read one row instead of summing every record.
 * `unique_count` is not incremental and is counted from the records themselves.
 */
@Entity({ tableName: 'billing_usage_total' })
export class UsageTotal {
  @PrimaryKey({ type: 'string', length: 36 })
  subscriptionId!: string;

  @PrimaryKey({ type: 'integer' })
  metricId!: number;

  @PrimaryKey({ type: 'datetime' })
  periodStart!: Date;

  @Property({ type: new BigIntType('string') })
  sumMicros!: string;

  @Property({ type: new BigIntType('string') })
  maxMicros!: string;

  @Property({ type: new BigIntType('string') })
  recordCount!: string;

  /** Quantity of the latest record by timestamp (ties: the later arrival). */
  @Property({ type: new BigIntType('string') })
  lastMicros!: string;

  @Property({ type: 'datetime' })
  lastOccurredAt!: Date;
}
