import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { jobProgress, jobResult, type QueueStats } from './job-rules.js';
import type { SyncJob, SyncJobState, SyncJobType, SyncTrigger } from './sync-job.js';
import { seedFieldsOf, type SyncLogColumns, type SyncLogStatus } from './sync-log.js';

export const OdooSyncTrigger = {
  MANUAL_FULL: 'MANUAL_FULL',
  ORDER_SHIPPED: 'ORDER_SHIPPED',
  INVENTORY_ADJUSTMENT: 'INVENTORY_ADJUSTMENT',
  TEST: 'TEST',
} as const satisfies Record<SyncTrigger, SyncTrigger>;
registerEnumType(OdooSyncTrigger, { name: 'OdooSyncTrigger', description: 'Why a sync to Odoo ran.' });

export const OdooSyncStatus = { SUCCESS: 'SUCCESS', FAILED: 'FAILED' } as const satisfies Record<SyncLogStatus, SyncLogStatus>;
registerEnumType(OdooSyncStatus, { name: 'OdooSyncStatus' });

export const OdooSyncJobType = { FULL_SYNC: 'FULL_SYNC', VARIANT_SYNC: 'VARIANT_SYNC' } as const satisfies Record<SyncJobType, SyncJobType>;
registerEnumType(OdooSyncJobType, { name: 'OdooSyncJobType' });

export const OdooSyncJobState = {
  WAITING: 'waiting',
  ACTIVE: 'active',
  DELAYED: 'delayed',
  COMPLETED: 'completed',
  FAILED: 'failed',
} as const satisfies Record<string, SyncJobState>;
registerEnumType(OdooSyncJobState, { name: 'OdooSyncJobState', description: "Bull's job states: DELAYED waits for a retry." });

@ObjectType('OdooSyncJob', { description: 'A queued sync: FULL_SYNC fans out into one VARIANT_SYNC per active variant.' })
export class SyncJobView {
  @Field(() => ID) id!: string;
  @Field(() => OdooSyncJobType) type!: SyncJobType;
  @Field(() => OdooSyncTrigger) triggerType!: SyncTrigger;
  @Field(() => OdooSyncJobState) state!: SyncJobState;
  @Field(() => Int, { description: '0–100; a FULL_SYNC counts its settled variants.' }) progress!: number;
  @Field(() => Int) attempts!: number;
  @Field(() => Int) maxAttempts!: number;
  @Field(() => Int, { description: 'Later requests for the same variant merged into this job before it ran.' }) coalesced!: number;
  @Field(() => String, { nullable: true }) variantSku?: string | null;
  @Field(() => String, { nullable: true, description: 'What caused it: an order, an adjustment reason, who asked.' }) reference?: string | null;
  @Field(() => ID, { nullable: true, description: 'The FULL_SYNC that queued this VARIANT_SYNC.' }) parentId?: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) result?: unknown;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt?: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'When a DELAYED job tries again.' }) nextAttemptAt?: Date | null;

  static of(job: SyncJob): SyncJobView {
    return Object.assign(new SyncJobView(), {
      id: job.id,
      type: job.type,
      triggerType: job.trigger,
      state: job.state,
      progress: jobProgress(job),
      attempts: job.attempts,
      maxAttempts: job.maxAttempts,
      coalesced: job.coalesced,
      variantSku: job.variantSku ?? null,
      reference: job.reference ?? null,
      parentId: job.parentId ?? null,
      result: jobResult(job),
      error: job.error ?? null,
      createdAt: job.createdAt,
      startedAt: job.startedAt ?? null,
      finishedAt: job.finishedAt ?? null,
      nextAttemptAt: job.state === 'delayed' ? job.nextAttemptAt ?? null : null,
    });
  }
}

@ObjectType('OdooSyncLog', { description: 'One attempt to push one variant to Odoo, with what was sent and what Odoo answered.' })
export class SyncLogView {
  @Field(() => ID) id!: string;
  @Field(() => OdooSyncTrigger) triggerType!: SyncTrigger;
  @Field(() => ID, { nullable: true }) variantId?: string | null;
  @Field(() => String) variantSku!: string;
  @Field(() => GraphQLJSON) requestPayload!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: "Odoo's answer as received (JSON, or the text of an HTML error page)." }) responsePayload?: unknown;
  @Field(() => OdooSyncStatus) status!: SyncLogStatus;
  @Field(() => String, { nullable: true }) errorMessage?: string | null;
  @Field(() => ID, { nullable: true }) jobId?: string | null;
  @Field(() => Int, { nullable: true }) attempt?: number | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Boolean, { description: 'Older than the retention period: moved out of listings and statistics.' }) archived!: boolean;

  static of(log: SyncLogColumns, archived = false): SyncLogView {
    return Object.assign(new SyncLogView(), {
      ...seedFieldsOf(log),
      jobId: log.jobId ?? null,
      attempt: log.attempt ?? null,
      createdAt: log.createdAt,
      archived,
    });
  }
}

@ObjectType('OdooSyncPagination')
export class SyncPaginationView {
  @Field(() => Int) page!: number;
  @Field(() => Int) limit!: number;
  @Field(() => Int) total!: number;
  @Field(() => Int) pages!: number;
}

@ObjectType('OdooSyncLogPage')
export class SyncLogPageView {
  @Field(() => [SyncLogView]) logs!: SyncLogView[];
  @Field(() => SyncPaginationView) pagination!: SyncPaginationView;
}

@ObjectType('OdooSyncQueueStats')
export class QueueStatsView implements QueueStats {
  @Field(() => Int) waiting!: number;
  @Field(() => Int) active!: number;
  @Field(() => Int) completed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) delayed!: number;
  @Field(() => Int) total!: number;
}

@ObjectType('OdooSyncTriggerCount')
export class TriggerCountView {
  @Field(() => OdooSyncTrigger) trigger!: SyncTrigger;
  @Field(() => Int) count!: number;
}

@ObjectType('OdooSyncStats')
export class SyncStatsView {
  @Field(() => Int) total!: number;
  @Field(() => Int) successful!: number;
  @Field(() => Int) failed!: number;
  @Field(() => String, { description: 'Percentage with two decimals, e.g. "97.00".' }) successRate!: string;
  @Field(() => [TriggerCountView]) byTrigger!: TriggerCountView[];
  @Field(() => [SyncLogView], { description: 'The ten most recent attempts.' }) recent!: SyncLogView[];
  @Field(() => Int, { description: 'Failed attempts in a row right now (commerce.sync.failing past the threshold).' }) consecutiveFailures!: number;
}
