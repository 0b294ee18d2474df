import { randomUUID } from 'node:crypto';
import { raw, type EntityManager } from '@mikro-orm/core';
import type { BusMessage, EventEmitter, Runnable, ServiceRuntime, Subscription } from '@switchboard/kit';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { InventoryConfig } from '../config.js';
import { ProductVariant } from '../catalog/product-variant.js';
import type { OdooVendorClient } from '../odoo/odoo-client.js';
import { decideAfterAttempt, type AttemptDecision } from './job-rules.js';
import {
  claimJob,
  completeFullSync,
  countSettledChild,
  insertLog,
  leaseVariant,
  releaseVariant,
  settleJob,
  type AttemptRecord,
  type ClaimedJob,
} from './job-store.js';
import { SyncJob } from './sync-job.js';
import type { SyncHealthTracker } from './sync-health-tracker.js';
import { FULL_SYNC_REQUESTED, VARIANT_SYNC_REQUESTED, type JobRequested, type SyncQueue } from './sync-queue.js';
import { attemptResult, attemptVariantSync, logEntryOf, type VariantAttempt } from './variant-attempt.js';

/** Variants queued per transaction during a full sync's fan-out. */
const FANOUT_PAGE = 500;
/** A full sync whose fan-out has not moved for this long is taken over (its worker died). */
const FANOUT_LEASE_MS = 60_000;
/** Another job of the same variant is running: look again after this long. */
const VARIANT_BUSY_RETRY_MS = 1_000;
/** Our own trouble (database unreachable): keep the message and try again after this long. */
const INTERNAL_RETRY_MS = 5_000;

type Next = 'done' | number;

class VariantBusy extends Error {}

export interface SyncJobRunnerDeps {
  runtime: ServiceRuntime;
  config: InventoryConfig;
  client: OdooVendorClient;
  queue: SyncQueue;
  health: SyncHealthTracker;
}

/**
 * Runs the jobs the bus carries. Each replica subscribes to the same durable consumers, so the
 * jobs spread over replicas; the job row is the source of truth (state, attempts), the bus message
 * only the wake-up, which makes duplicate or late deliveries harmless. Odoo calls happen outside
 * any database transaction: claim (short transaction), call, record (short transaction).
 */
export class SyncJobRunner {
  private readonly attempts: Counter<'trigger' | 'outcome'>;
  private readonly attemptSeconds: Histogram;
  /** How long a VARIANT_SYNC attempt may hold its variant before another replica takes over. */
  private readonly variantLeaseMs: number;

  constructor(private readonly deps: SyncJobRunnerDeps, metrics: Registry) {
    this.attempts = new Counter({
      name: 'inventory_sync_attempts_total',
      help: 'VARIANT_SYNC attempts by trigger and outcome',
      labelNames: ['trigger', 'outcome'],
      registers: [metrics],
    });
    this.attemptSeconds = new Histogram({
      name: 'inventory_sync_attempt_seconds',
      help: 'VARIANT_SYNC attempts from claim to recorded outcome (slot waits and Odoo calls included)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [metrics],
    });
    // Two calls at most (three on a create race), each bounded by the timeout, plus slot waits.
    this.variantLeaseMs = 3 * deps.config.odooTimeoutMs + 60_000;
  }

  worker(): Runnable {
    const subscriptions: Subscription[] = [];
    const { runtime, config } = this.deps;
    return {
      name: 'inventory-sync-jobs',
      start: async () => {
        if (runtime.bus.kind === 'in-process') await this.requeueStranded();
        subscriptions.push(
          await runtime.bus.subscribe(
            { durable: `${runtime.service}-inventory-sync-variant`, subjects: [VARIANT_SYNC_REQUESTED], concurrency: config.concurrency, ackWaitMs: this.variantLeaseMs },
            (message) => this.onMessage(message, (jobId) => this.runVariantJob(jobId)),
          ),
          await runtime.bus.subscribe(
            { durable: `${runtime.service}-inventory-sync-full`, subjects: [FULL_SYNC_REQUESTED], concurrency: 1, ackWaitMs: 5 * FANOUT_LEASE_MS },
            (message) => this.onMessage(message, (jobId) => this.runFullSync(jobId)),
          ),
        );
      },
      stop: async () => {
        await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      },
    };
  }

