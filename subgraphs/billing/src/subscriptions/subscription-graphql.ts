import { groupByKeys, Money, normalizeEmail, type GraphQLContext } from '@switchboard/kit';
import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { InvoiceView, invoicesBySubscriptionLoader } from '../invoices/invoice-graphql.js';
import { BillingService } from '../services/billing-service.js';
import { RATE_SCALE } from '../shared/decimal.js';
import { graphqlCall } from '../shared/graphql-errors.js';
import { InputError } from '../shared/validation.js';
import { usageSummaries, type UsagePeriodSummary } from '../usage/usage-summary.js';
import type { SubscriptionRef } from '../webhooks/app-events.js';
import { SUBSCRIPTION_STATUSES, Subscription, type SubscriptionStatus } from './subscription.js';
import { subscriptionRefs } from './subscription-refs.js';

@ObjectType('BillingUsage', { description: "One charged metric's usage in one period, rated as the invoice rates it." })
export class UsageView {
  @Field(() => ID) subscriptionId!: string;
  @Field(() => String) metric!: string;
  @Field(() => String) unitLabel!: string;
  @Field(() => Date) periodStart!: Date;
  @Field(() => Date) periodEnd!: Date;
  @Field(() => String, { description: 'Aggregated quantity of the period.' }) quantity!: string;
  @Field(() => String) includedQuota!: string;
  @Field(() => String, { description: 'Quantity above the included quota.' }) overage!: string;
  @Field(() => Money, { description: 'Rated overage, 6 dp (the invoice line rounds it to cents).' }) amount!: Money;

  static of(summary: UsagePeriodSummary): UsageView {
    return Object.assign(new UsageView(), {
      subscriptionId: summary.subscriptionId,
      metric: summary.metric,
      unitLabel: summary.unitLabel,
      periodStart: summary.periodStart,
      periodEnd: summary.periodEnd,
      quantity: summary.quantity.toString(),
      includedQuota: summary.includedQuota.toString(),
      overage: summary.overage.toString(),
      amount: Money.of(summary.amount, summary.currency, RATE_SCALE),
    });
  }
}

@ObjectType('BillingSubscription')
export class SubscriptionView {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "The app's subscription id." }) externalId!: string;
  @Field(() => String) customerEmail!: string;
  @Field(() => String, { description: 'monthly or yearly' }) billingInterval!: string;
  @Field(() => String, { description: 'active, past_due or terminated' }) status!: string;
  @Field(() => Boolean, { description: 'Metered but never invoiced (dual run).' }) shadow!: boolean;
  @Field(() => String, { nullable: true }) deploymentId?: string | null;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date) currentPeriodStart!: Date;
  @Field(() => Date) currentPeriodEnd!: Date;
  @Field(() => Date, { nullable: true }) terminatedAt?: Date | null;
  entity!: Subscription;

  static of(subscription: Subscription): SubscriptionView {
    return Object.assign(new SubscriptionView(), {
      id: subscription.id,
      externalId: subscription.externalId,
      customerEmail: subscription.customerEmail,
      billingInterval: subscription.billingInterval,
      status: subscription.status,
      shadow: subscription.shadow,
      deploymentId: subscription.deploymentId ?? null,
      startedAt: subscription.anchorAt,
      currentPeriodStart: subscription.currentPeriodStart,
      currentPeriodEnd: subscription.currentPeriodEnd,
      terminatedAt: subscription.terminatedAt ?? null,
      entity: subscription,
    });
  }
}

function refLoader(ctx: GraphQLContext) {
  return ctx.loader<Subscription, SubscriptionRef & { serviceCode: string }>('billing.subscriptionRefs', async (subscriptions) => {
    const refs = await subscriptionRefs(ctx.em, subscriptions);
    const services = new Map((await ctx.em.find(BillingService, { id: { $in: [...new Set(subscriptions.map((s) => s.serviceId))] } })).map((s) => [s.id, s.code]));
    return subscriptions.map((s) => ({ ...refs.get(s.id)!, serviceCode: services.get(s.serviceId) ?? '' }));
  });
}

