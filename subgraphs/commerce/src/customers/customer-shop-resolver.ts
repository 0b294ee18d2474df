import { groupByKeys, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { ShopOrder } from '../orders/order.js';
import { pageSize } from '../orders/pagination.js';
import { Customer } from './customer.js';
import { CustomerAddress } from './customer-address.js';
import { ShopCustomerAccount } from './shop-account.js';

/** What the PrestaShop shop knows about a customer: accounts, addresses, orders. */
@Resolver(() => Customer)
export class CustomerShopResolver {
  @Authorized('ops', 'support')
  @FieldResolver(() => [ShopCustomerAccount], { description: 'PrestaShop accounts with this e-mail (guest checkouts add one each).' })
  shopAccounts(@Root() customer: Customer, @Ctx() ctx: GraphQLContext): Promise<ShopCustomerAccount[]> {
    return accountsLoader(ctx).load(customer.email);
  }

  @Authorized('ops', 'support')
  @FieldResolver(() => [CustomerAddress], { description: "Addresses of the customer's shop accounts (deleted ones excluded)." })
  async addresses(@Root() customer: Customer, @Ctx() ctx: GraphQLContext): Promise<CustomerAddress[]> {
    return ctx
      .loader<string, CustomerAddress[]>('commerce.customerAddresses', async (emails) => {
        const accounts = await ctx.em.find(ShopCustomerAccount, { email: { $in: [...emails] } }, { fields: ['id', 'email'] });
        const emailOf = new Map(accounts.map((account) => [account.id, account.email]));
        const rows = accounts.length
          ? await ctx.em.find(CustomerAddress, { accountId: { $in: [...emailOf.keys()] }, deletedAt: null }, { orderBy: { id: 'asc' } })
          : [];
        return groupByKeys(emails, rows, (row) => emailOf.get(row.accountId)!);
      })
      .load(customer.email);
  }

  @Authorized('ops', 'support')
  @FieldResolver(() => [ShopOrder], { description: 'Latest orders, newest first (use `orders(filter: {customerEmail})` to page through all).' })
  async orders(
    @Root() customer: Customer,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number,
  ): Promise<ShopOrder[]> {
    const size = pageSize(first, 20);
    const all = await ctx
      .loader<string, ShopOrder[]>('commerce.customerOrders', async (emails) => {
        const rows = await ctx.em.find(ShopOrder, { customerEmail: { $in: [...emails] } }, { orderBy: { placedAt: 'desc', id: 'desc' } });
        return groupByKeys(emails, rows, (row) => row.customerEmail!);
      })
      .load(customer.email);
    return all.slice(0, size);
  }
}

function accountsLoader(ctx: GraphQLContext) {
  return ctx.loader<string, ShopCustomerAccount[]>('commerce.customerAccounts', async (emails) => {
    const rows = await ctx.em.find(ShopCustomerAccount, { email: { $in: [...emails] } }, { orderBy: { id: 'asc' } });
    return groupByKeys(emails, rows, (row) => row.email);
  });
}
