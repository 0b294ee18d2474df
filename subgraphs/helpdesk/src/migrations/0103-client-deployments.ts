import { PortableMigration } from '@switchboard/kit';

export class ClientDeployments0103 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('helpdesk_client', (t) => {
        t.string('label', 40).primary();
        t.string('name', 200).notNullable();
        t.string('api_key_hash', 64).notNullable().unique({ indexName: 'helpdesk_client_api_key_hash_unique' });
        t.string('api_key_hint', 20).notNullable();
        t.string('team', 100).nullable();
        t.string('company_name', 200).nullable();
        t.string('owner_email', 254).nullable();
        t.string('owner_name', 200).nullable();
        t.boolean('active').notNullable().defaultTo(true);
        t.datetime('created_at', { useTz: true }).notNullable();
        t.datetime('key_issued_at', { useTz: true }).notNullable();
        t.datetime('updated_at', { useTz: true }).notNullable();
      }),
    );
  }
}
