import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { RoundingMode } from '../rating/quantities.js';

export type Aggregation = 'count' | 'sum' | 'max' | 'last' | 'unique_count';
export const AGGREGATIONS: readonly Aggregation[] = ['count', 'sum', 'max', 'last', 'unique_count'];

/**
 * What an app meters (`cpu_seconds`, `api_calls`) and how a period's usage records fold into one
 * quantity: `sum` / `max` of the quantities, the `last` one (by timestamp), `count` of records,
 * or `unique_count` of distinct `value`s.
 */
@Entity({ tableName: 'billing_metric' })
@Unique({ name: 'billing_metric_service_id_code_unique', properties: ['serviceId', 'code'] })
export class Metric {
  [OptionalProps]?: 'roundingMode' | 'roundingScale' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 100 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 20 })
  aggregation!: Aggregation;

  @Property({ type: 'string', length: 50 })
  unitLabel!: string;

  /** How the aggregated period quantity is rounded before rating. */
  @Property({ type: 'string', length: 10 })
  roundingMode: RoundingMode = 'none';

  @Property({ type: 'integer' })
  roundingScale: number = 0;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
