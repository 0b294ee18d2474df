import { PortableMigration } from '@switchboard/kit';

/** PrestaShop intake: received batches, their events (the event log) and the processing log. */
export class PrestashopIntake0101 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('prestashop_batch', (t) => {
          t.increments('id').primary();
          t.string('batch_id', 100).notNullable();
          t.string('sent_at', 40).nullable();
          t.integer('event_count').notNullable();
          t.integer('new_event_count').notNullable();
          t.integer('times_received').notNullable();
          t.datetime('first_received_at', { useTz: true }).notNullable();
          t.datetime('last_received_at', { useTz: true }).notNullable();
          t.unique(['batch_id'], { indexName: 'prestashop_batch_batch_id_unique' });
        })
        .createTable('prestashop_event', (t) => {
          t.increments('id').primary();
          t.integer('source_event_id').notNullable();
          t.string('batch_id', 100).notNullable();
          t.string('entity_type', 40).notNullable();
          t.string('entity_id', 64).notNullable();
          t.string('entity_name', 255).nullable();
          t.string('action_type', 60).notNullable();
          t.string('hook_name', 120).nullable();
          t.string('hook_timestamp', 40).nullable();
          t.string('transaction_hash', 128).nullable();
          t.string('correlation_id', 128).nullable();
          t.text('change_summary').nullable();
          t.string('content_hash', 64).notNullable();
          t.text('before_data').nullable();
          t.text('after_data').nullable();
          t.text('context_data').nullable();
          t.string('status', 20).notNullable();
          t.text('error').nullable();
          t.integer('attempts').notNullable();
          t.integer('times_received').notNullable();
          t.datetime('received_at', { useTz: true }).notNullable();
          t.datetime('queued_at', { useTz: true }).notNullable();
          t.datetime('processed_at', { useTz: true }).nullable();
          t.unique(['source_event_id'], { indexName: 'prestashop_event_source_event_id_unique' });
          t.index(['status', 'id'], 'prestashop_event_status_id_index');
          t.index(['entity_type', 'entity_id'], 'prestashop_event_entity_type_entity_id_index');
          t.index(['batch_id'], 'prestashop_event_batch_id_index');
        })
        .createTable('prestashop_log', (t) => {
          t.increments('id').primary();
          t.string('level', 10).notNullable();
          t.string('message', 500).notNullable();
          t.text('context').nullable();
          t.integer('source_event_id').nullable();
          t.string('batch_id', 100).nullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.index(['level', 'id'], 'prestashop_log_level_id_index');
        }),
    );
  }
}
