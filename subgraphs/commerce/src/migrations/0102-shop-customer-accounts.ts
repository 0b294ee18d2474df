import { PortableMigration } from '@switchboard/kit';

/** PrestaShop customer accounts (keyed by id_customer, pointing to Customer by e-mail) and addresses. */
export class ShopCustomerAccounts0102 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('shop_customer_account', (t) => {
          t.integer('id').primary();
          t.string('email', 254).notNullable();
          t.string('first_name', 100).nullable();
          t.string('last_name', 100).nullable();
          t.integer('default_group_id').nullable();
          t.boolean('active').nullable();
          t.boolean('newsletter').nullable();
          t.boolean('optin').nullable();
          t.datetime('registered_at', { useTz: true }).nullable();
          t.datetime('deleted_at', { useTz: true }).nullable();
          t.integer('last_event_id').notNullable();
          t.string('content_hash', 64).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.index(['email'], 'shop_customer_account_email_index');
        })
        .createTable('customer_address', (t) => {
          t.integer('id').primary();
          t.integer('account_id').notNullable();
          t.string('alias', 64).nullable();
          t.string('company', 255).nullable();
          t.string('first_name', 255).nullable();
          t.string('last_name', 255).nullable();
          t.string('address1', 255).nullable();
          t.string('address2', 255).nullable();
          t.string('postcode', 32).nullable();
          t.string('city', 64).nullable();
          t.integer('country_id').nullable();
          t.integer('state_id').nullable();
          t.string('phone', 32).nullable();
          t.string('phone_mobile', 32).nullable();
          t.datetime('deleted_at', { useTz: true }).nullable();
          t.integer('last_event_id').notNullable();
          t.string('content_hash', 64).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.index(['account_id'], 'customer_address_account_id_index');
        }),
    );
  }
}
