import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** Marks a quota threshold as announced for one period, so it is announced once. */
@Entity({ tableName: 'billing_threshold_notice' })
@Unique({ name: 'billing_threshold_notice_unique', properties: ['subscriptionId', 'metricId', 'periodStart', 'threshold'] })
export class ThresholdNotice {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  subscriptionId!: string;

  @Property({ type: 'integer' })
  metricId!: number;

  @Property({ type: 'datetime' })
  periodStart!: Date;

  /** Percent of the included quota (80, 100). */
  @Property({ type: 'integer' })
  threshold!: number;

  /** The period's quantity when it was reached. */
  @Property({ type: 'decimal', precision: 24, scale: 6 })
  quantity!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
