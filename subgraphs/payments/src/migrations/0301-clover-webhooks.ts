import { PortableMigration } from '@switchboard/kit';

/** Clover webhooks (both endpoints) and the dispatcher's editable routing tables. */
export class Payments0301CloverWebhooks extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('clover_webhook', (t) => {
          t.string('id', 36).primary();
          t.string('endpoint', 20).notNullable();
          t.string('status', 20).notNullable();
          t.string('reason', 40).nullable();
          t.text('detail').nullable();
          t.string('shape', 20).nullable();
          t.string('app_id', 64).nullable();
          t.text('merchant_ids').nullable();
          t.integer('merchant_count').notNullable().defaultTo(0);
          t.integer('object_count').notNullable().defaultTo(0);
          t.string('verification_code', 100).nullable();
          t.string('dedupe_key', 80).nullable();
          t.text('body').nullable();
          t.integer('body_bytes').notNullable();
          t.string('signature', 200).nullable();
          t.string('remote_ip', 64).nullable();
          t.datetime('received_at', { useTz: true }).notNullable();
          t.string('processing_status', 20).nullable();
          t.integer('processing_attempts').notNullable().defaultTo(0);
          t.datetime('processing_started_at', { useTz: true }).nullable();
          t.text('processing_error').nullable();
          t.text('processing_result').nullable();
          t.datetime('processed_at', { useTz: true }).nullable();
          t.integer('forward_count').notNullable().defaultTo(0);
          t.text('unrouted_merchant_ids').nullable();
          t.unique(['dedupe_key'], { indexName: 'clover_webhook_dedupe_key_unique' });
          t.index(['endpoint', 'received_at'], 'clover_webhook_endpoint_received_at_index');
          t.index(['status', 'received_at'], 'clover_webhook_status_received_at_index');
          t.index(['processing_status'], 'clover_webhook_processing_status_index');
        })
        .createTable('clover_dispatcher_merchant', (t) => {
          t.string('merchant_id', 32).primary();
          t.text('webhook_url').nullable();
          t.text('base_url').nullable();
          t.string('customer', 200).nullable();
          t.boolean('removed').notNullable().defaultTo(false);
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.string('updated_by', 200).nullable();
        })
        .createTable('clover_dispatcher_host', (t) => {
          t.string('host', 260).primary();
          t.boolean('allowed').notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.string('updated_by', 200).nullable();
        })
        .createTable('clover_dispatcher_setting', (t) => {
          t.string('name', 64).primary();
          t.text('value').nullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.string('updated_by', 200).nullable();
        }),
    );
  }
}
