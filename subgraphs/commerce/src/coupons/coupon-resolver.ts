import type { FilterQuery } from '@mikro-orm/core';
import { badInput, groupByKeys, Money, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { shopMoney } from '../orders/money-fields.js';
import { ShopOrder } from '../orders/order.js';
import { decodeCursor, page, pageSize, PageInfo } from '../orders/pagination.js';
import { currencyOf } from '../prestashop/config.js';
import { prestashopDeps } from '../prestashop/prestashop-deps.js';
import { Coupon } from './coupon.js';
import { CouponUsage } from './coupon-usage.js';
import { OrderCoupon } from './order-coupon.js';

@InputType('CouponFilter')
export class CouponFilter {
  @Field(() => String, { nullable: true, description: 'Code or name contains this text.' }) search?: string;
  @Field(() => Boolean, { nullable: true }) active?: boolean;
  @Field(() => String, { nullable: true, description: '`cart_rule` or `specific_price`.' }) source?: string;
}

@ObjectType('CouponConnection')
export class CouponConnection {
  @Field(() => [Coupon]) nodes!: Coupon[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@Resolver(() => Coupon)
export class CouponResolver {
  @Authorized('ops', 'support')
  @Query(() => Coupon, { nullable: true, description: 'A coupon by id (`cart-rule-<id>` or `specific-price-<id>`).' })
  coupon(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Coupon | null> {
    return ctx.em.findOne(Coupon, { id });
  }

  @Authorized('ops', 'support')
  @Query(() => CouponConnection, { description: 'Coupons and discounts, most recently changed first.' })
  async coupons(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => CouponFilter, { nullable: true }) filter?: CouponFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<CouponConnection> {
    const size = pageSize(first);
    const where: FilterQuery<Coupon> & Record<string, unknown> = {};
    if (filter?.search?.trim()) {
      const term = filter.search.trim();
      where.$or = [{ code: { $like: `%${term}%` } }, { name: { $like: `%${term}%` } }];
    }
    if (filter?.active !== undefined && filter.active !== null) where.active = filter.active;
    if (filter?.source) {
      if (filter.source !== 'cart_rule' && filter.source !== 'specific_price') throw badInput('filter.source must be cart_rule or specific_price', 'filter.source');
      where.source = filter.source;
    }
    const cursor = decodeCursor<[string, string]>(after, ['string', 'string']);
    const paged: FilterQuery<Coupon> = cursor
      ? { $and: [where, { $or: [{ updatedAt: { $lt: new Date(cursor[0]) } }, { updatedAt: new Date(cursor[0]), id: { $lt: cursor[1] } }] }] }
      : where;
    const [rows, totalCount] = await Promise.all([
      ctx.em.find(Coupon, paged, { orderBy: { updatedAt: 'desc', id: 'desc' }, limit: size + 1 }),
      ctx.em.count(Coupon, where),
    ]);
    return Object.assign(new CouponConnection(), { ...page(rows, size, (c) => [c.updatedAt.toISOString(), c.id]), totalCount });
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Amount off; null when the coupon gives none or its currency is not configured.' })
  reductionAmount(@Root() coupon: Coupon, @Ctx() ctx: GraphQLContext<ServiceRuntime>): Money | null {
    if (!coupon.reductionAmount || Number(coupon.reductionAmount) === 0) return null;
    return shopMoney(coupon.reductionAmount, currencyOf(prestashopDeps(ctx.deps).config, coupon.reductionCurrencyId));
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Minimum order amount; null when none.' })
  minimumAmount(@Root() coupon: Coupon, @Ctx() ctx: GraphQLContext<ServiceRuntime>): Money | null {
    if (!coupon.minimumAmount || Number(coupon.minimumAmount) === 0) return null;
    return shopMoney(coupon.minimumAmount, currencyOf(prestashopDeps(ctx.deps).config, coupon.minimumAmountCurrencyId));
  }

  @FieldResolver(() => [CouponUsage], { description: 'Applied / removed / consumed on carts, oldest first.' })
  usages(@Root() coupon: Coupon, @Ctx() ctx: GraphQLContext): Promise<CouponUsage[]> {
    return ctx
      .loader<string, CouponUsage[]>('commerce.couponUsages', async (ids) => {
        const rows = await ctx.em.find(CouponUsage, { couponId: { $in: [...ids] } }, { orderBy: { sourceEventId: 'asc' } });
        return groupByKeys(ids, rows, (row) => row.couponId);
      })
      .load(coupon.id);
  }

  @FieldResolver(() => [ShopOrder], { description: 'Orders the coupon was used on.' })
  orders(@Root() coupon: Coupon, @Ctx() ctx: GraphQLContext): Promise<ShopOrder[]> {
    return ctx
      .loader<string, ShopOrder[]>('commerce.couponOrders', async (ids) => {
        const links = await ctx.em.find(OrderCoupon, { couponId: { $in: [...ids] } });
        const orders = links.length ? await ctx.em.find(ShopOrder, { id: { $in: [...new Set(links.map((l) => l.orderId))] } }) : [];
        const byId = new Map(orders.map((order) => [order.id, order]));
        return groupByKeys(ids, links, (link) => link.couponId).map((group) =>
          group
            .map((link) => byId.get(link.orderId))
            .filter((order): order is ShopOrder => !!order)
            .sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime()),
        );
      })
      .load(coupon.id);
  }
}

@Resolver(() => CouponUsage)
export class CouponUsageResolver {
  @FieldResolver(() => ShopOrder, { nullable: true, description: 'The order the usage names, else the order placed from its cart.' })
  order(@Root() usage: CouponUsage, @Ctx() ctx: GraphQLContext): Promise<ShopOrder | null> {
    return ctx
      .loader<string, ShopOrder | null>('commerce.orderOfUsage', async (keys) => {
        const orderIds = keys.filter((k) => k.startsWith('order:')).map((k) => Number(k.slice(6)));
        const cartIds = keys.filter((k) => k.startsWith('cart:')).map((k) => Number(k.slice(5)));
        const or: FilterQuery<ShopOrder>[] = [];
        if (orderIds.length) or.push({ prestashopOrderId: { $in: orderIds } });
        if (cartIds.length) or.push({ cartId: { $in: cartIds } });
        const rows = await ctx.em.find(ShopOrder, { $or: or });
        const found = new Map<string, ShopOrder>();
        for (const row of rows) {
          found.set(`order:${row.prestashopOrderId}`, row);
          if (row.cartId) found.set(`cart:${row.cartId}`, row);
        }
        return keys.map((key) => found.get(key) ?? null);
      })
      .load(usage.prestashopOrderId ? `order:${usage.prestashopOrderId}` : `cart:${usage.cartId}`);
  }
}
