import { Entity, Index, Property } from '@mikro-orm/core';
import { RunColumns } from '../importer/run-columns.js';

/** `subscriptions`: computed vs invoiced per period. `payments`: payments ↔ invoices. */
export type ReconciliationKind = 'subscriptions' | 'payments';
export const RECONCILIATION_KINDS: readonly ReconciliationKind[] = ['subscriptions', 'payments'];

@Entity({ tableName: 'billing_reconciliation_run' })
@Index({ name: 'billing_reconciliation_run_kind_started_at_index', properties: ['kind', 'startedAt'] })
@Index({ name: 'billing_reconciliation_run_status_index', properties: ['status'] })
export class ReconciliationRun extends RunColumns<'serviceId' | 'serviceCode' | 'period'> {
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
}
