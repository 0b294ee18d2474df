import { badInput, Delivery, DeliveryView, groupByKeys, notFound, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { CloverWebhook, type WebhookStatus } from './clover-webhook.js';
import type { CloverWebhooksModule } from './module.js';
import type { ObjectResult } from './object-result.js';

type Context = GraphQLContext<ServiceRuntime & { cloverWebhooks: CloverWebhooksModule }>;

const STATUSES: WebhookStatus[] = ['verified', 'forwarded', 'verification', 'rejected'];
const ENDPOINTS = ['customer', 'dispatcher'];

@ObjectType('CloverWebhookObjectResult', { description: 'What became of one object a verified webhook named.' })
export class CloverWebhookObjectResultView {
  @Field(() => String, { description: 'As Clover sent it, e.g. `P:ASVPRFJ5D5GF1/BSEQZTNJKQGY6`.' }) objectId!: string;
  @Field(() => String) merchantId!: string;
  @Field(() => String, {
    description: 'updated, in_sync, mismatch (Clover disagrees with a settled payment: check by hand), unmatched, no_connection, not_found_at_clover, rejected_by_clover, reauthorization_required, ignored (not a payment).',
  })
  outcome!: string;
  @Field(() => ID, { nullable: true, description: 'Our payment, when one matched.' }) paymentId?: string | null;
  @Field(() => String, { nullable: true }) status?: string | null;
  @Field(() => String, { nullable: true }) detail?: string | null;
}

@ObjectType('CloverWebhook', { description: 'A webhook either Clover endpoint received: the customer webhook (verified) or the dispatcher (forwarded).' })
export class CloverWebhookView {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: '`customer` (/payment/clover/webhook) or `dispatcher` (/clover/webhook).' }) endpoint!: string;
  @Field(() => String, { description: 'verified, forwarded, verification (the one-shot challenge) or rejected.' }) status!: string;
  @Field(() => String, { nullable: true, description: 'Why it was rejected: missing_signature, bad_signature, unknown_app, malformed_json, not_utf8, too_large, no_merchant, unknown_merchant.' })
  reason?: string | null;
  @Field(() => String, { nullable: true }) detail?: string | null;
  @Field(() => String, { nullable: true, description: 'firehose, event, verification or unknown.' }) shape?: string | null;
  @Field(() => String, { nullable: true }) appId?: string | null;
  @Field(() => [String]) merchantIds!: string[];
  @Field(() => Int) merchantCount!: number;
  @Field(() => Int) objectCount!: number;
  @Field(() => String, { nullable: true }) verificationCode?: string | null;
  @Field(() => Int) bodyBytes!: number;
  @Field(() => Boolean, { description: 'An X-Clover-Auth-Code header came with it.' }) signaturePresent!: boolean;
  @Field(() => String, { nullable: true, description: 'The caller, as the gateway or ingress reported it.' }) remoteIp?: string | null;
  @Field(() => Date) receivedAt!: Date;
  @Field(() => String, { nullable: true, description: 'Customer webhooks: pending, processing, retrying, processed, failed.' }) processingStatus?: string | null;
  @Field(() => Int) processingAttempts!: number;
  @Field(() => String, { nullable: true }) processingError?: string | null;
  @Field(() => Date, { nullable: true }) processedAt?: Date | null;
  @Field(() => [CloverWebhookObjectResultView]) results!: ObjectResult[];
  @Field(() => Int, { description: 'Dispatcher: customer installations it was forwarded to.' }) forwardCount!: number;
  @Field(() => [String], { description: 'Dispatcher: merchants no route was known for.' }) unroutedMerchantIds!: string[];
  @Field(() => String, { nullable: true, description: 'The raw body (accepted webhooks only).' }) body?: string | null;

  static of(row: CloverWebhook): CloverWebhookView {
    return Object.assign(new CloverWebhookView(), {
      id: row.id,
      endpoint: row.endpoint,
      status: row.status,
      reason: row.reason ?? null,
      detail: row.detail ?? null,
      shape: row.shape ?? null,
      appId: row.appId ?? null,
      merchantIds: row.merchantIds ? (JSON.parse(row.merchantIds) as string[]) : [],
      merchantCount: row.merchantCount,
      objectCount: row.objectCount,
      verificationCode: row.verificationCode ?? null,
      bodyBytes: row.bodyBytes,
      signaturePresent: !!row.signature,
      remoteIp: row.remoteIp ?? null,
      receivedAt: row.receivedAt,
      processingStatus: row.processingStatus ?? null,
      processingAttempts: row.processingAttempts,
      processingError: row.processingError ?? null,
      processedAt: row.processedAt ?? null,
      results: row.processingResult ? (JSON.parse(row.processingResult) as ObjectResult[]) : [],
      forwardCount: row.forwardCount,
      unroutedMerchantIds: row.unroutedMerchantIds ? (JSON.parse(row.unroutedMerchantIds) as string[]) : [],
      body: row.body ?? null,
    });
  }
}

