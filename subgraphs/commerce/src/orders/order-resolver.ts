import type { FilterQuery } from '@mikro-orm/core';
import { badInput, groupByKeys, Money, normalizeEmail, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Coupon } from '../coupons/coupon.js';
import { OrderCoupon } from '../coupons/order-coupon.js';
import { Customer } from '../customers/customer.js';
import { customerLoader } from '../customers/customer-resolver.js';
import { shopMoney } from './money-fields.js';
import { ShopOrder } from './order.js';
import { OrderInvoice } from './order-invoice.js';
import { OrderLine } from './order-line.js';
import { OrderMessage } from './order-message.js';
import { OrderPayment } from './order-payment.js';
import { OrderStatusChange } from './order-status-change.js';
import { decodeCursor, page, pageSize, PageInfo } from './pagination.js';

@InputType('OrderFilter')
export class OrderFilter {
  @Field(() => String, { nullable: true }) customerEmail?: string;
  @Field(() => String, { nullable: true, description: 'Exact PrestaShop reference.' }) reference?: string;
  @Field(() => [Int], { nullable: true, description: 'Current state is one of these id_order_state.' }) stateIds?: number[];
  @Field(() => Date, { nullable: true, description: 'Placed at or after.' }) placedFrom?: Date;
  @Field(() => Date, { nullable: true, description: 'Placed before.' }) placedTo?: Date;
  @Field(() => Boolean, { nullable: true, description: 'Has (true) or has not (false) reached a shipped state.' }) shipped?: boolean;
  @Field(() => String, { nullable: true, description: 'Orders that used this coupon code.' }) couponCode?: string;
  @Field(() => String, { nullable: true, description: 'Reference or customer e-mail contains this text.' }) search?: string;
}

@ObjectType('OrderConnection')
export class OrderConnection {
  @Field(() => [ShopOrder]) nodes!: ShopOrder[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: 'Orders matching the filter, all pages.' }) totalCount!: number;
}

