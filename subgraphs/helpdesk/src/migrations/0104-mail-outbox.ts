import { PortableMigration } from '@switchboard/kit';

export class MailOutbox0104 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('outgoing_mail', (t) => {
        t.string('id', 64).primary();
        t.string('purpose', 40).notNullable();
        t.string('ticket_id', 64).nullable();
        t.string('dedupe_key', 200).nullable().unique({ indexName: 'outgoing_mail_dedupe_key_unique' });
        t.string('from_address', 320).notNullable();
        t.string('to_address', 254).notNullable();
        t.string('reply_to', 320).nullable();
        t.string('subject', 400).notNullable();
        t.text('html').notNullable();
        t.text('text').notNullable();
        t.string('status', 20).notNullable().defaultTo('pending');
        t.integer('attempts').notNullable().defaultTo(0);
        t.integer('max_attempts').notNullable();
        t.datetime('next_attempt_at', { useTz: true }).nullable();
        t.text('last_error').nullable();
        t.string('smtp_message_id', 300).nullable();
        t.datetime('created_at', { useTz: true }).notNullable();
        t.datetime('updated_at', { useTz: true }).notNullable();
        t.datetime('sent_at', { useTz: true }).nullable();
        t.index(['status', 'created_at'], 'outgoing_mail_status_created_at_index');
        t.index(['ticket_id'], 'outgoing_mail_ticket_id_index');
      }),
    );
  }
}
