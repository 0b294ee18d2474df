import { PortableMigration } from '@switchboard/kit';

export class Tickets0001 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('ticket', (t) => {
        t.string('id', 64).primary();
        t.string('reference', 20).notNullable().unique({ indexName: 'ticket_reference_unique' });
        t.string('subject', 300).notNullable();
        t.string('kind', 20).notNullable();
        t.string('stage', 20).notNullable();
        t.string('customer_email', 254).nullable();
        t.datetime('created_at', { useTz: true }).notNullable();
        t.index(['customer_email', 'created_at'], 'ticket_customer_email_created_at_index');
      }),
    );
  }
}