  private async onMessage(message: BusMessage, run: (jobId: string) => Promise<Next>): Promise<void> {
    const jobId = (message.event.data as Partial<JobRequested> | null)?.jobId;
    if (typeof jobId !== 'string') {
      this.deps.runtime.logger.error({ eventId: message.event.id }, 'inventory sync message without jobId; dropped');
      return message.term();
    }
    try {
      const next = await run(jobId);
      if (next === 'done') message.ack();
      else message.nak(next);
    } catch (error) {
      // Never drop a job on our own trouble: the row still says what is left to do.
      this.deps.runtime.logger.error({ err: error, jobId }, 'inventory sync job could not run; will retry');
      message.nak(INTERNAL_RETRY_MS);
    }
  }

  /** One wake-up of a VARIANT_SYNC: claim it, push the variant's stock, record the attempt. */
  async runVariantJob(jobId: string): Promise<Next> {
    const endTimer = this.attemptSeconds.startTimer();
    const claim = await this.claimVariantJob(jobId);
    if (claim.kind === 'not-now') return claim.next;
    const job = claim.job;
    let attempt: VariantAttempt;
    try {
      attempt = await attemptVariantSync(this.deps.runtime.db.em(), this.deps.client, this.deps.config.supplierPrice, job.variantId);
    } catch (error) {
      attempt = { kind: 'error', variantId: job.variantId, sku: job.variantSku, error: `internal error: ${(error as Error).message}` };
    }
    const next = await this.finishVariantJob(job, attempt);
    endTimer();
    return next;
  }

  private async claimVariantJob(jobId: string): Promise<{ kind: 'claimed'; job: ClaimedJob } | { kind: 'not-now'; next: Next }> {
    const now = new Date();
    const leaseCutoff = new Date(now.getTime() - this.variantLeaseMs);
    try {
      return await this.deps.runtime.transaction(async ({ em }) => {
        // The write comes first: on SQLite it takes the write lock before anything is read.
        const job = await claimJob(em, jobId, now, leaseCutoff);
        if (!job) return { kind: 'not-now' as const, next: await this.notNow(em, jobId, now, this.variantLeaseMs) };
        // Two syncs of one variant at once could let the older stock figure reach Odoo last.
        if (!(await leaseVariant(em, job.variantId, job.id, now, leaseCutoff))) throw new VariantBusy();
        return { kind: 'claimed' as const, job };
      });
    } catch (error) {
      if (error instanceof VariantBusy) return { kind: 'not-now', next: VARIANT_BUSY_RETRY_MS };
      throw error;
    }
  }

  /** Why a job could not be claimed: finished (ack), running elsewhere, or not due yet. */
  private async notNow(em: EntityManager, jobId: string, now: Date, leaseMs: number): Promise<Next> {
    const job = await em.findOne(SyncJob, { id: jobId });
    if (!job || job.state === 'completed' || job.state === 'failed') return 'done';
    if (job.state === 'active') return job.type === 'FULL_SYNC' && job.fanoutDone ? 'done' : Math.max(1_000, job.updatedAt.getTime() + leaseMs - now.getTime());
    return Math.max(25, (job.nextAttemptAt?.getTime() ?? now.getTime()) - now.getTime());
  }