@Resolver(() => ShopOrder)
export class OrderResolver {
  @Authorized('ops', 'support')
  @Query(() => ShopOrder, { nullable: true, description: 'An order by id (`ps-<id_order>`).' })
  async order(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ShopOrder | null> {
    return orderLoader(ctx).load(id);
  }

  @Authorized('ops', 'support')
  @Query(() => OrderConnection, { description: 'Orders, newest first (by the time the shop placed them).' })
  async orders(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => OrderFilter, { nullable: true }) filter?: OrderFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<OrderConnection> {
    const size = pageSize(first);
    const where = await orderWhere(ctx, filter ?? {});
    const cursor = decodeCursor<[string, string]>(after, ['string', 'string']);
    const paged: FilterQuery<ShopOrder> = cursor
      ? { $and: [where, { $or: [{ placedAt: { $lt: new Date(cursor[0]) } }, { placedAt: new Date(cursor[0]), id: { $lt: cursor[1] } }] }] }
      : where;
    const [rows, totalCount] = await Promise.all([
      ctx.em.find(ShopOrder, paged, { orderBy: { placedAt: 'desc', id: 'desc' }, limit: size + 1 }),
      ctx.em.count(ShopOrder, where),
    ]);
    return Object.assign(new OrderConnection(), { ...page(rows, size, (o) => [o.placedAt.toISOString(), o.id]), totalCount });
  }

  @FieldResolver(() => [OrderLine], { description: 'Product lines, in the order the shop listed them.' })
  lines(@Root() order: ShopOrder, @Ctx() ctx: GraphQLContext): Promise<OrderLine[]> {
    return ctx
      .loader<string, OrderLine[]>('commerce.orderLines', async (ids) => {
        const rows = await ctx.em.find(OrderLine, { orderId: { $in: [...ids] } }, { orderBy: { orderId: 'asc', position: 'asc' } });
        return groupByKeys(ids, rows, (row) => row.orderId);
      })
      .load(order.id);
  }

  @FieldResolver(() => [OrderStatusChange], { description: 'State history, oldest first.' })
  history(@Root() order: ShopOrder, @Ctx() ctx: GraphQLContext): Promise<OrderStatusChange[]> {
    return ctx
      .loader<string, OrderStatusChange[]>('commerce.orderHistory', async (ids) => {
        const rows = await ctx.em.find(OrderStatusChange, { orderId: { $in: [...ids] } }, { orderBy: { changedAt: 'asc', id: 'asc' } });
        return groupByKeys(ids, rows, (row) => row.orderId);
      })
      .load(order.id);
  }

  @FieldResolver(() => [OrderPayment], { description: 'Payments recorded against the order reference.' })
  payments(@Root() order: ShopOrder, @Ctx() ctx: GraphQLContext): Promise<OrderPayment[]> {
    return ctx
      .loader<string, OrderPayment[]>('commerce.orderPayments', async (references) => {
        const rows = await ctx.em.find(OrderPayment, { orderReference: { $in: [...references] } }, { orderBy: { paidAt: 'asc', id: 'asc' } });
        return groupByKeys(references, rows, (row) => row.orderReference);
      })
      .load(order.reference);
  }

  @FieldResolver(() => [OrderMessage])
  messages(@Root() order: ShopOrder, @Ctx() ctx: GraphQLContext): Promise<OrderMessage[]> {
    return ctx
      .loader<string, OrderMessage[]>('commerce.orderMessages', async (ids) => {
        const rows = await ctx.em.find(OrderMessage, { orderId: { $in: [...ids] } }, { orderBy: { sentAt: 'asc', id: 'asc' } });
        return groupByKeys(ids, rows, (row) => row.orderId);
      })
      .load(order.id);
  }

  @FieldResolver(() => [OrderInvoice])
  invoices(@Root() order: ShopOrder, @Ctx() ctx: GraphQLContext): Promise<OrderInvoice[]> {
    return ctx
      .loader<string, OrderInvoice[]>('commerce.orderInvoices', async (ids) => {
        const rows = await ctx.em.find(OrderInvoice, { orderId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
        return groupByKeys(ids, rows, (row) => row.orderId);
      })
      .load(order.id);
  }

  @FieldResolver(() => [Coupon], { description: 'Coupons used on the order (detected from their use on its cart).' })
  coupons(@Root() order: ShopOrder, @Ctx() ctx: GraphQLContext): Promise<Coupon[]> {
    return ctx
      .loader<string, Coupon[]>('commerce.orderCoupons', async (ids) => {
        const links = await ctx.em.find(OrderCoupon, { orderId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
        const coupons = links.length ? await ctx.em.find(Coupon, { id: { $in: [...new Set(links.map((l) => l.couponId))] } }) : [];
        const byId = new Map(coupons.map((coupon) => [coupon.id, coupon]));
        return groupByKeys(ids, links, (link) => link.orderId).map((group) => group.map((link) => byId.get(link.couponId)).filter((c): c is Coupon => !!c));
      })
      .load(order.id);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'Null until the shop account behind the order is known.' })
  async customer(@Root() order: ShopOrder, @Ctx() ctx: GraphQLContext): Promise<Customer | null> {
    return order.customerEmail ? customerLoader(ctx).load(order.customerEmail) : null;
  }
}

@Resolver(() => OrderInvoice)
export class OrderInvoiceResolver {
  @FieldResolver(() => Money, { nullable: true })
  async totalPaidTaxIncl(@Root() invoice: OrderInvoice, @Ctx() ctx: GraphQLContext): Promise<Money | null> {
    return shopMoney(invoice.totalPaidTaxIncl, (await orderLoader(ctx).load(invoice.orderId))?.currency);
  }

  @FieldResolver(() => Money, { nullable: true })
  async totalPaidTaxExcl(@Root() invoice: OrderInvoice, @Ctx() ctx: GraphQLContext): Promise<Money | null> {
    return shopMoney(invoice.totalPaidTaxExcl, (await orderLoader(ctx).load(invoice.orderId))?.currency);
  }

  @FieldResolver(() => ShopOrder, { nullable: true })
  order(@Root() invoice: OrderInvoice, @Ctx() ctx: GraphQLContext): Promise<ShopOrder | null> {
    return orderLoader(ctx).load(invoice.orderId);
  }
}

async function orderWhere(ctx: GraphQLContext, filter: OrderFilter): Promise<FilterQuery<ShopOrder>> {
  const where: FilterQuery<ShopOrder> & Record<string, unknown> = {};
  if (filter.customerEmail !== undefined && filter.customerEmail !== null) {
    const email = normalizeEmail(filter.customerEmail);
    if (!email) throw badInput('filter.customerEmail must be a valid e-mail address', 'filter.customerEmail');
    where.customerEmail = email;
  }
  if (filter.reference) where.reference = filter.reference.trim();
  if (filter.stateIds?.length) where.stateId = { $in: filter.stateIds };
  if (filter.placedFrom || filter.placedTo) {
    where.placedAt = { ...(filter.placedFrom ? { $gte: filter.placedFrom } : {}), ...(filter.placedTo ? { $lt: filter.placedTo } : {}) };
  }
  if (filter.shipped !== undefined && filter.shipped !== null) where.shippedAt = filter.shipped ? { $ne: null } : null;
  if (filter.couponCode) {
    const coupons = await ctx.em.find(Coupon, { code: filter.couponCode.trim() }, { fields: ['id'] });
    const links = coupons.length ? await ctx.em.find(OrderCoupon, { couponId: { $in: coupons.map((c) => c.id) } }, { fields: ['orderId'] }) : [];
    where.id = { $in: links.map((link) => link.orderId) };
  }
  if (filter.search?.trim()) {
    const term = filter.search.trim();
    where.$or = [{ reference: { $like: `%${term.toUpperCase()}%` } }, { customerEmail: { $like: `%${term.toLowerCase()}%` } }];
  }
  return where;
}

export function orderLoader(ctx: GraphQLContext) {
  return ctx.loader<string, ShopOrder | null>('commerce.orderById', async (ids) => {
    const rows = await ctx.em.find(ShopOrder, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export const orderReference = {
  Order: {
    __resolveReference(reference: { id: string }, ctx: GraphQLContext) {
      return orderLoader(ctx).load(String(reference.id));
    },
  },
};
