import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { ReadMarker } from './read-marker.js';

/**
 * Record that `reader` has seen `ticketId` up to `messageId`. Monotonic: an older id never lowers
 * the mark. One statement (insert … on conflict do update … where lower), so concurrent marks by
 * the same reader cannot create two rows or move the mark backwards, on SQLite and PostgreSQL.
 */
export async function markSeen(em: EntityManager, reader: string, ticketId: string, messageId: number): Promise<void> {
  if (!Number.isInteger(messageId) || messageId <= 0) return;
  await (em as SqlEntityManager)
    .createQueryBuilder(ReadMarker)
    .insert({ reader, ticketId, lastSeenMessageId: messageId, updatedAt: new Date() })
    .onConflict(['reader', 'ticketId'])
    .merge(['lastSeenMessageId', 'updatedAt'])
    .where({ lastSeenMessageId: { $lt: messageId } })
    .execute();
}

/** `{ticketId: lastSeenMessageId}` for the tickets this reader has a mark on (the seed's `_seen_map`). */
export async function seenMap(em: EntityManager, reader: string, ticketIds: readonly string[]): Promise<Map<string, number>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await em.find(ReadMarker, { reader, ticketId: { $in: [...ticketIds] } });
  return new Map(rows.map((row) => [row.ticketId, row.lastSeenMessageId]));
}

/** Marks of many readers at once (Customer.unreadTicketCount batches the reporters of many tickets). */
export async function seenByReaders(em: EntityManager, pairs: readonly { reader: string; ticketId: string }[]): Promise<Map<string, number>> {
  if (pairs.length === 0) return new Map();
  const rows = await em.find(ReadMarker, {
    reader: { $in: [...new Set(pairs.map((p) => p.reader))] },
    ticketId: { $in: [...new Set(pairs.map((p) => p.ticketId))] },
  });
  return new Map(rows.map((row) => [`${row.reader}\u0000${row.ticketId}`, row.lastSeenMessageId]));
}
