import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { SyncTrigger } from './sync-job.js';

export const SYNC_LOG_STATUSES = ['SUCCESS', 'FAILED'] as const;
export type SyncLogStatus = (typeof SYNC_LOG_STATUSES)[number];

/** The seed's `OdooSyncLog` columns, shared by the live table and its archive. */
@Entity({ abstract: true })
export abstract class SyncLogColumns {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 30 })
  triggerType!: SyncTrigger;

  @Property({ type: 'string', length: 36, nullable: true })
  variantId?: string | null;

  @Property({ type: 'string', length: 100 })
  variantSku!: string;

  /** What was sent to Odoo (the product payload, and the operations tried). */
  @Property({ type: 'json' })
  requestPayload!: Record<string, unknown>;

  /** Odoo's answer as received: parsed JSON, or the raw text of a non-JSON page. */
  @Property({ type: 'json', nullable: true })
  responsePayload?: unknown;

  @Property({ type: 'string', length: 10 })
  status!: SyncLogStatus;

  @Property({ type: 'text', nullable: true })
  errorMessage?: string | null;

  /** The job and attempt this entry records (not part of the legacy shape). */
  @Property({ type: 'string', length: 36, nullable: true })
  jobId?: string | null;

  @Property({ type: 'integer', nullable: true })
  attempt?: number | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

/**
 * The seed's fields of an entry but `createdAt`, absent ones as null: what both the legacy REST
 * shape and the GraphQL view show (each adds `createdAt` its own way).
 */
export function seedFieldsOf(log: SyncLogColumns) {
  return {
    id: log.id,
    triggerType: log.triggerType,
    variantId: log.variantId ?? null,
    variantSku: log.variantSku,
    requestPayload: log.requestPayload,
    responsePayload: log.responsePayload ?? null,
    status: log.status,
    errorMessage: log.errorMessage ?? null,
  };
}

/** One sync attempt for one variant; kept for 90 days, then moved to the archive. */
@Entity({ tableName: 'odoo_sync_log' })
@Index({ properties: ['createdAt'] })
@Index({ properties: ['status', 'createdAt'] })
@Index({ properties: ['triggerType', 'createdAt'] })
@Index({ properties: ['variantSku'] })
@Index({ properties: ['jobId'] })
export class SyncLog extends SyncLogColumns {}

/** Sync log entries past the retention period: out of listings and statistics, still readable by id. */
@Entity({ tableName: 'odoo_sync_log_archive' })
@Index({ properties: ['createdAt'] })
export class ArchivedSyncLog extends SyncLogColumns {
  @Property({ type: 'datetime' })
  archivedAt: Date = new Date();
}
