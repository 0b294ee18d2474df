import { PortableMigration } from '../db/migration.js';
import { KitDeliveryTables0002 } from '../deliveries/migrations.js';

/** The kit's own tables (outbox, inbox, dead letters); every service applies it first. */
export class KitEventTables0001 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('outbox_event', (t) => {
          t.string('id', 64).primary();
          t.string('type', 200).notNullable();
          t.text('envelope').notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('published_at', { useTz: true }).nullable();
          t.integer('publish_attempts').notNullable();
          t.text('last_error').nullable();
          t.index(['published_at', 'created_at'], 'outbox_event_published_at_created_at_index');
        })
        .createTable('processed_event', (t) => {
          t.increments('id').primary();
          t.string('consumer', 200).notNullable();
          t.string('event_id', 64).notNullable();
          t.datetime('processed_at', { useTz: true }).notNullable();
          t.unique(['consumer', 'event_id'], { indexName: 'processed_event_consumer_event_id_unique' });
        })
        .createTable('dead_letter', (t) => {
          t.increments('id').primary();
          t.string('consumer', 200).notNullable();
          t.string('event_id', 64).notNullable();
          t.string('event_type', 200).notNullable();
          t.text('envelope').notNullable();
          t.text('error').notNullable();
          t.integer('attempts').notNullable();
          t.string('status', 20).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('updated_at', { useTz: true }).notNullable();
          t.datetime('replayed_at', { useTz: true }).nullable();
          t.unique(['consumer', 'event_id'], { indexName: 'dead_letter_consumer_event_id_unique' });
        }),
    );
  }
}

export const KIT_MIGRATIONS = [
  { name: '0000-kit-event-tables', class: KitEventTables0001 },
  { name: '0001-kit-delivery-tables', class: KitDeliveryTables0002 },
];
