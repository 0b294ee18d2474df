import type { Runnable, ServiceRuntime } from '@switchboard/kit';
import { SyncJob, type SyncJobState, type SyncJobType } from './sync-job.js';
import { ArchivedSyncLog, SyncLog } from './sync-log.js';

const DAY_MS = 24 * 3600_000;
const ARCHIVE_BATCH = 1_000;

export interface MaintenanceSettings {
  logRetentionDays: number;
  keepCompletedJobs: number;
  keepFailedJobs: number;
  /** Between two passes (default one minute). */
  intervalMs?: number;
}

/**
 * Housekeeping every replica runs (all of it is idempotent): sync-log entries older than the
 * retention period move to the archive table, and finished jobs beyond the newest N per type and
 * state are deleted, as Bull's removeOnComplete / removeOnFail did. The logs keep the history.
 */
export class SyncMaintenance {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly settings: MaintenanceSettings,
  ) {}

  /** One pass; returns what it did. */
  async runOnce(now = new Date()): Promise<{ archivedLogs: number; prunedJobs: number }> {
    const archivedLogs = await this.archiveLogs(new Date(now.getTime() - this.settings.logRetentionDays * DAY_MS));
    let prunedJobs = 0;
    for (const type of ['FULL_SYNC', 'VARIANT_SYNC'] as SyncJobType[]) {
      prunedJobs += await this.pruneJobs(type, 'completed', this.settings.keepCompletedJobs);
      prunedJobs += await this.pruneJobs(type, 'failed', this.settings.keepFailedJobs);
    }
    return { archivedLogs, prunedJobs };
  }

  worker(): Runnable {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> | undefined;
    let stopped = false;
    const schedule = (ms: number) => {
      timer = setTimeout(() => {
        running = this.runOnce()
          .catch((error) => this.runtime.logger.warn({ err: error }, 'inventory sync maintenance failed; will retry'))
          .finally(() => {
            running = undefined;
            if (!stopped) schedule(this.settings.intervalMs ?? 60_000);
          });
      }, ms);
      timer.unref();
    };
    return {
      name: 'inventory-sync-maintenance',
      start: async () => {
        stopped = false;
        schedule(5_000);
      },
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await running;
      },
    };
  }

  private async archiveLogs(cutoff: Date): Promise<number> {
    let moved = 0;
    for (;;) {
      const batch = await this.runtime.transaction(async ({ em }) => {
        const rows = await em.find(SyncLog, { createdAt: { $lt: cutoff } }, { orderBy: { createdAt: 'asc' }, limit: ARCHIVE_BATCH });
        if (rows.length === 0) return 0;
        const archivedAt = new Date();
        for (const row of rows) {
          const { id, triggerType, variantId, variantSku, requestPayload, responsePayload, status, errorMessage, jobId, attempt, createdAt } = row;
          em.create(ArchivedSyncLog, { id, triggerType, variantId, variantSku, requestPayload, responsePayload, status, errorMessage, jobId, attempt, createdAt, archivedAt });
        }
        await em.flush();
        await em.nativeDelete(SyncLog, { id: { $in: rows.map((r) => r.id) } });
        return rows.length;
      });
      moved += batch;
      if (batch < ARCHIVE_BATCH) return moved;
    }
  }

  private async pruneJobs(type: SyncJobType, state: SyncJobState, keep: number): Promise<number> {
    const em = this.runtime.db.em();
    // The newest `keep` stay; the boundary is the first one to go (ties broken by id, as sorted).
    const [boundary] = await em.find(SyncJob, { type, state }, { orderBy: { finishedAt: 'desc', id: 'desc' }, offset: keep, limit: 1, fields: ['id', 'finishedAt'] });
    if (!boundary?.finishedAt) return 0;
    return em.nativeDelete(SyncJob, {
      type,
      state,
      $or: [{ finishedAt: { $lt: boundary.finishedAt } }, { finishedAt: boundary.finishedAt, id: { $lte: boundary.id } }],
    });
  }
}