  private async finishVariantJob(job: ClaimedJob, attempt: VariantAttempt): Promise<Next> {
    const { runtime, config, health } = this.deps;
    const decision: AttemptDecision = attempt.kind === 'skipped'
      ? { state: 'completed' }
      : decideAfterAttempt(job.attempts, job.maxAttempts, attemptResult(attempt), config.retryBaseMs);
    const outcome = attempt.kind === 'skipped' ? 'skipped' : attempt.kind === 'error' ? 'error' : attempt.push.ok ? 'success' : 'failure';
    this.attempts.inc({ trigger: job.trigger, outcome });

    await runtime.transaction(async ({ em, events }) => {
      const now = new Date();
      const log: AttemptRecord | undefined = attempt.kind === 'skipped'
        ? undefined
        : { id: randomUUID(), ...logEntryOf(attempt), triggerType: job.trigger, jobId: job.id, attempt: job.attempts, createdAt: now };
      const error = log?.status === 'FAILED' ? log.errorMessage ?? 'failed' : null;
      const owned = await settleJob(em, job, decision.state === 'delayed'
        ? { state: 'delayed', at: now, error, nextAttemptAt: new Date(now.getTime() + decision.retryInMs) }
        : { state: decision.state, at: now, error, result: variantResult(attempt, log) });
      if (log) await insertLog(em, log); // the attempt happened, whoever owns the job now
      if (!owned) return;
      await releaseVariant(
        em,
        job.variantId,
        job.id,
        log ? { status: log.status, at: now, error: log.errorMessage, quantity: attempt.kind === 'pushed' ? attempt.payload.vendor_on_hand_qty : null } : null,
        decision.state === 'delayed',
      );
      if (log?.status === 'SUCCESS') await health.recordSuccess({ em, events });
      else if (log) await health.recordFailure({ em, events }, log.errorMessage ?? 'failed');
      if (decision.state !== 'delayed' && job.parentId) {
        const parent = await countSettledChild(em, job.parentId, decision.state === 'failed');
        // The parent's row is locked by that update until commit: the counters are current.
        if (parent?.state === 'active' && parent.fanoutDone && parent.childrenSettled >= parent.childrenTotal) await completeFullSync(em, job.parentId, now);
      }
    });
    if (attempt.kind !== 'skipped') {
      runtime.logger.info(
        { jobId: job.id, sku: attempt.sku, trigger: job.trigger, attempt: job.attempts, outcome, next: decision.state },
        'inventory sync attempt',
      );
    }
    return decision.state === 'delayed' ? decision.retryInMs : 'done';
  }

  /** Run with the parent's row already written (locked) in this transaction, so the counters are current. */
  private async completeFullSyncIfDone(em: EntityManager, parentId: string): Promise<void> {
    const parent = await em.findOne(SyncJob, { id: parentId }, { refresh: true });
    if (parent && parent.state === 'active' && parent.fanoutDone && parent.childrenSettled >= parent.childrenTotal) {
      await completeFullSync(em, parentId, new Date());
    }
  }

  /**
   * One wake-up of a FULL_SYNC: queue a VARIANT_SYNC per active variant of an active product, a
   * page per transaction, within the full-sync time limit. An interrupted fan-out (its worker
   * died) resumes after its cursor; the full sync completes when its last child settles.
   */
  async runFullSync(jobId: string): Promise<Next> {
    const { runtime, config, queue } = this.deps;
    const now = new Date();
    const claimed = await runtime.transaction(async ({ em }): Promise<{ job: SyncJob } | { next: Next }> => {
      const fresh = await em.nativeUpdate(
        SyncJob,
        { id: jobId, type: 'FULL_SYNC', state: { $in: ['waiting', 'delayed'] }, $or: [{ nextAttemptAt: null }, { nextAttemptAt: { $lte: new Date(now.getTime() + 25) } }] },
        { state: 'active', attempts: raw('attempts + 1'), startedAt: now, updatedAt: now, nextAttemptAt: null },
      );
      const resumed = fresh > 0 ? 0 : await em.nativeUpdate(
        SyncJob,
        { id: jobId, type: 'FULL_SYNC', state: 'active', fanoutDone: false, updatedAt: { $lt: new Date(now.getTime() - FANOUT_LEASE_MS) } },
        { updatedAt: now },
      );
      if (fresh + resumed === 0) return { next: await this.notNow(em, jobId, now, FANOUT_LEASE_MS) };
      return { job: await em.findOneOrFail(SyncJob, { id: jobId }) };
    });
    if ('next' in claimed) return claimed.next;
    const job = claimed.job;
    const deadline = (job.startedAt ?? now).getTime() + config.fullSyncTimeoutMs;
    let cursor = job.fanoutCursor ?? null;

    try {
      for (;;) {
        const page = await runtime.db.em().find(
          ProductVariant,
          { active: true, product: { active: true }, ...(cursor ? { id: { $gt: cursor } } : {}) },
          { orderBy: { id: 'asc' }, limit: FANOUT_PAGE, fields: ['id', 'sku'] },
        );
        if (page.length === 0) break;
        if (Date.now() > deadline) throw new Error(`full sync did not finish queueing within ${config.fullSyncTimeoutMs} ms`);
        const last = page.at(-1)!.id;
        const moved = await runtime.transaction(async (tx) => {
          const outcome = await queue.requestVariantSyncs(tx, {
            variants: page.map((v) => ({ id: v.id, sku: v.sku })),
            trigger: job.trigger,
            parentId: job.id,
            reference: job.reference,
          });
          return tx.em.nativeUpdate(SyncJob, { id: job.id, state: 'active' }, {
            variantsScanned: raw(`variants_scanned + ${page.length}`),
            childrenTotal: raw(`children_total + ${outcome.queued.length}`),
            fanoutCursor: last,
            updatedAt: new Date(),
          });
        });
        if (moved === 0) return 'done'; // no longer ours (failed or taken over)
        cursor = last;
      }
      await runtime.transaction(async ({ em }) => {
        await em.nativeUpdate(SyncJob, { id: job.id, state: 'active' }, { fanoutDone: true, updatedAt: new Date() });
        await this.completeFullSyncIfDone(em, job.id);
      });
      runtime.logger.info({ jobId: job.id }, 'full inventory sync queued every active variant');
      return 'done';
    } catch (error) {
      return this.failFullSync(job, error as Error);
    }
  }

