import { backoffDelay, Decimal, exponentialSchedule } from '@switchboard/kit';
import { SYNC_JOB_STATES, SYNC_TRIGGERS, type SyncJob, type SyncJobState } from './sync-job.js';
import type { SyncLogStatus } from './sync-log.js';

/** How one attempt ended, as far as retrying is concerned. */
export interface AttemptResult {
  ok: boolean;
  retryable: boolean;
  /** Odoo asked for this much patience (Retry-After). */
  retryAfterMs?: number;
}

export type AttemptDecision = { state: 'completed' } | { state: 'delayed'; retryInMs: number } | { state: 'failed' };

/** Never wait longer than this for a retry, whatever Retry-After says. */
export const MAX_RETRY_DELAY_MS = 15 * 60_000;

/**
 * After attempt `attempt` (1-based): done, retry later, or give up. Backoff is exponential from
 * `baseMs` (2 s, 4 s, … as in the seed), stretched to Odoo's Retry-After when it asks for longer.
 * Failures a retry cannot fix (401, 403, refused input) give up at once.
 */
export function decideAfterAttempt(attempt: number, maxAttempts: number, result: AttemptResult, baseMs: number): AttemptDecision {
  if (result.ok) return { state: 'completed' };
  if (!result.retryable || attempt >= maxAttempts) return { state: 'failed' };
  const backoff = backoffDelay(attempt, exponentialSchedule(baseMs, Math.max(1, maxAttempts - 1)));
  return { state: 'delayed', retryInMs: Math.min(MAX_RETRY_DELAY_MS, Math.max(backoff, result.retryAfterMs ?? 0)) };
}

type JobCounters = Pick<
  SyncJob,
  'type' | 'state' | 'variantsScanned' | 'childrenTotal' | 'childrenSettled' | 'childrenFailed' | 'fanoutDone' | 'result' | 'error'
>;

/** 0–100. A FULL_SYNC counts its settled children; a VARIANT_SYNC is 0 until it completes. */
export function jobProgress(job: JobCounters): number {
  if (job.state === 'completed') return 100;
  if (job.type === 'FULL_SYNC' && job.childrenTotal > 0) return Math.floor((job.childrenSettled * 100) / job.childrenTotal);
  return 0;
}

/** A FULL_SYNC's result is its children tally (so far); a VARIANT_SYNC's is set when it settles. */
export function jobResult(job: JobCounters): Record<string, unknown> | null {
  if (job.type === 'VARIANT_SYNC') return job.result ?? (job.state === 'failed' && job.error ? { error: job.error } : null);
  return {
    variants: job.variantsScanned,
    queued: job.childrenTotal,
    coalesced: job.variantsScanned - job.childrenTotal,
    succeeded: job.childrenSettled - job.childrenFailed,
    failed: job.childrenFailed,
    pending: job.childrenTotal - job.childrenSettled,
    ...(job.error ? { error: job.error } : {}),
  };
}

/** `GET /api/odoo/sync/job/:jobId` → `job`, as Bull reported it. */
export function legacyJobStatus(job: (JobCounters & { id: string }) | null):
  | { found: false }
  | { found: true; id: string; state: SyncJobState; progress: number; result: Record<string, unknown> | null } {
  if (!job) return { found: false };
  return { found: true, id: job.id, state: job.state, progress: jobProgress(job), result: jobResult(job) };
}

export interface QueueStats {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
  total: number;
}

export function queueStats(counts: { state: string; count: number }[]): QueueStats {
  const stats: QueueStats = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0, total: 0 };
  for (const { state, count } of counts) {
    if ((SYNC_JOB_STATES as readonly string[]).includes(state)) stats[state as SyncJobState] += count;
  }
  stats.total = stats.waiting + stats.active + stats.completed + stats.failed + stats.delayed;
  return stats;
}

export interface SyncStats {
  total: number;
  successful: number;
  failed: number;
  /** Percentage with two decimals, as a string ("97.00"). */
  successRate: string;
  /** Only triggers that occur, in the seed's order. */
  byTrigger: Record<string, number>;
}

export function syncStats(rows: { status: SyncLogStatus; triggerType: string; count: number }[]): SyncStats {
  let successful = 0;
  let failed = 0;
  const byTrigger = new Map<string, number>();
  for (const row of rows) {
    if (row.status === 'SUCCESS') successful += row.count;
    else failed += row.count;
    byTrigger.set(row.triggerType, (byTrigger.get(row.triggerType) ?? 0) + row.count);
  }
  const total = successful + failed;
  const ordered = [...byTrigger.keys()].sort((a, b) => triggerRank(a) - triggerRank(b));
  return {
    total,
    successful,
    failed,
    successRate: total === 0 ? '0.00' : new Decimal(successful).times(100).dividedBy(total).toFixed(2, Decimal.ROUND_HALF_UP),
    byTrigger: Object.fromEntries(ordered.map((trigger) => [trigger, byTrigger.get(trigger)!])),
  };
}

function triggerRank(trigger: string): number {
  const index = (SYNC_TRIGGERS as readonly string[]).indexOf(trigger);
  return index === -1 ? SYNC_TRIGGERS.length : index;
}

/**
 * Announce `commerce.sync.failing` when the streak of failed attempts reaches the threshold, then
 * each time it doubles (10, 20, 40, …): the ops ticket learns the streak is growing without one
 * event per failure.
 */
export function shouldAnnounceFailing(consecutiveFailures: number, threshold: number): boolean {
  if (consecutiveFailures < threshold) return false;
  const ratio = consecutiveFailures / threshold;
  return Number.isInteger(ratio) && Number.isInteger(Math.log2(ratio));
}
