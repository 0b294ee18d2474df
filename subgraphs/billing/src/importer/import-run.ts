import { Entity, Index, Property } from '@mikro-orm/core';
import { RunColumns } from './run-columns.js';

/** `catalog`: users, plans, subscriptions. `invoices`: the app's invoices into the ledger. `post`: bulk-post reviewed drafts. */
export type ImportKind = 'catalog' | 'invoices' | 'post';
export const IMPORT_KINDS: readonly ImportKind[] = ['catalog', 'invoices', 'post'];

/** One run of the importer, with its progress and, once finished, its summary. */
@Entity({ tableName: 'billing_import_run' })
@Index({ name: 'billing_import_run_service_id_started_at_index', properties: ['serviceId', 'startedAt'] })
@Index({ name: 'billing_import_run_status_index', properties: ['status'] })
export class ImportRun extends RunColumns<'options'> {
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
}
