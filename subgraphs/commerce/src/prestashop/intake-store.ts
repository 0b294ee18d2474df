import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
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

/**
 * Stores a checked batch durably: the new events, the batch receipt and the request to process
 * them (an outbox event) commit in one transaction, before the module gets its 2xx. Events the
 * module re-sends are recognised by event_id and only counted.
 */
export async function storeBatch(deps: PrestashopDeps, batch: ValidBatch): Promise<IntakeReceipt> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await storeOnce(deps, batch);
    } catch (error) {
      // The same batch arriving twice at once: one insert wins, the other sees its events stored.
      if (error instanceof UniqueConstraintViolationException && attempt < 3) continue;
      throw error;
    }
  }
}

async function storeOnce(deps: PrestashopDeps, batch: ValidBatch): Promise<IntakeReceipt> {
  return deps.runtime.transaction(async ({ em, events }) => {
    const now = new Date();
    const log = new ProcessingLog(em, deps.config.logLevel);
    const ids = [...new Set(batch.events.map((event) => event.sourceEventId))];
    const known = new Map(
      (await em.find(PrestashopEvent, { sourceEventId: { $in: ids } }, { fields: ['sourceEventId', 'contentHash'] })).map((row) => [
        row.sourceEventId,
        row.contentHash,
      ]),
    );

    const fresh = new Map<number, ValidEvent>();
    const results = batch.events.map((event) => {
      const seen = known.has(event.sourceEventId) || fresh.has(event.sourceEventId);
      if (!seen) fresh.set(event.sourceEventId, event);
      const earlier = known.get(event.sourceEventId);
      if (earlier !== undefined && earlier !== event.contentHash) {
        log.write(
          'WARNING',
          `Event ${event.sourceEventId} was sent again with different data; the first version is kept`,
          { entityType: event.entityType, entityId: event.entityId, actionType: event.actionType },
          { sourceEventId: event.sourceEventId, batchId: batch.batchId },
        );
      }
      return { index: event.index, eventId: event.sourceEventId, status: (seen ? 'duplicate' : 'accepted') as IntakeStatus };
    });

    if (fresh.size > 0) {
      await em.insertMany(PrestashopEvent, [...fresh.values()].map((event) => eventRow(batch.batchId, event, now)));
    }
    if (known.size > 0) {
      await em.nativeUpdate(PrestashopEvent, { sourceEventId: { $in: [...known.keys()] } }, { timesReceived: raw('times_received + 1') });
    }
    const receipt = await em.findOne(PrestashopBatch, { batchId: batch.batchId });
    if (receipt) {
      receipt.timesReceived += 1;
      receipt.lastReceivedAt = now;
    } else {
      em.persist(
        Object.assign(new PrestashopBatch(), {
          batchId: batch.batchId,
          sentAt: batch.sentAt,
          eventCount: batch.events.length,
          newEventCount: fresh.size,
          firstReceivedAt: now,
          lastReceivedAt: now,
        }),
      );
    }
    if (fresh.size > 0) {
      events.emit<ProcessingRequest>(BATCH_RECEIVED, { sourceEventIds: [...fresh.keys()], batchId: batch.batchId, reason: 'intake' }, { subject: batch.batchId });
    }
    log.write(
      'INFO',
      `Received batch ${batch.batchId}: ${fresh.size} new event${fresh.size === 1 ? '' : 's'}, ${batch.events.length - fresh.size} already received`,
      { events: batch.events.length, new: fresh.size, sentAt: batch.sentAt, timesReceived: (receipt?.timesReceived ?? 1) },
      { batchId: batch.batchId },
    );
    return { batchId: batch.batchId, results, accepted: fresh.size, duplicates: batch.events.length - fresh.size };
  });
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
    attempts: 0,
    timesReceived: 1,
    receivedAt: now,
    queuedAt: now,
  };
}
