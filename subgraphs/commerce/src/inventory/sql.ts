import type { EntityManager } from '@mikro-orm/core';

/**
 * Plain SQL inside `em`'s transaction when it has one, for statements the ORM cannot express
 * portably (multi-row insert-or-ignore, UPDATE … RETURNING) and for the per-attempt hot path.
 * `?` placeholders; the same text on SQLite and PostgreSQL.
 */
export async function execute(em: EntityManager, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  return (await em.getConnection().execute(sql, params, 'all', em.getTransactionContext())) as Record<string, unknown>[];
}

/** A statement that returns no rows; resolves to the number of rows it changed. */
export async function executeRun(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const result = (await em.getConnection().execute(sql, params, 'run', em.getTransactionContext())) as { affectedRows?: number };
  return result.affectedRows ?? 0;
}

/** `?, ?, ?` for a list of parameters. */
export const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');
