import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';

/**
 * The next value of a named counter, in the caller's transaction. The row update takes the row
 * lock (PostgreSQL) or the write lock (SQLite), so concurrent tickets never share a number.
 */
export async function nextSequenceValue(em: EntityManager, name: string): Promise<number> {
  const rows = await (em as SqlEntityManager).execute<{ value: number | string }[]>(
    'update helpdesk_sequence set value = value + 1 where name = ? returning value',
    [name],
  );
  const value = rows[0]?.value;
  if (value === undefined) throw new Error(`helpdesk_sequence has no row named ${name}`);
  return Number(value);
}

/** HD-000042 */
export function formatTicketReference(n: number): string {
  return `HD-${String(n).padStart(6, '0')}`;
}

export async function nextTicketReference(em: EntityManager): Promise<string> {
  return formatTicketReference(await nextSequenceValue(em, 'ticket'));
}
