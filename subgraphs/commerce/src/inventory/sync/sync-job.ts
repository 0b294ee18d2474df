import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export const SYNC_JOB_TYPES = ['FULL_SYNC', 'VARIANT_SYNC'] as const;
export type SyncJobType = (typeof SYNC_JOB_TYPES)[number];

/** Why a sync happened; the seed's `OdooSyncTrigger`. */
export const SYNC_TRIGGERS = ['MANUAL_FULL', 'ORDER_SHIPPED', 'INVENTORY_ADJUSTMENT', 'TEST'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** Bull's job states, which the legacy queue endpoints report. */
export const SYNC_JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
export type SyncJobState = (typeof SYNC_JOB_STATES)[number];

export const FINAL_JOB_STATES: readonly SyncJobState[] = ['completed', 'failed'];

/**
 * A queued unit of sync work, carried on the bus by `commerce.inventory_sync.*_requested` and
 * tracked here: its state, attempts and result are what the job-status and queue-stats endpoints
 * show. A FULL_SYNC fans out into VARIANT_SYNC children and counts them as they settle.
 */
@Entity({ tableName: 'inventory_sync_job' })
@Index({ properties: ['state', 'type'] })
@Index({ properties: ['variantId', 'state'] })
@Index({ properties: ['parentId'] })
@Index({ properties: ['type', 'state', 'finishedAt'] })
export class SyncJob {
  [OptionalProps]?:
    | 'id' | 'state' | 'attempts' | 'coalesced' | 'variantsScanned' | 'childrenTotal' | 'childrenSettled'
    | 'childrenFailed' | 'fanoutDone' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 20 })
  type!: SyncJobType;

  @Property({ type: 'string', length: 30 })
  trigger!: SyncTrigger;

  @Property({ type: 'string', length: 20 })
  state: SyncJobState = 'waiting';

  @Property({ type: 'string', length: 36, nullable: true })
  variantId?: string | null;

  /** The SKU when the job was queued (the log keeps the one actually sent). */
  @Property({ type: 'string', length: 100, nullable: true })
  variantSku?: string | null;

  /** The FULL_SYNC that queued this VARIANT_SYNC. */
  @Property({ type: 'string', length: 36, nullable: true })
  parentId?: string | null;

  /** What caused it, for operators: an order reference, an adjustment reason. */
  @Property({ type: 'string', length: 200, nullable: true })
  reference?: string | null;

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'integer' })
  maxAttempts!: number;

  /** Later requests for the same variant that were merged into this job before it ran. */
  @Property({ type: 'integer' })
  coalesced: number = 0;

  @Property({ type: 'json', nullable: true })
  result?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt?: Date | null;

  /** FULL_SYNC: active variants looked at, children queued / settled / failed. */
  @Property({ type: 'integer' })
  variantsScanned: number = 0;

  @Property({ type: 'integer' })
  childrenTotal: number = 0;

  @Property({ type: 'integer' })
  childrenSettled: number = 0;

  @Property({ type: 'integer' })
  childrenFailed: number = 0;

  /** FULL_SYNC: last variant id queued, so an interrupted fan-out resumes where it stopped. */
  @Property({ type: 'string', length: 36, nullable: true })
  fanoutCursor?: string | null;

  @Property({ type: 'boolean' })
  fanoutDone: boolean = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
