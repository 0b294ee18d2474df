import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { RunStatus, RunTrigger } from './background-runs.js';

/** `catalog`: users, plans, subscriptions. `invoices`: the app's invoices into the ledger. `post`: bulk-post reviewed drafts. */
export type ImportKind = 'catalog' | 'invoices' | 'post';
export const IMPORT_KINDS: readonly ImportKind[] = ['catalog', 'invoices', 'post'];

/** One run of the importer, with its progress and, once finished, its summary. */
@Entity({ tableName: 'billing_import_run' })
@Index({ name: 'billing_import_run_service_id_started_at_index', properties: ['serviceId', 'startedAt'] })
@Index({ name: 'billing_import_run_status_index', properties: ['status'] })
export class ImportRun {
  [OptionalProps]?: 'status' | 'total' | 'processed' | 'summary' | 'error' | 'finishedAt' | 'scheduleSlot' | 'options';

  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  serviceId!: string;

  @Property({ type: 'string', length: 50 })
  serviceCode!: string;

  @Property({ type: 'string', length: 20 })
  kind!: ImportKind;

  /** Read and report without writing anything. */
  @Property({ type: 'boolean' })
  dryRun!: boolean;

  /** JSON of the run's options (post, since). */
  @Property({ type: 'text' })
  options: string = '{}';

  @Property({ type: 'string', length: 20 })
  status: RunStatus = 'running';

  @Property({ type: 'string', length: 20 })
  trigger!: RunTrigger;

  @Property({ type: 'string', length: 200 })
  requestedBy!: string;

  /** Rows to go, when known. */
  @Property({ type: 'integer', nullable: true })
  total?: number | null = null;

  @Property({ type: 'integer' })
  processed: number = 0;

  /** JSON summary (see RunSummary), written when the run ends. */
  @Property({ type: 'text', nullable: true })
  summary?: string | null = null;

  @Property({ type: 'text', nullable: true })
  error?: string | null = null;

  /** `<kind>:<service>:<scheduled minute>` for scheduled runs: one replica runs each slot. */
  @Property({ type: 'string', length: 200, nullable: true, unique: 'billing_import_run_schedule_slot_unique' })
  scheduleSlot?: string | null = null;

  @Property({ type: 'datetime' })
  startedAt!: Date;

  @Property({ type: 'datetime' })
  heartbeatAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null = null;
}
