import { PortableMigration } from '@switchboard/kit';

export class Approvals0106 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s
        .createTable('approval_request', (t) => {
          t.string('id', 64).primary();
          t.string('ticket_id', 64).notNullable();
          t.string('batch_id', 64).notNullable();
          t.string('client_label', 40).notNullable();
          t.string('owner_email', 254).notNullable();
          t.string('owner_name', 200).nullable();
          t.text('summary').nullable();
          t.text('personal_note').nullable();
          t.string('state', 20).notNullable().defaultTo('pending');
          t.string('requested_by', 254).notNullable();
          t.datetime('requested_at', { useTz: true }).notNullable();
          t.datetime('reminded_at', { useTz: true }).nullable();
          t.datetime('decided_at', { useTz: true }).nullable();
          t.text('decision_comment').nullable();
          t.index(['batch_id'], 'approval_request_batch_id_index');
          t.index(['ticket_id', 'requested_at'], 'approval_request_ticket_id_requested_at_index');
          t.index(['state', 'requested_at'], 'approval_request_state_requested_at_index');
        })
        .createTable('approval_token', (t) => {
          t.increments('id').primary();
          t.string('approval_id', 64).notNullable();
          t.string('token_hash', 64).notNullable().unique({ indexName: 'approval_token_token_hash_unique' });
          t.string('purpose', 20).notNullable();
          t.datetime('created_at', { useTz: true }).notNullable();
          t.datetime('used_at', { useTz: true }).nullable();
          t.index(['approval_id'], 'approval_token_approval_id_index');
        }),
    );
  }
}