/** Current-period usage of many subscriptions in one pricing and one aggregate query. */
export function currentUsageLoader(ctx: GraphQLContext) {
  return ctx.loader<Subscription, UsagePeriodSummary[]>('billing.currentUsage', async (subscriptions) => {
    const summaries = await usageSummaries(ctx.em, subscriptions);
    return subscriptions.map((s) => summaries.get(s.id) ?? []);
  });
}

export function subscriptionsByEmailLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Subscription[]>('billing.subscriptionsByEmail', async (emails) => {
    const rows = await ctx.em.find(Subscription, { customerEmail: { $in: [...emails] } }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    return groupByKeys(emails, rows, (row) => row.customerEmail);
  });
}

@Resolver(() => SubscriptionView)
export class SubscriptionResolver {
  @Authorized('finance', 'ops')
  @Query(() => [SubscriptionView], { description: 'Subscriptions, newest first.' })
  billingSubscriptions(
    @Ctx() ctx: GraphQLContext,
    @Arg('serviceCode', () => String, { nullable: true }) serviceCode?: string,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('customerEmail', () => String, { nullable: true }) customerEmail?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<SubscriptionView[]> {
    return graphqlCall(async () => {
      if (status && !SUBSCRIPTION_STATUSES.includes(status as SubscriptionStatus)) throw new InputError('status', `must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
      const where: FilterQuery<Subscription> = {};
      if (status) where.status = status as SubscriptionStatus;
      if (customerEmail) where.customerEmail = normalizeEmail(customerEmail) ?? customerEmail;
      if (serviceCode) {
        const service = await ctx.em.findOne(BillingService, { code: serviceCode.trim().toLowerCase() });
        if (!service) return [];
        where.serviceId = service.id;
      }
      const rows = await ctx.em.find(Subscription, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(limit, 1), 500) });
      return rows.map(SubscriptionView.of);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => SubscriptionView, { nullable: true })
  async billingSubscription(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<SubscriptionView | null> {
    const row = await ctx.em.findOne(Subscription, { id });
    return row ? SubscriptionView.of(row) : null;
  }

  @FieldResolver(() => String)
  async serviceCode(@Root() view: SubscriptionView, @Ctx() ctx: GraphQLContext): Promise<string> {
    return (await refLoader(ctx).load(view.entity)).serviceCode;
  }

  @FieldResolver(() => String)
  async planCode(@Root() view: SubscriptionView, @Ctx() ctx: GraphQLContext): Promise<string> {
    return (await refLoader(ctx).load(view.entity)).plan_code;
  }

  @FieldResolver(() => String, { description: "The app's customer id." })
  async externalCustomerId(@Root() view: SubscriptionView, @Ctx() ctx: GraphQLContext): Promise<string> {
    return (await refLoader(ctx).load(view.entity)).external_customer_id;
  }

  @FieldResolver(() => [UsageView], { description: 'Usage per charged metric in the current period, or in the period containing `at`.' })
  async usage(@Root() view: SubscriptionView, @Ctx() ctx: GraphQLContext, @Arg('at', () => Date, { nullable: true }) at?: Date): Promise<UsageView[]> {
    const summaries = at ? (await usageSummaries(ctx.em, [view.entity], at)).get(view.id) ?? [] : await currentUsageLoader(ctx).load(view.entity);
    return summaries.map(UsageView.of);
  }

  @FieldResolver(() => [InvoiceView], { description: 'Newest period first.' })
  async invoices(@Root() view: SubscriptionView, @Ctx() ctx: GraphQLContext): Promise<InvoiceView[]> {
    return (await invoicesBySubscriptionLoader(ctx).load(view.id)).map(InvoiceView.of);
  }
}
