import { type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { BillingDeps } from '../deps.js';
import { graphqlCall } from '../shared/graphql-errors.js';
import { NotFoundError } from '../shared/validation.js';
import { BillingService } from './billing-service.js';
import { createService, rotateApiKey, rotateWebhookSecret, updateService } from './service-admin.js';

@ObjectType('BillingService', { description: 'An app that bills its customers through Switchboard.' })
export class BillingServiceView {
  @Field(() => ID) id!: string;
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Where Standard Webhooks events are sent.' }) webhookUrl?: string | null;
  @Field(() => Boolean) active!: boolean;
  @Field(() => String, { description: 'First characters of the API key (the key itself is never stored).' }) apiKeyPrefix!: string;
  @Field(() => Date) createdAt!: Date;

  static of(service: BillingService): BillingServiceView {
    return Object.assign(new BillingServiceView(), {
      id: service.id,
      code: service.code,
      name: service.name,
      webhookUrl: service.webhookUrl ?? null,
      active: service.active,
      apiKeyPrefix: service.apiKeyPrefix,
      createdAt: service.createdAt,
    });
  }
}

@ObjectType('BillingServiceSecrets', { description: 'Secrets are shown once, when issued; store them in the app.' })
export class BillingServiceSecrets {
  @Field(() => BillingServiceView) service!: BillingServiceView;
  @Field(() => String, { nullable: true, description: 'Bearer key for /api/billing/v1.' }) apiKey?: string | null;
  @Field(() => String, { nullable: true, description: '`whsec_…`: verifies our webhooks (Standard Webhooks).' }) webhookSecret?: string | null;
}

@InputType()
export class CreateBillingServiceInput {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) webhookUrl?: string | null;
}

@InputType()
export class UpdateBillingServiceInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true, description: 'Empty string removes it.' }) webhookUrl?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Inactive services are refused by the API and get no webhooks.' }) active?: boolean | null;
}

export async function serviceByCode(ctx: GraphQLContext, code: string): Promise<BillingService> {
  const service = await ctx.em.findOne(BillingService, { code: code.trim().toLowerCase() });
  if (!service) throw new NotFoundError(`no billing service ${code}`);
  return service;
}

@Resolver(() => BillingServiceView)
export class BillingServiceResolver {
  @Authorized('finance', 'ops')
  @Query(() => [BillingServiceView], { description: 'Apps billing through us.' })
  async billingServices(@Ctx() ctx: GraphQLContext): Promise<BillingServiceView[]> {
    return (await ctx.em.find(BillingService, {}, { orderBy: { code: 'asc' } })).map(BillingServiceView.of);
  }

  @Authorized('ops')
  @Mutation(() => BillingServiceSecrets, { description: 'Register an app; returns its API key and webhook secret once.' })
  createBillingService(@Ctx() ctx: GraphQLContext<BillingDeps>, @Arg('input', () => CreateBillingServiceInput) input: CreateBillingServiceInput): Promise<BillingServiceSecrets> {
    return graphqlCall(() =>
      ctx.deps.transaction(async ({ em }) => {
        const issued = await createService(em, ctx.deps.billing.keyring, input);
        return Object.assign(new BillingServiceSecrets(), { service: BillingServiceView.of(issued.service), apiKey: issued.apiKey, webhookSecret: issued.webhookSecret });
      }),
    );
  }

  @Authorized('ops')
  @Mutation(() => BillingServiceView)
  updateBillingService(
    @Ctx() ctx: GraphQLContext<BillingDeps>,
    @Arg('code', () => String) code: string,
    @Arg('input', () => UpdateBillingServiceInput) input: UpdateBillingServiceInput,
  ): Promise<BillingServiceView> {
    return graphqlCall(async () => {
      const service = await ctx.deps.transaction(async ({ em }) => {
        const row = await serviceByCode({ ...ctx, em }, code);
        updateService(row, input);
        return row;
      });
      ctx.deps.serviceAuth.forget(service.id);
      return BillingServiceView.of(service);
    });
  }

  @Authorized('ops')
  @Mutation(() => BillingServiceSecrets, { description: 'A new API key (the old one stops working) and/or a new webhook secret.' })
  rotateBillingServiceSecrets(
    @Ctx() ctx: GraphQLContext<BillingDeps>,
    @Arg('code', () => String) code: string,
    @Arg('apiKey', () => Boolean, { defaultValue: true }) apiKey: boolean,
    @Arg('webhookSecret', () => Boolean, { defaultValue: false }) webhookSecret: boolean,
  ): Promise<BillingServiceSecrets> {
    return graphqlCall(async () => {
      const issued = await ctx.deps.transaction(async ({ em }) => {
        const service = await serviceByCode({ ...ctx, em }, code);
        return {
          service,
          apiKey: apiKey ? rotateApiKey(service) : null,
          webhookSecret: webhookSecret ? rotateWebhookSecret(service, ctx.deps.billing.keyring) : null,
        };
      });
      ctx.deps.serviceAuth.forget(issued.service.id);
      return Object.assign(new BillingServiceSecrets(), { ...issued, service: BillingServiceView.of(issued.service) });
    });
  }
}
