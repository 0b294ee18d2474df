import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

export type MigrationClass = new (...args: any[]) => Migration;

/**
 * A migration written with knex's schema builder, so one checked-in file produces the right DDL
 * for both SQLite and PostgreSQL.
 */
export abstract class PortableMigration extends Migration {
  protected get dialect(): 'sqlite' | 'postgresql' {
    return this.config.get('driver')?.name === 'PostgreSqlDriver' ? 'postgresql' : 'sqlite';
  }

  protected schema(build: (schema: Knex.SchemaBuilder) => Knex.SchemaBuilder): void {
    const knex = this.getKnex();
    for (const statement of build(knex.schema).toSQL() as unknown as Knex.Sql[]) {
      this.addSql(knex.raw(statement.sql, statement.bindings as readonly Knex.RawBinding[]));
    }
  }
}
