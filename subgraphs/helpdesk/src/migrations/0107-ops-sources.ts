import { PortableMigration } from '@switchboard/kit';

export class OpsSources0107 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('ops_source', (t) => {
        t.string('ticket_id', 64).primary();
        t.string('source_key', 400).notNullable().unique({ indexName: 'ops_source_source_key_unique' });
        t.string('family', 100).notNullable();
        t.string('event_type', 200).notNullable();
        t.integer('occurrence_count').notNullable();
        t.datetime('first_seen_at', { useTz: true }).notNullable();
        t.datetime('last_seen_at', { useTz: true }).notNullable();
        t.string('last_event_id', 64).notNullable();
        t.string('last_summary', 500).notNullable();
        t.jsonb('detail').nullable();
      }),
    );
  }
}
