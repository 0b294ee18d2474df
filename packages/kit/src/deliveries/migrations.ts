import { PortableMigration } from '../db/migration.js';

/** Outbound deliveries and their attempts; every service has them. */
export class KitDeliveryTables0002 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('delivery', (t) => {
          t.string('id', 64).primary();
          t.string('kind', 100).notNullable();
          t.string('reference', 200).nullable();
          t.text('target_url').notNullable();
          t.string('method', 10).notNullable();
          t.text('headers').notNullable();
          t.text('body').notNullable();
          t.string('status', 20).notNullable();
          t.integer('attempts').notNullable();
          t.integer('max_attempts').notNullable();
          t.datetime('next_attempt_at', { useTz: true }).nullable();
          t.integer('last_status_code').nullable();
          t.text('last_error').nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.datetime('completed_at', { useTz: true }).nullable();
          t.index(['status', 'next_attempt_at'], 'delivery_status_next_attempt_at_index');
          t.index(['kind', 'reference'], 'delivery_kind_reference_index');
        })
        .createTable('delivery_attempt', (t) => {
          t.increments('id').primary();
          t.string('delivery_id', 64).notNullable();
          t.integer('attempt').notNullable();
          t.datetime('started_at', { useTz: true }).notNullable();
          t.integer('status_code').nullable();
          t.integer('latency_ms').notNullable();
          t.text('error').nullable();
          t.text('response_excerpt').nullable();
          t.index(['delivery_id', 'attempt'], 'delivery_attempt_delivery_id_attempt_index');
        }),
    );
  }
}
