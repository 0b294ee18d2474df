import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { RunStatus, RunTrigger } from '../importer/background-runs.js';

/** `subscriptions`: computed vs invoiced per period. `payments`: payments ↔ invoices. */
export type ReconciliationKind = 'subscriptions' | 'payments';
export const RECONCILIATION_KINDS: readonly ReconciliationKind[] = ['subscriptions', 'payments'];

@Entity({ tableName: 'billing_reconciliation_run' })
@Index({ name: 'billing_reconciliation_run_kind_started_at_index', properties: ['kind', 'startedAt'] })
@Index({ name: 'billing_reconciliation_run_status_index', properties: ['status'] })
export class ReconciliationRun {
  [OptionalProps]?: 'status' | 'total' | 'processed' | 'summary' | 'error' | 'finishedAt' | 'scheduleSlot' | 'serviceId' | 'serviceCode' | 'period';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 20 })
  kind!: ReconciliationKind;

  /** The app reconciled (subscriptions); null: every service's invoices (payments). */
  @Property({ type: 'string', length: 36, nullable: true })
  serviceId?: string | null = null;

  @Property({ type: 'string', length: 50, nullable: true })
  serviceCode?: string | null = null;

  /** Only this `YYYY-MM` (null: every period). */
  @Property({ type: 'string', length: 7, nullable: true })
  period?: string | null = null;

  @Property({ type: 'decimal', precision: 18, scale: 6 })
  tolerance!: string;

  @Property({ type: 'string', length: 20 })
  status: RunStatus = 'running';

  @Property({ type: 'string', length: 20 })
  trigger!: RunTrigger;

  @Property({ type: 'string', length: 200 })
  requestedBy!: string;

  @Property({ type: 'integer', nullable: true })
  total?: number | null = null;

  @Property({ type: 'integer' })
  processed: number = 0;

  @Property({ type: 'text', nullable: true })
  summary?: string | null = null;

  @Property({ type: 'text', nullable: true })
  error?: string | null = null;

  @Property({ type: 'string', length: 200, nullable: true, unique: 'billing_reconciliation_run_schedule_slot_unique' })
  scheduleSlot?: string | null = null;

  @Property({ type: 'datetime' })
  startedAt!: Date;

  @Property({ type: 'datetime' })
  heartbeatAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null = null;
}
