import { PortableMigration } from '@switchboard/kit';

export class AccessLinks0105 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('ticket_access_link', (t) => {
        t.increments('id').primary();
        t.string('ticket_id', 64).notNullable();
        t.string('token_hash', 64).notNullable().unique({ indexName: 'ticket_access_link_token_hash_unique' });
        t.string('purpose', 40).notNullable();
        t.datetime('created_at', { useTz: true }).notNullable();
        t.datetime('revoked_at', { useTz: true }).nullable();
        t.datetime('last_used_at', { useTz: true }).nullable();
        t.index(['ticket_id'], 'ticket_access_link_ticket_id_index');
      }),
    );
  }
}
