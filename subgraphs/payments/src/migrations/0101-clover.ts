import { PortableMigration } from '@switchboard/kit';

/** Clover: merchant connections, terminals, and the payment columns charges/refunds/credits need. */
export class Payments0101Clover extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('clover_connection', (t) => {
          t.string('id', 36).primary();
          t.string('label', 200).notNullable();
          t.string('environment', 20).notNullable();
          t.string('merchant_id', 32).nullable();
          t.string('merchant_name', 200).nullable();
          t.string('app_id', 64).notNullable();
          t.text('app_secret_sealed').notNullable();
          t.string('remote_app_id', 128).nullable();
          t.text('rest_api_token_sealed').nullable();
          t.text('ecommerce_private_key_sealed').nullable();
          t.text('access_token_sealed').nullable();
          t.datetime('access_token_expires_at', { useTz: true }).nullable();
          t.text('refresh_token_sealed').nullable();
          t.datetime('refresh_token_expires_at', { useTz: true }).nullable();
          t.integer('token_version').notNullable().defaultTo(0);
          t.string('refresh_lease_owner', 64).nullable();
          t.datetime('refresh_lease_until', { useTz: true }).nullable();
          t.string('secrets_key_id', 32).nullable();
          t.string('status', 30).notNullable().defaultTo('not_connected');
          t.string('currency', 3).notNullable().defaultTo('USD');
          t.decimal('surcharge_percent', 7, 4).notNullable().defaultTo(0);
          t.decimal('surcharge_fixed', 18, 2).notNullable().defaultTo(0);
          t.text('last_error').nullable();
          t.datetime('connected_at', { useTz: true }).nullable();
          t.datetime('last_refreshed_at', { useTz: true }).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.unique(['environment', 'merchant_id'], { indexName: 'clover_connection_environment_merchant_id_unique' });
        })
        .createTable('clover_terminal', (t) => {
          t.string('id', 36).primary();
          t.string('connection_id', 36).notNullable();
          t.string('device_id', 64).notNullable();
          t.string('serial', 64).notNullable();
          t.string('name', 200).notNullable();
          t.string('model', 100).nullable();
          t.string('product_name', 100).nullable();
          t.boolean('is_default').notNullable().defaultTo(false);
          t.datetime('last_ping_at', { useTz: true }).nullable();
          t.boolean('last_ping_ok').nullable();
          t.text('last_ping_message').nullable();
          t.datetime('synced_at', { useTz: true }).notNullable();
          t.datetime('removed_at', { useTz: true }).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.unique(['connection_id', 'serial'], { indexName: 'clover_terminal_connection_id_serial_unique' });
          t.index(['connection_id', 'is_default'], 'clover_terminal_connection_id_is_default_index');
        })
        .alterTable('payment', (t) => {
          t.datetime('updated_at', { useTz: true }).nullable();
          t.string('invoice_id', 100).nullable();
          t.string('order_id', 100).nullable();
          t.string('connection_id', 36).nullable();
          t.string('provider_payment_id', 64).nullable();
          t.string('parent_payment_id', 64).nullable();
          t.string('idempotency_key', 255).nullable();
          t.string('request_hash', 64).nullable();
          t.string('method', 20).nullable();
          t.string('channel', 10).nullable();
          t.string('terminal_id', 36).nullable();
          t.string('provider_operation', 30).nullable();
          t.string('source_token', 128).nullable();
          t.decimal('base_amount_value', 18, 2).nullable();
          t.decimal('surcharge_amount_value', 18, 2).nullable();
          t.decimal('refunded_amount_value', 18, 2).notNullable().defaultTo(0);
          t.string('card_brand', 20).nullable();
          t.string('card_last4', 4).nullable();
          t.string('description', 255).nullable();
          t.string('failure_code', 64).nullable();
          t.text('failure_message').nullable();
          t.datetime('provider_created_at', { useTz: true }).nullable();
          t.integer('attempts').notNullable().defaultTo(0);
          t.index(['invoice_id'], 'payment_invoice_id_index');
          t.index(['order_id'], 'payment_order_id_index');
          t.index(['parent_payment_id'], 'payment_parent_payment_id_index');
          t.index(['provider_payment_id'], 'payment_provider_payment_id_index');
          t.index(['status', 'updated_at'], 'payment_status_updated_at_index');
          t.unique(['idempotency_key'], { indexName: 'payment_idempotency_key_unique' });
        }),
    );
  }
}
