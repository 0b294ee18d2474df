import { raw, type EntityManager } from '@mikro-orm/core';
import { PrestashopEvent, type EventStatus } from './prestashop-event.js';

/**
 * The stored events a processing run works on, read and settled with plain SQL: a run reads
 * up to 500 rows of several kilobytes each, and managed entities (hydration, snapshots, change
 * tracking) for data that is only parsed once and then marked done cost more than the rest of
 * the run.
 */
export interface PendingEvent {
  id: number;
  sourceEventId: number;
  batchId: string;
  entityType: string;
  entityId: string;
  actionType: string;
  hookName: string | null;
  hookTimestamp: string | null;
  contentHash: string;
  afterData: string | null;
  contextData: string | null;
  receivedAt: Date;
}

const COLUMNS =
  'id, source_event_id, batch_id, entity_type, entity_id, action_type, hook_name, hook_timestamp, content_hash, after_data, context_data, received_at';

/**
 * Pending events among `sourceEventIds`, in event order. On PostgreSQL they are locked: a replica
 * (or the stale-event sweep) asking for the same events waits, then finds them no longer pending.
 */
export async function lockRequested(em: EntityManager, dialect: string, sourceEventIds: number[]): Promise<PendingEvent[]> {
  if (sourceEventIds.length === 0) return [];
  const marks = sourceEventIds.map(() => '?').join(', ');
  const rows = await em
    .getConnection()
    .execute(
      `select ${COLUMNS} from prestashop_event where status = 'pending' and source_event_id in (${marks}) order by source_event_id${dialect === 'postgresql' ? ' for update' : ''}`,
      sourceEventIds,
      'all',
      em.getTransactionContext(),
    );
  return rows.map(toPendingEvent);
}

/** The oldest other pending events, up to `limit`; on PostgreSQL, those a replica holds are skipped. */
export async function lockOthers(em: EntityManager, dialect: string, excluded: number[], limit: number): Promise<PendingEvent[]> {
  if (limit <= 0) return [];
  const exclusion = excluded.length ? ` and source_event_id not in (${excluded.map(() => '?').join(', ')})` : '';
  const rows = await em
    .getConnection()
    .execute(
      `select ${COLUMNS} from prestashop_event where status = 'pending'${exclusion} order by source_event_id limit ?${dialect === 'postgresql' ? ' for update skip locked' : ''}`,
      [...excluded, limit],
      'all',
      em.getTransactionContext(),
    );
  return rows.map(toPendingEvent);
}

/** Records what processing decided: one statement per status, one per failure (with its error). */
export async function settle(
  em: EntityManager,
  outcomes: Map<PendingEvent, { status: EventStatus; error?: string }>,
  at: Date,
): Promise<void> {
  const byStatus = new Map<EventStatus, number[]>();
  for (const [event, outcome] of outcomes) {
    if (outcome.status === 'failed') {
      await em.nativeUpdate(
        PrestashopEvent,
        { id: event.id },
        { status: 'failed', error: outcome.error ?? 'failed', attempts: raw('attempts + 1'), processedAt: at },
      );
      continue;
    }
    const ids = byStatus.get(outcome.status) ?? [];
    ids.push(event.id);
    byStatus.set(outcome.status, ids);
  }
  for (const [status, ids] of byStatus) {
    await em.nativeUpdate(PrestashopEvent, { id: { $in: ids } }, { status, error: null, processedAt: at });
  }
}

function toPendingEvent(row: Record<string, any>): PendingEvent {
  return {
    id: Number(row.id),
    sourceEventId: Number(row.source_event_id),
    batchId: row.batch_id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    actionType: row.action_type,
    hookName: row.hook_name ?? null,
    hookTimestamp: row.hook_timestamp ?? null,
    contentHash: row.content_hash,
    afterData: row.after_data ?? null,
    contextData: row.context_data ?? null,
    receivedAt: new Date(typeof row.received_at === 'string' && /^\d+$/.test(row.received_at) ? Number(row.received_at) : row.received_at),
  };
}
