import { DeadlockException, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { GroupCommit, insertRows, type EventEmitter } from '@switchboard/kit';
import type { ValidBatch, ValidEvent } from './batch-validation.js';
import { BATCH_RECEIVED, type ProcessingRequest } from './event-processor.js';
import { PrestashopBatch } from './prestashop-batch.js';
import { PrestashopEvent } from './prestashop-event.js';
import type { PrestashopDeps } from './prestashop-deps.js';
import { ProcessingLog } from './processing-log.js';

export type IntakeStatus = 'accepted' | 'duplicate';

export interface IntakeReceipt {
  batchId: string;
  /** Per event of the batch, in its order: new, or already received (a re-send). */
  results: { index: number; eventId: number; status: IntakeStatus }[];
  accepted: number;
  duplicates: number;
}

/** Batches, and events, written by one transaction at most (their rows, receipts and processing requests). */
const MAX_BATCHES_PER_COMMIT = 100;
const MAX_EVENTS_PER_COMMIT = 1_000;
/** Event ids per processing request: what one processing run takes on (see EventProcessor). */
const IDS_PER_REQUEST = 500;
/** Ids per `in (…)` list. */
const IDS_PER_QUERY = 1_000;

/** Another writer (a replica, or a concurrent commit here) stored some of the same rows first. */
class ConcurrentIntake extends Error {}

/**
 * Stores checked batches durably: a batch's new events, its receipt and the request to process
 * them (an outbox event) commit in one transaction before the module gets its 2xx. Events the
 * module re-sends are recognised by event_id and only counted.
 *
 * Group commit: the batches that arrive while a commit is in progress are written together by the
 * next one — one query per table instead of a transaction per request, and one processing request
 * for all their new events — and each caller is answered once its batch is committed. A group's
 * batches are handled in arrival order, so the same event in two of them is new in the first and a
 * re-send in the second, exactly as if they had come one after the other.
 */
export class BatchIntake {
  private readonly commits: GroupCommit<ValidBatch, IntakeReceipt>;

  constructor(private readonly deps: PrestashopDeps) {
    this.commits = new GroupCommit((batches) => this.write(batches), {
      maxBatch: MAX_BATCHES_PER_COMMIT,
      weigh: (batch) => batch.events.length,
      maxWeight: MAX_EVENTS_PER_COMMIT,
      // SQLite has one writer; PostgreSQL overlaps a commit with the next group.
      concurrency: deps.runtime.db.dialect === 'sqlite' ? 1 : 3,
    });
  }

  /** Resolves once the batch is committed. */
  store(batch: ValidBatch): Promise<IntakeReceipt> {
    return this.commits.submit(batch);
  }

  private async write(batches: ValidBatch[]): Promise<IntakeReceipt[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.runtime.transaction(({ em, events }) => this.writeOnce(em, events, batches));
      } catch (error) {
        // Another writer stored some of the same events or batches first: the next pass sees them.
        const retryable = error instanceof ConcurrentIntake || error instanceof UniqueConstraintViolationException || error instanceof DeadlockException;
        if (retryable && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async writeOnce(em: EntityManager, events: EventEmitter, batches: ValidBatch[]): Promise<IntakeReceipt[]> {
    const now = new Date();
    const log = new ProcessingLog(em, this.deps.config.logLevel);
    const known = await storedHashes(em, [...new Set(batches.flatMap((batch) => batch.events.map((event) => event.sourceEventId)))]);

    /** New events of the group, first version wins, with the batch that delivered them. */
    const fresh = new Map<number, { batchId: string; event: ValidEvent }>();
    /** Deliveries of events already received (stored, or new earlier in this group), per event id. */
    const resent = new Map<number, number>();
    const receipts = batches.map((batch): IntakeReceipt => {
      const inThisBatch = new Set<number>();
      const results = batch.events.map((event) => {
        const id = event.sourceEventId;
        const repeatedInBatch = inThisBatch.has(id);
        inThisBatch.add(id);
        const earlierHash = known.get(id) ?? fresh.get(id)?.event.contentHash;
        if (earlierHash === undefined) {
          fresh.set(id, { batchId: batch.batchId, event });
          return { index: event.index, eventId: id, status: 'accepted' as IntakeStatus };
        }
        // The same event twice in one batch is one delivery.
        if (!repeatedInBatch) resent.set(id, (resent.get(id) ?? 0) + 1);
        if (earlierHash !== event.contentHash) {
          log.write(
            'WARNING',
            `Event ${id} was sent again with different data; the first version is kept`,
            { entityType: event.entityType, entityId: event.entityId, actionType: event.actionType },
            { sourceEventId: id, batchId: batch.batchId },
          );
        }
        return { index: event.index, eventId: id, status: 'duplicate' as IntakeStatus };
      });
      const accepted = results.filter((result) => result.status === 'accepted').length;
      return { batchId: batch.batchId, results, accepted, duplicates: results.length - accepted };
    });

    // Inserted in id order: concurrent writers then lock the same keys in the same order.
    const rows = [...fresh.entries()].sort(([a], [b]) => a - b).map(([, { batchId, event }]) => eventRow(batchId, event, now));
    if ((await insertRows(em, PrestashopEvent, rows, { ignoreConflictsOn: 'sourceEventId' })) !== rows.length) throw new ConcurrentIntake();
    await addReceipts(em, PrestashopEvent, 'source_event_id', resent);

    const timesReceived = await this.recordBatches(em, batches, receipts, now);

    const newIds = [...fresh.keys()];
    const contributors = [...new Set([...fresh.values()].map((entry) => entry.batchId))];
    for (let offset = 0; offset < newIds.length; offset += IDS_PER_REQUEST) {
      events.emit<ProcessingRequest>(
        BATCH_RECEIVED,
        { sourceEventIds: newIds.slice(offset, offset + IDS_PER_REQUEST), batchId: contributors.length === 1 ? contributors[0] : undefined, reason: 'intake' },
        { subject: contributors[0] },
      );
    }
    receipts.forEach((receipt, i) => {
      const batch = batches[i]!;
      log.write(
        'INFO',
        `Received batch ${batch.batchId}: ${receipt.accepted} new event${receipt.accepted === 1 ? '' : 's'}, ${receipt.duplicates} already received`,
        { events: batch.events.length, new: receipt.accepted, sentAt: batch.sentAt, timesReceived: timesReceived[i] },
        { batchId: batch.batchId },
      );
    });
    return receipts;
  }

  /** Batch receipts: new batch ids inserted, re-sent ones counted; returns each batch's receipt count. */
  private async recordBatches(em: EntityManager, batches: ValidBatch[], receipts: IntakeReceipt[], now: Date): Promise<number[]> {
    const ids = [...new Set(batches.map((batch) => batch.batchId))];
    const stored = new Map<string, number>();
    for (const row of await selectIn<{ batch_id: string; times_received: number }>(em, 'select batch_id, times_received from prestashop_batch where batch_id', ids)) {
      stored.set(row.batch_id, Number(row.times_received));
    }
    const seen = new Map<string, number>();
    const timesReceived = batches.map((batch) => {
      const times = (seen.get(batch.batchId) ?? stored.get(batch.batchId) ?? 0) + 1;
      seen.set(batch.batchId, times);
      return times;
    });
    const newBatches = batches.flatMap((batch, i) => (stored.has(batch.batchId) || timesReceived[i] !== 1 ? [] : [{ batch, receipt: receipts[i]! }]));
    const rows = newBatches.map(({ batch, receipt }) => ({
      batchId: batch.batchId,
      sentAt: batch.sentAt,
      eventCount: batch.events.length,
      newEventCount: receipt.accepted,
      timesReceived: seen.get(batch.batchId)!,
      firstReceivedAt: now,
      lastReceivedAt: now,
    }));
    if ((await insertRows(em, PrestashopBatch, rows, { ignoreConflictsOn: 'batchId' })) !== rows.length) throw new ConcurrentIntake();
    const resent = new Map<string, number>();
    for (const id of stored.keys()) resent.set(id, seen.get(id)! - stored.get(id)!);
    await addReceipts(em, PrestashopBatch, 'batch_id', resent, now);
    return timesReceived;
  }
}

/** The content hash of each already stored event among `ids`. */
async function storedHashes(em: EntityManager, ids: number[]): Promise<Map<number, string>> {
  const rows = await selectIn<{ source_event_id: number; content_hash: string }>(em, 'select source_event_id, content_hash from prestashop_event where source_event_id', ids);
  return new Map(rows.map((row) => [Number(row.source_event_id), row.content_hash]));
}

/**
 * `<select> in (…ids)` in the caller's transaction, in chunks, as plain rows: these look-ups run
 * for every group commit, and managed entities (hydration, identity map, a changeset check at the
 * commit) would cost more than the query.
 */
async function selectIn<T>(em: EntityManager, select: string, ids: readonly (string | number)[]): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; offset < ids.length; offset += IDS_PER_QUERY) {
    const chunk = ids.slice(offset, offset + IDS_PER_QUERY);
    rows.push(...((await em.getConnection().execute(`${select} in (${chunk.map(() => '?').join(', ')})`, chunk, 'all', em.getTransactionContext())) as T[]));
  }
  return rows;
}

/**
 * `times_received = times_received + n` for each key: one statement per distinct `n` (almost
 * always one), and `last_received_at` too when given.
 */
async function addReceipts<K extends string | number>(
  em: EntityManager,
  entity: typeof PrestashopEvent | typeof PrestashopBatch,
  keyColumn: string,
  counts: ReadonlyMap<K, number>,
  lastReceivedAt?: Date,
): Promise<void> {
  const byCount = new Map<number, K[]>();
  for (const [key, n] of counts) byCount.set(n, [...(byCount.get(n) ?? []), key]);
  const table = em.getMetadata().get(entity.name).tableName;
  for (const [n, keys] of byCount) {
    for (let offset = 0; offset < keys.length; offset += IDS_PER_QUERY) {
      const chunk = keys.slice(offset, offset + IDS_PER_QUERY);
      const set = lastReceivedAt ? 'times_received = times_received + ?, last_received_at = ?' : 'times_received = times_received + ?';
      const params: unknown[] = lastReceivedAt ? [n, em.getPlatform().processDateProperty(lastReceivedAt)] : [n];
      await em.getConnection().execute(`update ${table} set ${set} where ${keyColumn} in (${chunk.map(() => '?').join(', ')})`, [...params, ...chunk], 'run', em.getTransactionContext());
    }
  }
}

function eventRow(batchId: string, event: ValidEvent, now: Date) {
  return {
    sourceEventId: event.sourceEventId,
    batchId,
    entityType: event.entityType,
    entityId: event.entityId,
    entityName: event.entityName,
    actionType: event.actionType,
    hookName: event.hookName,
    hookTimestamp: event.hookTimestamp,
    transactionHash: event.transactionHash,
    correlationId: event.correlationId,
    changeSummary: event.changeSummary,
    contentHash: event.contentHash,
    beforeData: event.beforeJson,
    afterData: event.afterJson,
    contextData: event.contextJson,
    status: 'pending' as const,
    error: null,
    attempts: 0,
    timesReceived: 1,
    receivedAt: now,
    queuedAt: now,
    processedAt: null,
  };
}
