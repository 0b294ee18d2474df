import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** A service's plan: a flat price per month (and optionally per year) plus its metered charges. */
@Entity({ tableName: 'billing_plan' })
@Unique({ name: 'billing_plan_service_id_code_unique', properties: ['serviceId', 'code'] })
export class Plan {
  [OptionalProps]?: 'active' | 'createdAt' | 'updatedAt' | 'priceYearly';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  /** The app's stable plan key (NexaCloud's plan id); apps keep their entitlements under it. */
  @Property({ type: 'string', length: 100 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'decimal', precision: 18, scale: 2 })
  priceMonthly!: string;

  /** Null: the plan is not sold yearly. */
  @Property({ type: 'decimal', precision: 18, scale: 2, nullable: true })
  priceYearly?: string | null = null;

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
