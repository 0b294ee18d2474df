import type { FilterQuery } from '@mikro-orm/core';
import { badInput, notFound, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { decodeCursor, page, pageSize, PageInfo } from '../orders/pagination.js';
import { LOG_LEVELS, type LogLevel } from './config.js';
import { EVENTS_REQUEUED, type ProcessingRequest } from './event-processor.js';
import { EVENT_STATUSES, PrestashopEvent, type EventStatus } from './prestashop-event.js';
import { prestashopDeps } from './prestashop-deps.js';
import { PrestashopLog } from './prestashop-log.js';
import { ProcessingLog } from './processing-log.js';

@InputType('PrestashopEventFilter')
export class PrestashopEventFilter {
  @Field(() => String, { nullable: true, description: `One of ${EVENT_STATUSES.join(', ')}.` }) status?: string;
  @Field(() => String, { nullable: true, description: 'customer, order, invoice, payment, coupon, discount…' }) entityType?: string;
  @Field(() => String, { nullable: true }) entityId?: string;
  @Field(() => String, { nullable: true }) actionType?: string;
  @Field(() => String, { nullable: true }) batchId?: string;
  @Field(() => Int, { nullable: true, description: "The module's event_id." }) eventId?: number;
}

@InputType('PrestashopLogFilter')
export class PrestashopLogFilter {
  @Field(() => String, { nullable: true, description: 'ERROR, WARNING, INFO or DEBUG.' }) level?: string;
  @Field(() => String, { nullable: true, description: 'Message contains this text.' }) search?: string;
  @Field(() => Int, { nullable: true }) eventId?: number;
  @Field(() => String, { nullable: true }) batchId?: string;
}

@ObjectType('PrestashopEventConnection')
export class PrestashopEventConnection {
  @Field(() => [PrestashopEvent]) nodes!: PrestashopEvent[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType('PrestashopLogConnection')
export class PrestashopLogConnection {
  @Field(() => [PrestashopLog]) nodes!: PrestashopLog[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType('PrestashopEventCount')
export class PrestashopEventCount {
  @Field(() => String) status!: string;
  @Field(() => Int) count!: number;
}

/**
 * The module's admin screens, for Switchboard's operators: the event log with statuses, failed
 * events with retry one / retry all, and the processing log filtered by level with its context.
 */
@Resolver()
export class PrestashopOperatorResolver {
  @Authorized('ops', 'support')
  @Query(() => PrestashopEventConnection, { description: 'Received PrestaShop events, newest first.' })
  async prestashopEvents(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => PrestashopEventFilter, { nullable: true }) filter?: PrestashopEventFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<PrestashopEventConnection> {
    const size = pageSize(first);
    const where: FilterQuery<PrestashopEvent> & Record<string, unknown> = {};
    if (filter?.status) {
      if (!EVENT_STATUSES.includes(filter.status as EventStatus)) throw badInput(`filter.status must be one of ${EVENT_STATUSES.join(', ')}`, 'filter.status');
      where.status = filter.status as EventStatus;
    }
    if (filter?.entityType) where.entityType = filter.entityType.toLowerCase();
    if (filter?.entityId) where.entityId = filter.entityId;
    if (filter?.actionType) where.actionType = filter.actionType.toLowerCase();
    if (filter?.batchId) where.batchId = filter.batchId;
    if (filter?.eventId !== undefined && filter.eventId !== null) where.sourceEventId = filter.eventId;
    const cursor = decodeCursor<[number]>(after, ['number']);
    const [rows, totalCount] = await Promise.all([
      ctx.em.find(PrestashopEvent, cursor ? { $and: [where, { id: { $lt: cursor[0] } }] } : where, { orderBy: { id: 'desc' }, limit: size + 1 }),
      ctx.em.count(PrestashopEvent, where),
    ]);
    return Object.assign(new PrestashopEventConnection(), { ...page(rows, size, (row) => [row.id]), totalCount });
  }

  @Authorized('ops', 'support')
  @Query(() => PrestashopEvent, { nullable: true })
  prestashopEvent(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<PrestashopEvent | null> {
    return ctx.em.findOne(PrestashopEvent, { id: toId(id) });
  }

  @Authorized('ops', 'support')
  @Query(() => [PrestashopEventCount], { description: 'How many received events are in each status.' })
  async prestashopEventCounts(@Ctx() ctx: GraphQLContext): Promise<PrestashopEventCount[]> {
    const rows: { status: string; count: number | string }[] = await ctx.em
      .getConnection()
      .execute('select status, count(*) as count from prestashop_event group by status order by status');
    return rows.map((row) => Object.assign(new PrestashopEventCount(), { status: row.status, count: Number(row.count) }));
  }

  @Authorized('ops', 'support')
  @Query(() => PrestashopLogConnection, { description: 'Processing log, newest first.' })
  async prestashopLogs(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => PrestashopLogFilter, { nullable: true }) filter?: PrestashopLogFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<PrestashopLogConnection> {
    const size = pageSize(first);
    const where: FilterQuery<PrestashopLog> & Record<string, unknown> = {};
    if (filter?.level) {
      const level = filter.level.toUpperCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw badInput(`filter.level must be one of ${LOG_LEVELS.join(', ')}`, 'filter.level');
      where.level = level as LogLevel;
    }
    if (filter?.search?.trim()) where.message = { $like: `%${filter.search.trim()}%` };
    if (filter?.eventId !== undefined && filter.eventId !== null) where.sourceEventId = filter.eventId;
    if (filter?.batchId) where.batchId = filter.batchId;
    const cursor = decodeCursor<[number]>(after, ['number']);
    const [rows, totalCount] = await Promise.all([
      ctx.em.find(PrestashopLog, cursor ? { $and: [where, { id: { $lt: cursor[0] } }] } : where, { orderBy: { id: 'desc' }, limit: size + 1 }),
      ctx.em.count(PrestashopLog, where),
    ]);
    return Object.assign(new PrestashopLogConnection(), { ...page(rows, size, (row) => [row.id]), totalCount });
  }

  @Authorized('ops')
  @Mutation(() => PrestashopEvent, { description: 'Process a failed (or stuck pending) event again.' })
  async retryPrestashopEvent(@Ctx() ctx: GraphQLContext<ServiceRuntime>, @Arg('id', () => ID) id: string): Promise<PrestashopEvent> {
    const numeric = toId(id);
    const retried = await requeue(ctx, { id: numeric }, 'retry');
    if (retried.length === 0) {
      const event = await ctx.em.findOne(PrestashopEvent, { id: numeric });
      if (!event) throw notFound(`PrestaShop event ${id} not found`);
      throw badInput(`event ${id} is ${event.status}; only failed or pending events can be retried`, 'id');
    }
    return retried[0]!;
  }

  @Authorized('ops')
  @Mutation(() => Int, { description: 'Process every failed event again; returns how many were requeued.' })
  async retryFailedPrestashopEvents(@Ctx() ctx: GraphQLContext<ServiceRuntime>): Promise<number> {
    return (await requeue(ctx, { status: 'failed' }, 'retry')).length;
  }
}

const REQUEST_SIZE = 100;

/** Marks events pending again and asks for their processing, in one transaction. */
async function requeue(
  ctx: GraphQLContext<ServiceRuntime>,
  where: FilterQuery<PrestashopEvent>,
  reason: ProcessingRequest['reason'],
): Promise<PrestashopEvent[]> {
  const deps = prestashopDeps(ctx.deps);
  return deps.runtime.transaction(async ({ em, events }) => {
    const rows = await em.find(PrestashopEvent, { $and: [where, { status: { $in: ['failed', 'pending'] } }] }, { orderBy: { sourceEventId: 'asc' } });
    if (rows.length === 0) return [];
    const now = new Date();
    for (const row of rows) Object.assign(row, { status: 'pending', error: null, queuedAt: now, processedAt: null });
    const sourceEventIds = rows.map((row) => row.sourceEventId);
    // Requests of at most REQUEST_SIZE events, like the batches the module sends.
    for (let i = 0; i < sourceEventIds.length; i += REQUEST_SIZE) {
      events.emit<ProcessingRequest>(EVENTS_REQUEUED, { sourceEventIds: sourceEventIds.slice(i, i + REQUEST_SIZE), reason });
    }
    new ProcessingLog(em, deps.config.logLevel).write(
      'INFO',
      `Retry of ${rows.length} event(s) requested by ${ctx.identity?.sub ?? 'unknown'}`,
      { sourceEventIds: sourceEventIds.slice(0, 100), by: ctx.identity?.sub ?? null },
    );
    return rows;
  });
}

function toId(id: string): number {
  const numeric = Number(id);
  if (!Number.isSafeInteger(numeric) || numeric <= 0) throw badInput(`invalid event id ${id}`, 'id');
  return numeric;
}
