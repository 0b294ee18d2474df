import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { ChargeModel } from '../rating/charge-models.js';

/** A tier as stored (decimal strings; `up_to` null = no upper bound). */
export interface StoredTier {
  up_to: string | null;
  unit_price: string;
  flat_fee: string;
}

/** How a plan prices one metric: included quota, then overage by the charge model. */
@Entity({ tableName: 'billing_charge' })
@Unique({ name: 'billing_charge_plan_id_metric_id_unique', properties: ['planId', 'metricId'] })
export class Charge {
  [OptionalProps]?: 'tiers' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer' })
  planId!: number;

  @Property({ type: 'integer' })
  metricId!: number;

  /** Invoice line text, e.g. "NexaCloud CPU overage — Starter". */
  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 20 })
  chargeModel!: ChargeModel;

  @Property({ type: 'decimal', precision: 24, scale: 6 })
  includedQuota!: string;

  /** 6 decimal places: sub-cent rates ($0.0075 per core-hour) are not rounded away. */
  @Property({ type: 'decimal', precision: 18, scale: 6 })
  pricePerUnit!: string;

  @Property({ type: 'decimal', precision: 24, scale: 6 })
  unitBatch!: string;

  /** JSON array of tiers (graduated / volume). */
  @Property({ type: 'text', nullable: true })
  tiers?: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