  private async failFullSync(job: SyncJob, error: Error): Promise<Next> {
    const decision = decideAfterAttempt(job.attempts, job.maxAttempts, { ok: false, retryable: true }, this.deps.config.retryBaseMs);
    const now = new Date();
    await this.deps.runtime.transaction(({ em }) =>
      em.nativeUpdate(
        SyncJob,
        { id: job.id, state: 'active' },
        decision.state === 'delayed'
          ? { state: 'delayed', nextAttemptAt: new Date(now.getTime() + decision.retryInMs), error: error.message, updatedAt: now }
          : { state: 'failed', error: error.message, finishedAt: now, updatedAt: now },
      ),
    );
    this.deps.runtime.logger.error({ err: error, jobId: job.id, next: decision.state }, 'full inventory sync failed');
    return decision.state === 'delayed' ? decision.retryInMs : 'done';
  }

  /** In-process bus only: its pending messages die with the process, the job rows do not. */
  private async requeueStranded(): Promise<void> {
    const { runtime } = this.deps;
    const stranded = await runtime.db.em().find(SyncJob, {
      $or: [{ state: { $in: ['waiting', 'delayed'] } }, { state: 'active', type: 'VARIANT_SYNC' }, { state: 'active', type: 'FULL_SYNC', fanoutDone: false }],
    }, { fields: ['id', 'type', 'variantSku'] });
    if (stranded.length === 0) return;
    await runtime.transaction(async ({ events }) => {
      for (const job of stranded) emitRequested(events, job);
    });
    runtime.logger.warn({ count: stranded.length }, 're-queued unfinished inventory sync jobs after restart');
  }
}

/** A settled VARIANT_SYNC's result, as the job status reports it. */
function variantResult(attempt: VariantAttempt, log: AttemptRecord | undefined): Record<string, unknown> | null {
  if (attempt.kind === 'skipped') return { status: 'SKIPPED', reason: attempt.reason };
  const pushed = attempt.kind === 'pushed' ? attempt : undefined;
  const created = pushed?.push.ok ? (pushed.push.calls.at(-1)!.answer as { data?: { id?: unknown } }).data : undefined;
  return {
    status: log!.status,
    sku: attempt.sku,
    logId: log!.id,
    ...(pushed ? { quantity: pushed.payload.vendor_on_hand_qty } : {}),
    ...(pushed?.push.ok ? { action: pushed.push.action, odooProductId: created?.id ?? null } : {}),
    ...(log!.errorMessage ? { error: log!.errorMessage } : {}),
  };
}

function emitRequested(events: EventEmitter, job: Pick<SyncJob, 'id' | 'type' | 'variantSku'>): void {
  events.emit<JobRequested>(job.type === 'FULL_SYNC' ? FULL_SYNC_REQUESTED : VARIANT_SYNC_REQUESTED, { jobId: job.id }, {
    subject: job.variantSku ?? job.id,
  });
}
