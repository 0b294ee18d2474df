import { PortableMigration } from '@switchboard/kit';

export class Customers0001 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('customer', (t) => {
        t.string('email', 254).primary();
        t.string('name', 200).notNullable();
        t.datetime('created_at', { useTz: true }).notNullable();
        t.datetime('updated_at', { useTz: true }).notNullable();
      }),
    );
  }
}
