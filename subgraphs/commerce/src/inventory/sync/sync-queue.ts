import { LockMode, raw, type EntityManager } from '@mikro-orm/core';
import type { Dialect, EventEmitter, ServiceRuntime } from '@switchboard/kit';
import { executeRun, placeholders } from '../sql.js';
import { SyncJob, type SyncTrigger } from './sync-job.js';
import { VariantSyncState } from './variant-sync-state.js';

/** Bus subjects that carry the jobs (stream COMMERCE). */
export const VARIANT_SYNC_REQUESTED = 'commerce.inventory_sync.variant_requested';
export const FULL_SYNC_REQUESTED = 'commerce.inventory_sync.full_requested';

export interface JobRequested {
  jobId: string;
}

export interface VariantSyncRequest {
  variants: { id: string; sku: string }[];
  trigger: SyncTrigger;
  parentId?: string;
  reference?: string | null;
}

export interface VariantSyncRequestOutcome {
  /** New VARIANT_SYNC jobs, one per variant that had none waiting. */
  queued: SyncJob[];
  /** Waiting jobs the other variants' requests were merged into. */
  coalescedInto: string[];
}

type Tx = { em: EntityManager; events: EventEmitter };

/**
 * Puts sync work on the bus: job rows and their `…_requested` events commit in the caller's
 * transaction (outbox), so a trigger that commits is never lost and one that rolls back queues
 * nothing.
 */
export class SyncQueue {
  constructor(
    private readonly dialect: Dialect,
    private readonly limits: { variantSyncAttempts: number; fullSyncAttempts: number },
  ) {}

  /**
   * Queues a VARIANT_SYNC per variant, or merges the request into the variant's job that is still
   * waiting (the stock is read when a job runs, so the merged job sends the latest figure).
   * Set-based: a page of 500 variants costs a handful of statements, not 500 round trips.
   */
  async requestVariantSyncs(tx: Tx, request: VariantSyncRequest): Promise<VariantSyncRequestOutcome> {
    const skus = new Map(request.variants.map((v) => [v.id, v.sku]));
    // Sorted: concurrent requesters take the row locks in the same order (no deadlock).
    const ids = [...skus.keys()].sort();
    if (ids.length === 0) return { queued: [], coalescedInto: [] };
    const { em, events } = tx;

    await executeRun(em, `insert into inventory_sync_variant (variant_id) values ${ids.map(() => '(?)').join(', ')} on conflict (variant_id) do nothing`, ids);
    const states = await em.find(VariantSyncState, { variantId: { $in: ids } }, {
      orderBy: { variantId: 'asc' },
      // SQLite already holds the database write lock since the insert above.
      ...(this.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}),
    });
    const waitingIds = states.flatMap((s) => (s.waitingJobId ? [s.waitingJobId] : []));
    const stillWaiting = waitingIds.length
      ? new Set((await em.find(SyncJob, { id: { $in: waitingIds }, state: { $in: ['waiting', 'delayed'] } }, { fields: ['id'] })).map((j) => j.id))
      : new Set<string>();
    const coalescedInto = waitingIds.filter((id) => stillWaiting.has(id));
    if (coalescedInto.length) {
      await em.nativeUpdate(SyncJob, { id: { $in: coalescedInto } }, { coalesced: raw('coalesced + 1'), updatedAt: new Date() });
    }

    const merged = new Set(states.filter((s) => s.waitingJobId && stillWaiting.has(s.waitingJobId)).map((s) => s.variantId));
    const queued = ids
      .filter((id) => !merged.has(id))
      .map((id) =>
        em.create(SyncJob, {
          type: 'VARIANT_SYNC',
          trigger: request.trigger,
          variantId: id,
          variantSku: skus.get(id)!,
          parentId: request.parentId ?? null,
          reference: request.reference?.slice(0, 200) ?? null,
          maxAttempts: this.limits.variantSyncAttempts,
        }),
      );
    if (queued.length) {
      const cases = queued.map(() => 'when ? then ?').join(' ');
      await executeRun(
        em,
        `update inventory_sync_variant set waiting_job_id = case variant_id ${cases} end where variant_id in (${placeholders(queued.length)})`,
        [...queued.flatMap((job) => [job.variantId, job.id]), ...queued.map((job) => job.variantId)],
      );
    }
    for (const job of queued) events.emit<JobRequested>(VARIANT_SYNC_REQUESTED, { jobId: job.id }, { subject: job.variantSku ?? undefined });
    return { queued, coalescedInto };
  }

  /**
   * Queues a FULL_SYNC. A full sync that has not started yet absorbs the request: two clicks on
   * "sync everything" make one sync.
   */
  async queueFullSync(runtime: ServiceRuntime, request: { trigger: SyncTrigger; reference?: string | null }): Promise<{ job: SyncJob; coalesced: boolean }> {
    return runtime.transaction(async ({ em, events }) => {
      const pending = await em.findOne(SyncJob, { type: 'FULL_SYNC', state: 'waiting' }, { orderBy: { createdAt: 'asc' } });
      if (pending) {
        pending.coalesced += 1;
        pending.updatedAt = new Date();
        return { job: pending, coalesced: true };
      }
      const job = em.create(SyncJob, {
        type: 'FULL_SYNC',
        trigger: request.trigger,
        reference: request.reference?.slice(0, 200) ?? null,
        maxAttempts: this.limits.fullSyncAttempts,
      });
      events.emit<JobRequested>(FULL_SYNC_REQUESTED, { jobId: job.id }, { subject: job.id });
      return { job, coalesced: false };
    });
  }
}
