import { normalizeEmail, type GraphQLContext } from '@switchboard/kit';
import { Authorized, Ctx, Directive, Field, FieldResolver, ObjectType, Resolver, Root, Query, Arg } from 'type-graphql';
import { InvoiceView, invoicesByEmailLoader } from '../invoices/invoice-graphql.js';
import { currentUsageLoader, SubscriptionView, subscriptionsByEmailLoader, UsageView } from '../subscriptions/subscription-graphql.js';
import { BillingAccount } from './billing-account.js';

/** Billing's view of the federated `Customer`: it contributes the billing account. */
@ObjectType('Customer')
@Directive('@key(fields: "email")')
export class BillingCustomer {
  @Field(() => String)
  email!: string;
}

function accountLoader(ctx: GraphQLContext) {
  return ctx.loader<string, BillingAccount | null>('billing.accountByEmail', async (emails) => {
    const rows = await ctx.em.find(BillingAccount, { email: { $in: [...emails] } });
    const byEmail = new Map(rows.map((row) => [row.email, row]));
    return emails.map((email) => byEmail.get(email) ?? null);
  });
}

@Resolver(() => BillingCustomer)
export class CustomerBillingResolver {
  @Authorized('finance', 'ops', 'support')
  @FieldResolver(() => BillingAccount, { nullable: true })
  billingAccount(@Root() customer: BillingCustomer, @Ctx() ctx: GraphQLContext): Promise<BillingAccount | null> {
    return accountLoader(ctx).load(customer.email);
  }

  @Authorized('finance', 'ops')
  @FieldResolver(() => [SubscriptionView], { description: "The customer's subscriptions at every app, newest first." })
  async billingSubscriptions(@Root() customer: BillingCustomer, @Ctx() ctx: GraphQLContext): Promise<SubscriptionView[]> {
    return (await subscriptionsByEmailLoader(ctx).load(customer.email)).map(SubscriptionView.of);
  }

  @Authorized('finance', 'ops')
  @FieldResolver(() => [UsageView], { description: 'Current-period usage of every live subscription, per charged metric.' })
  async billingUsage(@Root() customer: BillingCustomer, @Ctx() ctx: GraphQLContext): Promise<UsageView[]> {
    const subscriptions = (await subscriptionsByEmailLoader(ctx).load(customer.email)).filter((s) => s.status !== 'terminated');
    const usage = await Promise.all(subscriptions.map((s) => currentUsageLoader(ctx).load(s)));
    return usage.flat().map(UsageView.of);
  }

  @Authorized('finance', 'ops')
  @FieldResolver(() => [InvoiceView], { description: 'Invoices from every app, newest first.' })
  async invoices(@Root() customer: BillingCustomer, @Ctx() ctx: GraphQLContext): Promise<InvoiceView[]> {
    return (await invoicesByEmailLoader(ctx).load(customer.email)).map(InvoiceView.of);
  }

  @Authorized('finance', 'ops')
  @Query(() => BillingAccount, { name: 'billingAccount', nullable: true })
  billingAccountByEmail(@Ctx() ctx: GraphQLContext, @Arg('email', () => String) email: string): Promise<BillingAccount | null> {
    const key = normalizeEmail(email);
    return key ? accountLoader(ctx).load(key) : Promise.resolve(null);
  }
}

export const customerReference = {
  Customer: {
    __resolveReference(reference: { email: string }): BillingCustomer {
      return Object.assign(new BillingCustomer(), { email: normalizeEmail(reference.email) ?? reference.email });
    },
  },
};
