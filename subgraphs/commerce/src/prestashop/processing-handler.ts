import type { EventHandler, ServiceRuntime } from '@switchboard/kit';
import { BATCH_RECEIVED, EVENTS_REQUEUED, type ProcessingRequest } from './event-processor.js';
import { prestashopDeps } from './prestashop-deps.js';

/**
 * Processes stored PrestaShop events when the bus delivers a request for them. One request at a
 * time per replica: events of one entity then apply in order, and SQLite has one writer anyway.
 */
export function prestashopProcessingHandler(runtime: ServiceRuntime): EventHandler<ProcessingRequest> {
  const { processor } = prestashopDeps(runtime);
  return {
    name: 'prestashop-processing',
    subjects: [BATCH_RECEIVED, EVENTS_REQUEUED],
    concurrency: 1,
    async handle(event, { em, events, attempt, logger }) {
      const { sourceEventIds, batchId, reason } = event.data;
      logger.debug({ events: sourceEventIds.length, batchId, reason, attempt }, 'processing PrestaShop events');
      // First delivery: the whole request in one transaction (fast). A redelivery means it failed:
      // then each event gets its own savepoint, so one bad event cannot hold back the others.
      if (attempt === 1) await processor.processAll(em, events, sourceEventIds, { coalesce: true });
      else await processor.processIsolated(em, sourceEventIds);
      logger.debug({ events: sourceEventIds.length, batchId }, 'PrestaShop events applied; committing');
    },
  };
}
