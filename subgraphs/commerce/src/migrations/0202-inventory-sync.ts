import type { Knex } from '@mikro-orm/knex';
import { PortableMigration } from '@switchboard/kit';

const logColumns = (t: Knex.CreateTableBuilder) => {
  t.string('id', 36).primary();
  t.string('trigger_type', 30).notNullable();
  t.string('variant_id', 36).nullable();
  t.string('variant_sku', 100).notNullable();
  t.jsonb('request_payload').notNullable();
  t.jsonb('response_payload').nullable();
  t.string('status', 10).notNullable();
  t.text('error_message').nullable();
  t.string('job_id', 36).nullable();
  t.integer('attempt').nullable();
  t.datetime('created_at', { useTz: true }).notNullable();
};

/** Inventory sync to Odoo: jobs, per-variant coalescing/lease, sync log (+ archive), health, rate-limit slots. */
export class InventorySync0202 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('inventory_sync_job', (t) => {
          t.string('id', 36).primary();
          t.string('type', 20).notNullable();
          t.string('trigger', 30).notNullable();
          t.string('state', 20).notNullable();
          t.string('variant_id', 36).nullable();
          t.string('variant_sku', 100).nullable();
          t.string('parent_id', 36).nullable();
          t.string('reference', 200).nullable();
          t.integer('attempts').notNullable();
          t.integer('max_attempts').notNullable();
          t.integer('coalesced').notNullable();
          t.jsonb('result').nullable();
          t.text('error').nullable();
          t.datetime('next_attempt_at', { useTz: true }).nullable();
          t.integer('variants_scanned').notNullable();
          t.integer('children_total').notNullable();
          t.integer('children_settled').notNullable();
          t.integer('children_failed').notNullable();
          t.string('fanout_cursor', 36).nullable();
          t.boolean('fanout_done').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('started_at', { useTz: true }).nullable();
          t.datetime('finished_at', { useTz: true }).nullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.index(['state', 'type'], 'inventory_sync_job_state_type_index');
          t.index(['variant_id', 'state'], 'inventory_sync_job_variant_id_state_index');
          t.index(['parent_id'], 'inventory_sync_job_parent_id_index');
          t.index(['type', 'state', 'finished_at'], 'inventory_sync_job_type_state_finished_at_index');
        })
        .createTable('inventory_sync_variant', (t) => {
          t.string('variant_id', 36).primary();
          t.string('waiting_job_id', 36).nullable();
          t.string('active_job_id', 36).nullable();
          t.datetime('active_since', { useTz: true }).nullable();
          t.string('last_status', 10).nullable();
          t.datetime('last_attempt_at', { useTz: true }).nullable();
          t.datetime('last_synced_at', { useTz: true }).nullable();
          t.integer('last_quantity').nullable();
          t.text('last_error').nullable();
        })
        .createTable('odoo_sync_log', (t) => {
          logColumns(t);
          t.index(['created_at'], 'odoo_sync_log_created_at_index');
          t.index(['status', 'created_at'], 'odoo_sync_log_status_created_at_index');
          t.index(['trigger_type', 'created_at'], 'odoo_sync_log_trigger_type_created_at_index');
          t.index(['variant_sku'], 'odoo_sync_log_variant_sku_index');
          t.index(['job_id'], 'odoo_sync_log_job_id_index');
        })
        .createTable('odoo_sync_log_archive', (t) => {
          logColumns(t);
          t.datetime('archived_at', { useTz: true }).notNullable();
          t.index(['created_at'], 'odoo_sync_log_archive_created_at_index');
        })
        .createTable('inventory_sync_health', (t) => {
          t.string('source', 100).primary();
          t.integer('consecutive_failures').notNullable();
          t.text('last_error').nullable();
          t.datetime('last_failure_at', { useTz: true }).nullable();
          t.datetime('last_success_at', { useTz: true }).nullable();
        })
        .createTable('inventory_rate_slot', (t) => {
          t.string('key', 100).notNullable();
          t.integer('slot').notNullable();
          t.bigInteger('busy_until_us').notNullable();
          t.primary(['key', 'slot']);
          t.index(['key', 'busy_until_us'], 'inventory_rate_slot_key_busy_until_us_index');
        }),
    );
  }
}
