import type { EntityManager } from '@mikro-orm/core';
import type { StockAtLocation } from '../catalog/stock-rules.js';
import { execute, executeRun } from '../sql.js';
import type { SyncJobState, SyncTrigger } from './sync-job.js';
import type { SyncLogStatus } from './sync-log.js';

/**
 * The statements every VARIANT_SYNC attempt runs, as plain SQL. An ORM call costs about ten times
 * a plain statement in CPU, and an attempt would make some twenty of them; everything off this
 * path uses the ORM. The SQL is the same on SQLite and PostgreSQL: `?` placeholders, and Date and
 * boolean parameters stored as the ORM stores them (the drivers convert them: epoch milliseconds
 * and 0/1 on SQLite, timestamptz and boolean on PostgreSQL).
 */

/** A claimed VARIANT_SYNC: what the attempt and its record need. */
export interface ClaimedJob {
  id: string;
  trigger: SyncTrigger;
  variantId: string;
  variantSku: string;
  parentId: string | null;
  /** This attempt's number (1-based). */
  attempts: number;
  maxAttempts: number;
}

/**
 * Marks the job active (one more attempt) if it is due, or if the attempt in flight outlived its
 * lease (its worker died). Null when it is not claimable now.
 */
export async function claimJob(em: EntityManager, jobId: string, now: Date, leaseCutoff: Date): Promise<ClaimedJob | null> {
  const [row] = await execute(
    em,
    `update inventory_sync_job set state = 'active', attempts = attempts + 1, started_at = ?, updated_at = ?, next_attempt_at = null
     where id = ? and type = 'VARIANT_SYNC' and (
       (state in ('waiting', 'delayed') and (next_attempt_at is null or next_attempt_at <= ?))
       or (state = 'active' and updated_at < ?))
     returning id, trigger, variant_id, variant_sku, parent_id, attempts, max_attempts`,
    [now, now, jobId, new Date(now.getTime() + 25), leaseCutoff],
  );
  if (!row) return null;
  return {
    id: String(row['id']),
    trigger: row['trigger'] as SyncTrigger,
    variantId: String(row['variant_id']),
    variantSku: String(row['variant_sku'] ?? ''),
    parentId: (row['parent_id'] as string | null) ?? null,
    attempts: Number(row['attempts']),
    maxAttempts: Number(row['max_attempts']),
  };
}

/**
 * Takes the variant's lease for `jobId` (free, already ours, or expired) and, if the job was the
 * one later requests merged into, clears that: from now on they need a new job. False when another
 * job of the variant is running.
 */
export async function leaseVariant(em: EntityManager, variantId: string, jobId: string, now: Date, leaseCutoff: Date): Promise<boolean> {
  const lease = () =>
    executeRun(
      em,
      `update inventory_sync_variant set active_job_id = ?, active_since = ?,
         waiting_job_id = case when waiting_job_id = ? then null else waiting_job_id end
       where variant_id = ? and (active_job_id is null or active_job_id = ? or active_since < ?)`,
      [jobId, now, jobId, variantId, jobId, leaseCutoff],
    );
  if ((await lease()) > 0) return true;
  // Queueing creates the row; should it be missing all the same, create it rather than wait forever.
  const created = await executeRun(em, 'insert into inventory_sync_variant (variant_id) values (?) on conflict (variant_id) do nothing', [variantId]);
  return created > 0 && (await lease()) > 0;
}

/** The variant as the sync sees it now, with its stock per location; null when it is gone. */
export async function readVariantStock(em: EntityManager, variantId: string): Promise<{
  sku: string;
  variantName: string;
  productName: string;
  active: boolean;
  productActive: boolean;
  levels: StockAtLocation[];
} | null> {
  const rows = await execute(
    em,
    `select v.sku, v.name as variant_name, v.active, p.name as product_name, p.active as product_active,
            l.quantity, l.reserved, s.active as location_active
     from catalog_product_variant v
     join catalog_product p on p.id = v.product_id
     left join stock_level l on l.variant_id = v.id
     left join stock_location s on s.id = l.location_id
     where v.id = ?`,
    [variantId],
  );
  const first = rows[0];
  if (!first) return null;
  return {
    sku: String(first['sku']),
    variantName: String(first['variant_name']),
    productName: String(first['product_name']),
    active: Boolean(first['active']),
    productActive: Boolean(first['product_active']),
    levels: rows
      .filter((row) => row['quantity'] !== null && row['quantity'] !== undefined)
      .map((row) => ({ quantity: Number(row['quantity']), reserved: Number(row['reserved']), locationActive: Boolean(row['location_active']) })),
  };
}

