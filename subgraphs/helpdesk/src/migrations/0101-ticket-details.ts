import { PortableMigration } from '@switchboard/kit';

/** Tickets gain the reporter identity, the tenant label, links, approval state and unread markers. */
export class TicketDetails0101 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.alterTable('ticket', (t) => {
        t.text('description').nullable();
        t.string('priority', 20).notNullable().defaultTo('normal');
        t.string('team', 100).nullable();
        t.string('assignee', 254).nullable();
        t.string('channel', 20).notNullable().defaultTo('support');
        t.string('client_label', 40).nullable();
        t.string('reporter_name', 200).nullable();
        t.string('reporter_company', 200).nullable();
        t.string('order_id', 64).nullable();
        t.string('invoice_id', 64).nullable();
        t.string('payment_id', 64).nullable();
        t.string('client_request_key', 200).nullable();
        t.string('approval_state', 20).notNullable().defaultTo('none');
        t.integer('last_support_message_id').nullable();
        t.integer('last_customer_message_id').nullable();
        t.datetime('updated_at', { useTz: true }).nullable();
        t.index(['client_label', 'customer_email'], 'ticket_client_label_customer_email_index');
        t.unique(['client_label', 'client_request_key'], { indexName: 'ticket_client_label_client_request_key_unique' });
      }),
    );
    // Ticket numbers come from a counter row, so concurrent tickets never share a reference.
    this.schema((s) =>
      s.createTable('helpdesk_sequence', (t) => {
        t.string('name', 40).primary();
        t.integer('value').notNullable();
      }),
    );
    this.addSql("insert into helpdesk_sequence (name, value) select 'ticket', count(*) from ticket");
  }
}
