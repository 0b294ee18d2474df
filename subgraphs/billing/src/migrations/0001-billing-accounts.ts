import { PortableMigration } from '@switchboard/kit';

export class BillingAccounts0001 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('billing_account', (t) => {
        t.increments('id').primary();
        t.string('email', 254).notNullable().unique({ indexName: 'billing_account_email_unique' });
        t.string('name', 200).notNullable();
        t.string('currency', 3).notNullable();
        t.string('status', 20).notNullable();
        t.decimal('balance_amount', 18, 2).notNullable();
        t.datetime('opened_at', { useTz: true }).notNullable();
      }),
    );
  }
}
