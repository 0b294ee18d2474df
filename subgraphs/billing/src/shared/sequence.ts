import { Entity, PrimaryKey, Property, type EntityManager } from '@mikro-orm/core';

/** Gap-free counters (invoice and credit-note numbers), advanced inside the caller's transaction. */
@Entity({ tableName: 'billing_sequence' })
export class Sequence {
  @PrimaryKey({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'integer' })
  value!: number;
}

/**
 * The next value of `name`. The row update takes the row lock on PostgreSQL (SQLite has one
 * writer), so concurrent transactions get distinct, consecutive values.
 */
export async function nextSequenceValue(em: EntityManager, name: string): Promise<number> {
  const connection = em.getConnection();
  const ctx = em.getTransactionContext();
  const updated = await connection.execute<{ value: number }[]>(
    'update billing_sequence set value = value + 1 where name = ? returning value', [name], 'all', ctx,
  );
  if (updated.length > 0) return Number(updated[0]!.value);
  await connection.execute('insert into billing_sequence (name, value) values (?, 0) on conflict (name) do nothing', [name], 'run', ctx);
  const retried = await connection.execute<{ value: number }[]>(
    'update billing_sequence set value = value + 1 where name = ? returning value', [name], 'all', ctx,
  );
  return Number(retried[0]!.value);
}
