import type { EntityManager } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';

/**
 * One `insert … values (…), (…), …` for many rows of an entity, built from the entity's metadata
 * (column names, dates as the platform stores them) without the unit of work: the webhook hot
 * path writes hundreds of rows a second, and hydrating and diffing an entity per row cost more
 * than the statement itself. `ignoreConflictsOn` adds `on conflict (<column>) do nothing`
 * (PostgreSQL and SQLite alike). Runs in `em`'s transaction; returns the rows inserted.
 */
export async function insertRows<T extends object>(
  em: EntityManager,
  entity: new (...args: never[]) => T,
  rows: readonly Partial<T>[],
  options: { ignoreConflictsOn?: keyof T & string } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const meta = em.getMetadata().get(entity.name);
  const platform = em.getPlatform();
  const properties = Object.keys(rows[0]!) as (keyof T & string)[];
  const columns = properties.map((name) => {
    const property = meta.properties[name];
    if (!property) throw new Error(`${entity.name} has no property ${name}`);
    return { name, column: property.fieldNames[0]!, isDate: property.runtimeType === 'Date' || property.type === 'datetime' };
  });
  const params: unknown[] = [];
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (const row of rows) {
    for (const { name, isDate } of columns) {
      const value = (row as Record<string, unknown>)[name];
      params.push(value instanceof Date && isDate ? platform.processDateProperty(value) : (value ?? null));
    }
  }
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  const conflict = options.ignoreConflictsOn ? ` on conflict (${quote(meta.properties[options.ignoreConflictsOn]!.fieldNames[0]!)}) do nothing` : '';
  const sql = `insert into ${quote(meta.tableName)} (${columns.map((c) => quote(c.column)).join(', ')}) values ${rows.map(() => tuple).join(', ')}${conflict}`;
  // Bound parameters (MikroORM's `execute` would inline every value into the SQL text first).
  let query = (em as SqlEntityManager).getKnex().raw(sql, params as Knex.RawBinding[]);
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) query = query.transacting(transaction);
  return affectedRowsOf(await query);
}

/** `pg` answers `{ rowCount }`, better-sqlite3 `{ changes }`. */
function affectedRowsOf(result: unknown): number {
  const r = result as { rowCount?: number | null; changes?: number };
  return r.rowCount ?? r.changes ?? 0;
}
