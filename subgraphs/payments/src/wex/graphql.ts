import {
  badInput,
  Delivery,
  DeliveryView,
  groupByKeys,
  Money,
  notFound,
  type GraphQLContext,
  type ServiceRuntime,
} from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Payment } from '../payments/payment.js';
import type { WexDeps } from './module.js';
import { WexVirtualCard, type VirtualCardStatus } from './virtual-card.js';

type Context = GraphQLContext<ServiceRuntime & { wex: WexDeps }>;

const STATUSES: VirtualCardStatus[] = ['issuing', 'issued', 'declined', 'failed', 'unknown'];

/** A WEX virtual card as operators see it: never more of the card than its last four digits. */
@ObjectType('WexVirtualCard', { description: 'A virtual card Odoo asked WEX for through the legacy /proxy.' })
export class WexVirtualCardView {
  @Field(() => ID, { description: 'Also the id of its Payment.' }) id!: string;
  @Field(() => String, { description: "Odoo's payment id (`x_name`): the idempotency key and what /ack names." }) paymentId!: string;
  @Field(() => String, { nullable: true, description: "Odoo's record id (`_id`)." }) requestId?: string | null;
  @Field(() => String) vendorName!: string;
  @Field(() => Money) amount!: Money;
  @Field(() => String) invoiceNumber!: string;
  @Field(() => String, { nullable: true }) employeeName?: string | null;
  @Field(() => String, { description: 'issuing, issued, declined, failed (nothing issued; may be re-sent) or unknown (WEX may have issued a card we never saw).' })
  status!: string;
  @Field(() => Int, { nullable: true, description: 'HTTP status answered to Odoo.' }) responseStatus?: number | null;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => Int, { description: 'Calls made to WEX for this payment id.' }) wexCalls!: number;
  @Field(() => String, { nullable: true }) lastFour?: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
  /** Not exposed: picks the success delivery among the card's deliveries. */
  deliveryId?: string | null;

  static of(card: WexVirtualCard): WexVirtualCardView {
    const requestId = JSON.parse(card.odooRequestId) as string | number | null;
    return Object.assign(new WexVirtualCardView(), {
      id: card.id,
      paymentId: card.odooPaymentId,
      requestId: requestId === null ? null : String(requestId),
      vendorName: card.vendorName,
      amount: Money.of(card.amountValue, card.currency),
      invoiceNumber: card.invoiceNumber,
      employeeName: card.employeeName ?? null,
      status: card.status,
      responseStatus: card.responseStatus ?? null,
      error: card.error ?? null,
      wexCalls: card.wexCalls,
      lastFour: card.cardLastFour ?? null,
      createdAt: card.createdAt,
      updatedAt: card.updatedAt,
      deliveryId: card.deliveryId ?? null,
    });
  }
}

function deliveriesLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Delivery[]>('wex.deliveriesByCard', async (cardIds) => {
    const rows = await ctx.em.find(Delivery, { reference: { $in: [...cardIds] }, kind: { $like: 'wex.%' } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return groupByKeys(cardIds, rows, (row) => row.reference!);
  });
}

function cardsByIdLoader(ctx: GraphQLContext) {
  return ctx.loader<string, WexVirtualCard | null>('wex.cardById', async (ids) => {
    const rows = await ctx.em.find(WexVirtualCard, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

function paymentsLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Payment | null>('wex.paymentById', async (ids) => {
    const rows = await ctx.em.find(Payment, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

async function cardByPaymentId(ctx: Context, paymentId: string): Promise<WexVirtualCard> {
  if (!paymentId.trim()) throw badInput('paymentId must not be empty', 'paymentId');
  const card = await ctx.em.findOne(WexVirtualCard, { odooPaymentId: paymentId.trim() });
  if (!card) throw notFound(`no WEX virtual card was requested with payment id ${paymentId}`);
  return card;
}

@Resolver(() => WexVirtualCardView)
export class WexVirtualCardResolver {
  @Authorized('ops', 'finance')
  @Query(() => [WexVirtualCardView], { description: 'WEX virtual cards, newest first.' })
  async wexVirtualCards(
    @Ctx() ctx: Context,
    @Arg('status', () => String, { nullable: true, description: STATUSES.join(', ') }) status?: string,
    @Arg('vendor', () => String, { nullable: true, description: 'Part of the vendor name.' }) vendor?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<WexVirtualCardView[]> {
    if (status && !STATUSES.includes(status as VirtualCardStatus)) throw badInput(`status must be one of ${STATUSES.join(', ')}`, 'status');
    if (limit < 1 || limit > 500) throw badInput('limit must be between 1 and 500', 'limit');
    const pattern = vendor?.trim() ? `%${vendor.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const rows = await ctx.em.find(
      WexVirtualCard,
      { ...(status ? { status: status as VirtualCardStatus } : {}), ...(pattern ? { vendorName: { $like: pattern } } : {}) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit },
    );
    return rows.map(WexVirtualCardView.of);
  }

  @Authorized('ops', 'finance')
  @Query(() => WexVirtualCardView, { nullable: true, description: "By Odoo's payment id (`x_name`)." })
  async wexVirtualCard(@Ctx() ctx: Context, @Arg('paymentId', () => String) paymentId: string): Promise<WexVirtualCardView | null> {
    if (!paymentId.trim()) throw badInput('paymentId must not be empty', 'paymentId');
    const card = await ctx.em.findOne(WexVirtualCard, { odooPaymentId: paymentId.trim() });
    return card ? WexVirtualCardView.of(card) : null;
  }

  @FieldResolver(() => [DeliveryView], { description: 'Deliveries of the result to the Odoo webhook (the success delivery, error forwards), oldest first.' })
  async deliveries(@Root() card: WexVirtualCardView, @Ctx() ctx: Context): Promise<DeliveryView[]> {
    const rows = await deliveriesLoader(ctx).load(card.id);
    return rows.map((row) => DeliveryView.of(ctx.deps.service, row));
  }

  @FieldResolver(() => DeliveryView, { nullable: true, description: 'The success delivery, retried until Odoo ACKs it; its id is `_delivery_id`.' })
  async delivery(@Root() card: WexVirtualCardView, @Ctx() ctx: Context): Promise<DeliveryView | null> {
    const rows = await deliveriesLoader(ctx).load(card.id);
    const row = rows.find((candidate) => candidate.id === card.deliveryId);
    return row ? DeliveryView.of(ctx.deps.service, row) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Status of the latest delivery to Odoo (acknowledged, awaiting_ack, exhausted, …).' })
  async deliveryStatus(@Root() card: WexVirtualCardView, @Ctx() ctx: Context): Promise<string | null> {
    const rows = await deliveriesLoader(ctx).load(card.id);
    return rows.find((row) => row.id === card.deliveryId)?.status ?? rows.at(-1)?.status ?? null;
  }

  @FieldResolver(() => Payment, { nullable: true })
  payment(@Root() card: WexVirtualCardView, @Ctx() ctx: Context): Promise<Payment | null> {
    return paymentsLoader(ctx).load(card.id);
  }

  @Authorized('ops', 'finance')
  @Mutation(() => WexVirtualCardView, { description: 'Deliver the result to Odoo again: another full round of attempts (the success) or one more forward (an error).' })
  async resendWexVirtualCardDelivery(@Ctx() ctx: Context, @Arg('paymentId', () => String) paymentId: string): Promise<WexVirtualCardView> {
    const card = await cardByPaymentId(ctx, paymentId);
    const latest = card.deliveryId ?? (await ctx.em.findOne(Delivery, { reference: card.id, kind: { $like: 'wex.%' } }, { orderBy: { createdAt: 'desc', id: 'desc' } }))?.id;
    if (!latest) throw badInput(`payment ${paymentId} has no result to deliver yet (status ${card.status})`, 'paymentId');
    try {
      await ctx.deps.deliveries.resend(latest);
    } catch (error) {
      throw badInput((error as Error).message, 'paymentId');
    }
    ctx.logger.info({ paymentId, deliveryId: latest, by: ctx.identity?.sub }, 'WEX virtual card delivery re-sent by an operator');
    return WexVirtualCardView.of(card);
  }

  @Authorized('ops', 'finance')
  @Mutation(() => WexVirtualCardView, { description: 'Acknowledge on behalf of Odoo (as POST /ack would): stops the retries.' })
  async acknowledgeWexVirtualCard(@Ctx() ctx: Context, @Arg('paymentId', () => String) paymentId: string): Promise<WexVirtualCardView> {
    await cardByPaymentId(ctx, paymentId);
    const card = await ctx.deps.wex.acknowledge(paymentId.trim());
    ctx.logger.info({ paymentId, by: ctx.identity?.sub }, 'WEX virtual card acknowledged by an operator');
    return WexVirtualCardView.of(card!);
  }
}

/** `Payment.virtualCard`: the WEX card behind a `virtual_card` payment. */
@Resolver(() => Payment)
export class PaymentVirtualCardResolver {
  @Authorized('ops', 'finance')
  @FieldResolver(() => WexVirtualCardView, { nullable: true, description: 'For a WEX virtual card payment: the card request and its delivery to Odoo.' })
  async virtualCard(@Root() payment: Payment, @Ctx() ctx: Context): Promise<WexVirtualCardView | null> {
    if (payment.provider !== 'wex') return null;
    const card = await cardsByIdLoader(ctx).load(payment.id);
    return card ? WexVirtualCardView.of(card) : null;
  }
}
