import { badInput, groupByKeys, notFound, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { GraphQLError } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ProductVariant } from '../catalog/product-variant.js';
import { SyncDisabledError, type InventoryDeps } from '../inventory.js';
import { parseLogQuery } from './log-query.js';
import { SyncHealth } from './sync-health.js';
import { INVENTORY_SYNC_SOURCE } from './sync-health-tracker.js';
import { SyncJob, type SyncJobState, type SyncJobType, type SyncTrigger } from './sync-job.js';
import { SyncLog, type SyncLogStatus } from './sync-log.js';
import {
  OdooSyncJobState,
  OdooSyncJobType,
  OdooSyncStatus,
  OdooSyncTrigger,
  QueueStatsView,
  SyncJobView,
  SyncLogPageView,
  SyncLogView,
  SyncStatsView,
} from './sync-graphql-types.js';
import { findLog, findLogs, loadQueueStats, loadSyncStats } from './sync-queries.js';

type Ctx = GraphQLContext<ServiceRuntime & InventoryDeps>;

function unavailable(error: unknown): never {
  if (error instanceof SyncDisabledError) throw new GraphQLError(error.message, { extensions: { code: 'SYNC_NOT_CONFIGURED' } });
  throw error;
}

/** The inventory sync through GraphQL: the same operations as the legacy REST adapter, for ops. */
@Resolver(() => SyncJobView)
export class SyncResolver {
  @Authorized('ops')
  @Query(() => SyncJobView, { nullable: true, description: 'A sync job by id (null when unknown or pruned).' })
  async odooSyncJob(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<SyncJobView | null> {
    const job = await ctx.em.findOne(SyncJob, { id });
    return job ? SyncJobView.of(job) : null;
  }

  @Authorized('ops')
  @Query(() => [SyncJobView], { description: 'Recent sync jobs, newest first.' })
  async odooSyncJobs(
    @Ctx() ctx: Ctx,
    @Arg('state', () => OdooSyncJobState, { nullable: true }) state?: SyncJobState,
    @Arg('type', () => OdooSyncJobType, { nullable: true }) type?: SyncJobType,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<SyncJobView[]> {
    if (limit < 1 || limit > 500) throw badInput('limit must be between 1 and 500', 'limit');
    const jobs = await ctx.em.find(SyncJob, { ...(state ? { state } : {}), ...(type ? { type } : {}) }, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit,
    });
    return jobs.map((job) => SyncJobView.of(job));
  }

  @Authorized('ops')
  @Query(() => QueueStatsView)
  async odooSyncQueueStats(@Ctx() ctx: Ctx): Promise<QueueStatsView> {
    return Object.assign(new QueueStatsView(), await loadQueueStats(ctx.em));
  }

  @Authorized('ops')
  @Query(() => SyncLogPageView, { description: 'Sync attempts, newest first; the same filters as GET /api/odoo/sync/logs.' })
  async odooSyncLogs(
    @Ctx() ctx: Ctx,
    @Arg('page', () => Int, { nullable: true }) page?: number,
    @Arg('limit', () => Int, { nullable: true }) limit?: number,
    @Arg('status', () => OdooSyncStatus, { nullable: true }) status?: SyncLogStatus,
    @Arg('triggerType', () => OdooSyncTrigger, { nullable: true }) triggerType?: SyncTrigger,
    @Arg('variantSku', () => String, { nullable: true, description: 'Partial, case-insensitive.' }) variantSku?: string,
    @Arg('startDate', () => String, { nullable: true, description: 'ISO 8601 date or date-time.' }) startDate?: string,
    @Arg('endDate', () => String, { nullable: true, description: 'ISO 8601; a bare date includes that whole day (UTC).' }) endDate?: string,
  ): Promise<SyncLogPageView> {
    const query = parseLogQuery({ page, limit, status, triggerType, variantSku, startDate, endDate });
    if (!query.ok) throw badInput(query.message, query.field);
    const { logs, total } = await findLogs(ctx.em, query.value);
    return Object.assign(new SyncLogPageView(), {
      logs: logs.map((log) => SyncLogView.of(log)),
      pagination: { page: query.value.page, limit: query.value.limit, total, pages: Math.ceil(total / query.value.limit) },
    });
  }

  @Authorized('ops')
  @Query(() => SyncLogView, { nullable: true, description: 'One sync attempt by id, archived ones included.' })
  async odooSyncLog(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<SyncLogView | null> {
    const found = await findLog(ctx.em, id);
    return found ? SyncLogView.of(found.log, found.archived) : null;
  }

  @Authorized('ops')
  @Query(() => SyncStatsView)
  async odooSyncStats(@Ctx() ctx: Ctx): Promise<SyncStatsView> {
    const { stats, recent } = await loadSyncStats(ctx.em);
    const health = await ctx.em.findOne(SyncHealth, { source: INVENTORY_SYNC_SOURCE });
    return Object.assign(new SyncStatsView(), {
      ...stats,
      byTrigger: Object.entries(stats.byTrigger).map(([trigger, count]) => ({ trigger, count })),
      recent: recent.map((log) => SyncLogView.of(log)),
      consecutiveFailures: health?.consecutiveFailures ?? 0,
    });
  }

  @Authorized('ops')
  @Mutation(() => SyncJobView, { description: 'Queue a sync of every active variant (joins a full sync that has not started yet).' })
  async startOdooFullSync(@Ctx() ctx: Ctx): Promise<SyncJobView> {
    const { job } = await ctx.deps.inventory.startFullSync(`GraphQL (${ctx.identity?.sub ?? 'unknown'})`).catch(unavailable);
    return SyncJobView.of(job);
  }

  @Authorized('ops')
  @Mutation(() => SyncJobView, { description: 'Queue a sync of one variant now (trigger TEST), e.g. to check the connection.' })
  async queueOdooVariantSync(@Ctx() ctx: Ctx, @Arg('sku', () => String) sku: string): Promise<SyncJobView> {
    const { inventory } = ctx.deps;
    if (!inventory.enabled) unavailable(new SyncDisabledError());
    const variant = await ctx.em.findOne(ProductVariant, { sku: sku.trim() }, { populate: ['product'] });
    if (!variant) throw notFound(`no product variant with SKU ${sku.trim()}`);
    if (!variant.active || !variant.product.getEntity().active) throw badInput(`variant ${variant.sku} or its product is inactive: inactive variants are not sent to Odoo`, 'sku');
    const jobId = await ctx.deps.transaction(async (tx) => {
      const outcome = await inventory.queue.requestVariantSyncs(tx, {
        variants: [{ id: variant.id, sku: variant.sku }],
        trigger: 'TEST',
        reference: `GraphQL (${ctx.identity?.sub ?? 'unknown'})`,
      });
      return outcome.queued[0]?.id ?? outcome.coalescedInto[0]!;
    });
    return SyncJobView.of(await ctx.em.findOneOrFail(SyncJob, { id: jobId }));
  }

  @Authorized('ops')
  @FieldResolver(() => [SyncLogView], { description: 'The attempts of this job (VARIANT_SYNC), oldest first.' })
  async logs(@Root() job: SyncJobView, @Ctx() ctx: Ctx): Promise<SyncLogView[]> {
    const logs = await ctx
      .loader<string, SyncLog[]>('inventory.logsByJob', async (jobIds) => {
        const rows = await ctx.em.find(SyncLog, { jobId: { $in: [...jobIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
        return groupByKeys(jobIds, rows, (row) => row.jobId!);
      })
      .load(job.id);
    return logs.map((log) => SyncLogView.of(log));
  }
}
