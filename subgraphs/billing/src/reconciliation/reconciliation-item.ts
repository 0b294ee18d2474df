import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { ReconciliationStatus } from './reconciliation-rules.js';

/**
 * One (service, external subscription, period): what Switchboard computes (flat + overage) against
 * the app's pre-tax invoiced amount. Upserted by every run; `resolved` is a person's call and
 * stays until the figures change.
 */
@Entity({ tableName: 'billing_reconciliation_item' })
@Unique({ name: 'billing_reconciliation_item_key_unique', properties: ['serviceId', 'subscriptionExternalId', 'period'] })
@Index({ name: 'billing_reconciliation_item_status_period_index', properties: ['status', 'period'] })
export class ReconciliationItem {
  [OptionalProps]?: 'subscriptionId' | 'customerEmail' | 'note' | 'resolvedBy' | 'resolvedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 200 })
  subscriptionExternalId!: string;

  /** `YYYY-MM`. */
  @Property({ type: 'string', length: 7 })
  period!: string;

  /** Our (shadow) subscription. */
  @Property({ type: 'string', length: 36, nullable: true })
  subscriptionId?: string | null = null;

  @Property({ type: 'string', length: 254, nullable: true })
  customerEmail?: string | null = null;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** CPU-seconds (or the metered quantity) the app recorded for the period. */
  @Property({ type: 'decimal', precision: 24, scale: 6 })
  usageQuantity!: string;

  @Property({ type: 'decimal', precision: 18, scale: 6 })
  flatAmount!: string;

  @Property({ type: 'decimal', precision: 18, scale: 6 })
  overageAmount!: string;

  /** flat + overage, exact (6 dp), from the rating functions. */
  @Property({ type: 'decimal', precision: 18, scale: 6 })
  computedAmount!: string;

  /** The app's pre-tax invoiced subtotal for the period (each invoice counted once). */
  @Property({ type: 'decimal', precision: 18, scale: 6 })
  externalAmount!: string;

  /** computed − external. */
  @Property({ type: 'decimal', precision: 18, scale: 6 })
  delta!: string;

  @Property({ type: 'integer' })
  externalInvoiceCount!: number;

  @Property({ type: 'string', length: 10 })
  status!: ReconciliationStatus;

  @Property({ type: 'text', nullable: true })
  note?: string | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  resolvedBy?: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  resolvedAt?: Date | null = null;

  /** The run that last changed the figures or the status. */
  @Property({ type: 'string', length: 36 })
  lastRunId!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