export interface AttemptRecord {
  id: string;
  triggerType: SyncTrigger;
  variantId: string;
  variantSku: string;
  requestPayload: Record<string, unknown>;
  responsePayload: unknown;
  status: SyncLogStatus;
  errorMessage: string | null;
  jobId: string;
  attempt: number;
  createdAt: Date;
}

export async function insertLog(em: EntityManager, log: AttemptRecord): Promise<void> {
  await executeRun(
    em,
    `insert into odoo_sync_log (id, trigger_type, variant_id, variant_sku, request_payload, response_payload, status, error_message, job_id, attempt, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      log.id,
      log.triggerType,
      log.variantId,
      log.variantSku,
      JSON.stringify(log.requestPayload),
      log.responsePayload === null || log.responsePayload === undefined ? null : JSON.stringify(log.responsePayload),
      log.status,
      log.errorMessage,
      log.jobId,
      log.attempt,
      log.createdAt,
    ],
  );
}

/**
 * Settles the attempt on the job, only while it is still ours (same attempt, still active): a
 * replica that took over after our lease ran out owns the job now. False when it was not ours.
 */
export async function settleJob(
  em: EntityManager,
  job: Pick<ClaimedJob, 'id' | 'attempts'>,
  outcome: { state: Exclude<SyncJobState, 'waiting' | 'active'>; at: Date; error: string | null; result?: Record<string, unknown> | null; nextAttemptAt?: Date },
): Promise<boolean> {
  const changed = outcome.state === 'delayed'
    ? await executeRun(
        em,
        `update inventory_sync_job set state = 'delayed', next_attempt_at = ?, error = ?, updated_at = ? where id = ? and state = 'active' and attempts = ?`,
        [outcome.nextAttemptAt, outcome.error, outcome.at, job.id, job.attempts],
      )
    : await executeRun(
        em,
        `update inventory_sync_job set state = ?, result = ?, error = ?, finished_at = ?, updated_at = ? where id = ? and state = 'active' and attempts = ?`,
        [outcome.state, outcome.result ? JSON.stringify(outcome.result) : null, outcome.error, outcome.at, outcome.at, job.id, job.attempts],
      );
  return changed > 0;
}

/**
 * Gives the variant's lease back and notes how the attempt went. A job waiting for its retry is
 * again the one later requests merge into (unless a newer one already is).
 */
export async function releaseVariant(
  em: EntityManager,
  variantId: string,
  jobId: string,
  attempt: { status: SyncLogStatus; at: Date; error: string | null; quantity: number | null } | null,
  waitingForRetry: boolean,
): Promise<void> {
  const succeeded = attempt?.status === 'SUCCESS';
  await executeRun(
    em,
    `update inventory_sync_variant set active_job_id = null, active_since = null,
       last_status = coalesce(?, last_status), last_attempt_at = coalesce(?, last_attempt_at),
       last_error = case when ? then ? else last_error end,
       last_synced_at = coalesce(?, last_synced_at), last_quantity = coalesce(?, last_quantity),
       waiting_job_id = coalesce(waiting_job_id, ?)
     where variant_id = ? and active_job_id = ?`,
    [
      attempt?.status ?? null,
      attempt?.at ?? null,
      attempt !== null,
      attempt?.error ?? null,
      succeeded ? attempt!.at : null,
      succeeded ? attempt!.quantity : null,
      waitingForRetry ? jobId : null,
      variantId,
      jobId,
    ],
  );
}

/** Counts a settled child on its full sync; returns the counters as they now stand. */
export async function countSettledChild(em: EntityManager, parentId: string, failed: boolean): Promise<{
  state: SyncJobState;
  fanoutDone: boolean;
  childrenSettled: number;
  childrenTotal: number;
} | null> {
  const [row] = await execute(
    em,
    `update inventory_sync_job set children_settled = children_settled + 1, children_failed = children_failed + ?
     where id = ? returning state, fanout_done, children_settled, children_total`,
    [failed ? 1 : 0, parentId],
  );
  if (!row) return null;
  return {
    state: row['state'] as SyncJobState,
    fanoutDone: Boolean(row['fanout_done']),
    childrenSettled: Number(row['children_settled']),
    childrenTotal: Number(row['children_total']),
  };
}

/** Completes a full sync that is still active; false when it no longer was. */
export async function completeFullSync(em: EntityManager, jobId: string, at: Date): Promise<boolean> {
  return (await executeRun(em, `update inventory_sync_job set state = 'completed', finished_at = ?, updated_at = ? where id = ? and state = 'active'`, [at, at, jobId])) > 0;
}

/** The current streak of failed attempts (0 when none was ever recorded). */
export async function consecutiveFailures(em: EntityManager, source: string): Promise<number> {
  const [row] = await execute(em, 'select consecutive_failures from inventory_sync_health where source = ?', [source]);
  return row ? Number(row['consecutive_failures']) : 0;
}
