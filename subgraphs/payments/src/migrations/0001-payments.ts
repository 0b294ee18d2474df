import { PortableMigration } from '@switchboard/kit';

export class Payments0001 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('payment', (t) => {
        t.string('id', 64).primary();
        t.string('customer_email', 254).nullable();
        t.string('kind', 30).notNullable();
        t.string('provider', 30).notNullable();
        t.string('status', 30).notNullable();
        t.decimal('amount_value', 18, 2).notNullable();
        t.string('currency', 3).notNullable();
        t.string('reference', 200).nullable();
        t.datetime('created_at', { useTz: true }).notNullable();
        t.index(['customer_email', 'created_at'], 'payment_customer_email_created_at_index');
      }),
    );
  }
}
