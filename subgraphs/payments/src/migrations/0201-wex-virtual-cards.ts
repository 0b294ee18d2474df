import { PortableMigration } from '@switchboard/kit';

/** WEX virtual cards requested by Odoo (the legacy `/proxy`); each is also a `payment` row. */
export class Payments0201WexVirtualCards extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('wex_virtual_card', (t) => {
        t.string('id', 64).primary();
        t.string('odoo_payment_id', 200).notNullable();
        t.string('odoo_request_id', 220).notNullable();
        t.string('vendor_name', 200).notNullable();
        t.decimal('amount_value', 18, 2).notNullable();
        t.string('currency', 3).notNullable();
        t.string('invoice_number', 200).notNullable();
        t.string('employee_name', 200).nullable();
        t.string('status', 20).notNullable();
        t.integer('response_status').nullable();
        t.text('error').nullable();
        t.integer('wex_calls').notNullable();
        t.string('card_last_four', 4).nullable();
        t.string('card_expiration_month', 2).nullable();
        t.string('card_expiration_year', 4).nullable();
        t.text('card_sealed').nullable();
        t.string('card_key_id', 32).nullable();
        t.string('delivery_id', 64).nullable();
        t.datetime('created_at', { useTz: true }).notNullable();
        t.datetime('updated_at', { useTz: true }).notNullable();
        t.unique(['odoo_payment_id'], { indexName: 'wex_virtual_card_odoo_payment_id_unique' });
        t.index(['status', 'updated_at'], 'wex_virtual_card_status_updated_at_index');
        t.index(['created_at'], 'wex_virtual_card_created_at_index');
      }),
    );
  }
}
