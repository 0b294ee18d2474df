import type { EntityManager } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';

/** Rows per statement: bound parameters stay far below PostgreSQL's 65,535 and SQLite's 32,766. */
const ROWS_PER_STATEMENT = 500;

/**
 * `insert … values (…), (…), …` for many rows of an entity, built from the entity's metadata
 * (column names, dates as the platform stores them) without the unit of work: on a hot path,
 * hydrating and diffing an entity per row costs more than the statement itself. Every row must
 * have the same keys (the first row's decide the columns). `ignoreConflictsOn` adds
 * `on conflict (<column>) do nothing` (PostgreSQL and SQLite alike). Runs in `em`'s transaction
 * when there is one; long lists are split into several statements. Returns the rows inserted.
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
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  const conflict = options.ignoreConflictsOn ? ` on conflict (${quote(meta.properties[options.ignoreConflictsOn]!.fieldNames[0]!)}) do nothing` : '';
  const head = `insert into ${quote(meta.tableName)} (${columns.map((c) => quote(c.column)).join(', ')}) values `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const transaction = em.getTransactionContext<Knex.Transaction>();
  let inserted = 0;
  for (let offset = 0; offset < rows.length; offset += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(offset, offset + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const row of chunk) {
      for (const { name, isDate } of columns) {
        const value = (row as Record<string, unknown>)[name];
        params.push(value instanceof Date && isDate ? platform.processDateProperty(value) : (value ?? null));
      }
    }
    // Bound parameters (MikroORM's `execute` would inline every value into the SQL text first).
    let query = (em as SqlEntityManager).getKnex().raw(`${head}${chunk.map(() => tuple).join(', ')}${conflict}`, params as Knex.RawBinding[]);
    if (transaction) query = query.transacting(transaction);
    inserted += affectedRowsOf(await query);
  }
  return inserted;
}

/** `pg` answers `{ rowCount }`, better-sqlite3 `{ changes }`. */
function affectedRowsOf(result: unknown): number {
  const r = result as { rowCount?: number | null; changes?: number };
  return r.rowCount ?? r.changes ?? 0;
}
