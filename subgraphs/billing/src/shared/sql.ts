import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';

/** The bits of better-sqlite3 used on the hot paths. */
interface SqliteStatement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}
interface SqliteConnection {
  prepare(source: string): SqliteStatement;
}

const MAX_CACHED_STATEMENTS = 500;
const statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

export function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().getConfig().get('driver')?.name === 'PostgreSqlDriver';
}

/**
 * SQLite inside a transaction: the transaction's own better-sqlite3 connection (SQLite has one),
 * with each statement prepared once. Undefined elsewhere.
 */
async function sqliteStatement(em: EntityManager, query: string): Promise<SqliteStatement | undefined> {
  if (isPostgres(em)) return undefined;
  const trx = em.getTransactionContext<{ client?: { acquireConnection(): Promise<SqliteConnection> } }>();
  if (!trx?.client) return undefined;
  const connection = await trx.client.acquireConnection();
  let cache = statements.get(connection);
  if (!cache || cache.size > MAX_CACHED_STATEMENTS) statements.set(connection, (cache = new Map()));
  let statement = cache.get(query);
  if (!statement) cache.set(query, (statement = connection.prepare(query)));
  return statement;
}

/**
 * Raw SQL at the edges (bulk ingestion, aggregates), in the caller's transaction when there is one.
 * Parameters are already in the driver's form (see `dbDate`). PostgreSQL gets them as bound
 * parameters; on SQLite inside a transaction the statement runs from a prepared-statement cache
 * instead of being compiled every time: the usage ingestion runs a handful of these per request.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
  const statement = await sqliteStatement(em, query);
  if (statement) {
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  }
  if (isPostgres(em)) {
    // Bound parameters ($1…): MikroORM's execute() would inline them into the SQL text, which for
    // a batch's JSON document means escaping and re-parsing a 150 KB literal.
    const raw = (em as SqlEntityManager).getKnex().raw(query, params as never[]);
    const trx = em.getTransactionContext();
    if (trx) raw.transacting(trx);
    return ((await raw) as unknown as { rows: T[] }).rows;
  }
  return em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
}

/** Runs one prepared statement per row on SQLite (no multi-row statements to compile). */
export async function sqliteEach(em: EntityManager, query: string, rows: readonly unknown[][]): Promise<unknown[][]> {
  const statement = await sqliteStatement(em, query);
  if (!statement) throw new Error('sqliteEach runs on SQLite inside a transaction');
  return rows.map((params) => (statement.reader ? statement.all(...params) : (statement.run(...params), [])));
}

/** A Date as the driver stores it: epoch milliseconds on SQLite, a Date on PostgreSQL. */
export function dbDate(em: EntityManager, date: Date): unknown {
  return em.getPlatform().processDateProperty(date);
}

/** A date column read by raw SQL back into a Date. */
export function fromDbDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return new Date(Number(value));
  return new Date(String(value));
}

/** `?, ?, ?` for an IN list. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
