import { PortableMigration } from '@switchboard/kit';

export class MessagesAndReadMarkers0102 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('ticket_message', (t) => {
          t.increments('id').primary();
          t.string('ticket_id', 64).notNullable();
          t.string('author_kind', 20).notNullable();
          t.string('author_email', 254).nullable();
          t.string('author_name', 200).nullable();
          t.text('body').notNullable();
          t.string('visibility', 20).notNullable();
          t.jsonb('attachments').nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['ticket_id', 'id'], 'ticket_message_ticket_id_id_index');
        })
        .createTable('ticket_read_marker', (t) => {
          t.increments('id').primary();
          t.string('reader', 320).notNullable();
          t.string('ticket_id', 64).notNullable();
          t.integer('last_seen_message_id').notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['reader', 'ticket_id'], { indexName: 'ticket_read_marker_reader_ticket_id_unique' });
        }),
    );
  }
}