@ObjectType('CloverVerificationCode', { description: 'A webhook verification code Clover sent: paste it into the Clover dashboard.' })
export class CloverVerificationCodeView {
  @Field(() => String) code!: string;
  @Field(() => String) endpoint!: string;
  @Field(() => Date) receivedAt!: Date;
  @Field(() => String, { nullable: true }) remoteIp?: string | null;
  @Field(() => ID) webhookId!: string;
  @Field(() => Int, { description: 'Dispatcher: customer installations it was forwarded to.' }) forwardCount!: number;
}

function deliveriesLoader(ctx: Context) {
  return ctx.loader<string, Delivery[]>('clover.webhookDeliveries', async (ids) => {
    const rows = await ctx.em.find(Delivery, { reference: { $in: [...ids] }, kind: { $like: 'clover.%' } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return groupByKeys(ids, rows, (row) => row.reference!);
  });
}

function checkLimit(limit: number): void {
  if (limit < 1 || limit > 500) throw badInput('limit must be between 1 and 500', 'limit');
}

@Resolver(() => CloverWebhookView)
export class CloverWebhookResolver {
  @Authorized('ops')
  @Query(() => [CloverWebhookView], { description: 'Clover webhooks received (both endpoints), newest first.' })
  async cloverWebhooks(
    @Ctx() ctx: Context,
    @Arg('endpoint', () => String, { nullable: true, description: ENDPOINTS.join(', ') }) endpoint?: string,
    @Arg('status', () => String, { nullable: true, description: STATUSES.join(', ') }) status?: string,
    @Arg('merchantId', () => String, { nullable: true }) merchantId?: string,
    @Arg('before', () => Date, { nullable: true, description: 'Only webhooks received before this instant (paging).' }) before?: Date,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<CloverWebhookView[]> {
    if (endpoint && !ENDPOINTS.includes(endpoint)) throw badInput(`endpoint must be one of ${ENDPOINTS.join(', ')}`, 'endpoint');
    if (status && !STATUSES.includes(status as WebhookStatus)) throw badInput(`status must be one of ${STATUSES.join(', ')}`, 'status');
    if (merchantId !== undefined && merchantId !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(merchantId)) throw badInput('merchantId is not a Clover merchant id', 'merchantId');
    checkLimit(limit);
    const rows = await ctx.em.find(
      CloverWebhook,
      {
        ...(endpoint ? { endpoint: endpoint as CloverWebhook['endpoint'] } : {}),
        ...(status ? { status: status as WebhookStatus } : {}),
        ...(merchantId ? { merchantIds: { $like: `%"${merchantId}"%` } } : {}),
        ...(before ? { receivedAt: { $lt: before } } : {}),
      },
      { orderBy: { receivedAt: 'desc', id: 'desc' }, limit },
    );
    return rows.map(CloverWebhookView.of);
  }

  @Authorized('ops')
  @Query(() => CloverWebhookView, { nullable: true })
  async cloverWebhook(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<CloverWebhookView | null> {
    const row = await ctx.em.findOne(CloverWebhook, { id });
    return row ? CloverWebhookView.of(row) : null;
  }

  @Authorized('ops')
  @Query(() => [CloverVerificationCodeView], { description: 'Verification codes Clover sent (either endpoint), newest first.' })
  async cloverWebhookVerificationCodes(@Ctx() ctx: Context, @Arg('limit', () => Int, { defaultValue: 20 }) limit = 20): Promise<CloverVerificationCodeView[]> {
    checkLimit(limit);
    const rows = await ctx.em.find(CloverWebhook, { status: 'verification' }, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit });
    return rows.map((row) =>
      Object.assign(new CloverVerificationCodeView(), {
        code: row.verificationCode!,
        endpoint: row.endpoint,
        receivedAt: row.receivedAt,
        remoteIp: row.remoteIp ?? null,
        webhookId: row.id,
        forwardCount: row.forwardCount,
      }),
    );
  }

  @FieldResolver(() => [DeliveryView], { description: 'Dispatcher: the forwards to customer installations, with every attempt.' })
  async deliveries(@Root() webhook: CloverWebhookView, @Ctx() ctx: Context): Promise<DeliveryView[]> {
    if (webhook.endpoint !== 'dispatcher') return [];
    const rows = await deliveriesLoader(ctx).load(webhook.id);
    return rows.map((row) => DeliveryView.of(ctx.deps.service, row));
  }

  @Authorized('ops')
  @Mutation(() => CloverWebhookView, { description: 'Follow up a verified webhook again (after connecting its merchant, or once Clover is reachable).' })
  async reprocessCloverWebhook(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<CloverWebhookView> {
    const exists = await ctx.em.findOne(CloverWebhook, { id }, { fields: ['id'] });
    if (!exists) throw notFound(`no clover webhook ${id}`);
    try {
      const row = await ctx.deps.cloverWebhooks.processor.requestRetry(id);
      ctx.logger.info({ webhookId: id, by: ctx.identity?.sub }, 'clover webhook queued for reprocessing by an operator');
      return CloverWebhookView.of(row);
    } catch (error) {
      throw badInput((error as Error).message, 'id');
    }
  }
}
