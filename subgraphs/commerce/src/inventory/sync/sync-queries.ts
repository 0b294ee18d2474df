import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { legacyJobStatus, queueStats, syncStats, type QueueStats, type SyncStats } from './job-rules.js';
import type { LogQuery } from './log-query.js';
import { SyncJob } from './sync-job.js';
import { ArchivedSyncLog, seedFieldsOf, SyncLog, type SyncLogColumns } from './sync-log.js';

/** A sync-log entry in the seed's shape (Prisma's `OdooSyncLog`), as the REST adapter returns it. */
export interface LegacySyncLog {
  id: string;
  triggerType: string;
  variantId: string | null;
  variantSku: string;
  requestPayload: unknown;
  responsePayload: unknown;
  status: string;
  errorMessage: string | null;
  createdAt: string;
}

export function legacyLog(log: SyncLogColumns): LegacySyncLog {
  return { ...seedFieldsOf(log), createdAt: log.createdAt.toISOString() };
}

/** Escapes LIKE wildcards so `variantSku=A_1` matches an underscore, not any character. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function findLogs(em: EntityManager, query: LogQuery): Promise<{ logs: SyncLog[]; total: number }> {
  const qb = (em as SqlEntityManager).createQueryBuilder(SyncLog, 'l');
  if (query.status) qb.andWhere({ status: query.status });
  if (query.triggerType) qb.andWhere({ triggerType: query.triggerType });
  if (query.startDate) qb.andWhere({ createdAt: { $gte: query.startDate } });
  if (query.endDate) qb.andWhere({ createdAt: { $lte: query.endDate } });
  if (query.variantSku) {
    // Partial and case-insensitive; the explicit ESCAPE makes it behave the same on SQLite and PostgreSQL.
    qb.andWhere(`lower(l.variant_sku) like ? escape '\\'`, [`%${likeEscape(query.variantSku.toLowerCase())}%`]);
  }
  qb.orderBy({ createdAt: 'desc', id: 'desc' }).limit(query.limit).offset((query.page - 1) * query.limit);
  const [logs, total] = await qb.getResultAndCount();
  return { logs, total };
}

/** A log entry by id, live or archived. */
export async function findLog(em: EntityManager, id: string): Promise<{ log: SyncLogColumns; archived: boolean } | null> {
  const live = await em.findOne(SyncLog, { id });
  if (live) return { log: live, archived: false };
  const archived = await em.findOne(ArchivedSyncLog, { id });
  return archived ? { log: archived, archived: true } : null;
}

export async function loadSyncStats(em: EntityManager, recentCount = 10): Promise<{ stats: SyncStats; recent: SyncLog[] }> {
  const rows = (await em.getConnection().execute(
    'select status, trigger_type, count(*) as count from odoo_sync_log group by status, trigger_type',
  )) as { status: 'SUCCESS' | 'FAILED'; trigger_type: string; count: number | string }[];
  const stats = syncStats(rows.map((r) => ({ status: r.status, triggerType: r.trigger_type, count: Number(r.count) })));
  const recent = await em.find(SyncLog, {}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: recentCount });
  return { stats, recent };
}

export async function loadQueueStats(em: EntityManager): Promise<QueueStats> {
  const rows = (await em.getConnection().execute(
    'select state, count(*) as count from inventory_sync_job group by state',
  )) as { state: string; count: number | string }[];
  return queueStats(rows.map((r) => ({ state: r.state, count: Number(r.count) })));
}

export async function loadJobStatus(em: EntityManager, jobId: string): Promise<ReturnType<typeof legacyJobStatus>> {
  return legacyJobStatus(await em.findOne(SyncJob, { id: jobId }));
}
