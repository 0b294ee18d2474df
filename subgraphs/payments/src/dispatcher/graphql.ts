import { badInput, Delivery, DeliveryView, type DeliveryStatus, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { WEBHOOK_FANOUT_KIND } from './fanout-kind.js';
import type { DispatcherModule } from './module.js';
import type { RoutingTable } from './routing-rules.js';
import { RoutingInputError } from './routing-store.js';

type Context = GraphQLContext<ServiceRuntime & { dispatcher: DispatcherModule }>;

@ObjectType('CloverDispatcherHost')
export class CloverDispatcherHostView {
  @Field(() => String, { description: '`erp.example.ca`, `erp.example.ca:8443` or `*.example.ca`.' }) host!: string;
  @Field(() => String, { description: '`config` (CLOVER_DISPATCHER_ALLOWED_HOSTS) or `admin`.' }) source!: string;
}

@ObjectType('CloverDispatcherRoute', { description: "A merchant's customer installation." })
export class CloverDispatcherRouteView {
  @Field(() => String) merchantId!: string;
  @Field(() => String, { nullable: true, description: 'Where webhooks for the merchant are forwarded.' }) webhookUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Where /clover/launch sends the merchant back to.' }) baseUrl?: string | null;
  @Field(() => String, { nullable: true }) customer?: string | null;
  @Field(() => String, { description: '`config` or `admin`.' }) source!: string;
}

@ObjectType('CloverDispatcherRouting', { description: 'The dispatcher routing tables in force on this replica (configuration overlaid with admin edits).' })
export class CloverDispatcherRoutingView {
  @Field(() => String, { nullable: true }) appId?: string | null;
  @Field(() => String, { nullable: true }) appIdSource?: string | null;
  @Field(() => [CloverDispatcherHostView]) allowedHosts!: CloverDispatcherHostView[];
  @Field(() => [CloverDispatcherRouteView]) merchants!: CloverDispatcherRouteView[];
  @Field(() => String, { description: 'The redirect_uri launched authorizations use (CLOVER_DISPATCHER_CALLBACK_URL).' }) callbackUrl!: string;

  static of(table: RoutingTable, callbackUrl: string): CloverDispatcherRoutingView {
    return Object.assign(new CloverDispatcherRoutingView(), {
      appId: table.appId ?? null,
      appIdSource: table.appIdSource ?? null,
      allowedHosts: table.allowedHosts.map((h) => Object.assign(new CloverDispatcherHostView(), h)),
      merchants: [...table.merchants.values()]
        .sort((a, b) => a.merchantId.localeCompare(b.merchantId))
        .map((route) =>
          Object.assign(new CloverDispatcherRouteView(), {
            merchantId: route.merchantId,
            webhookUrl: route.webhookUrl ?? null,
            baseUrl: route.baseUrl ?? null,
            customer: route.customer ?? null,
            source: route.source,
          }),
        ),
      callbackUrl,
    });
  }
}

@InputType('CloverDispatcherRouteInput')
export class CloverDispatcherRouteInput {
  @Field(() => String) merchantId!: string;
  @Field(() => String, { nullable: true, description: "The customer's /payment/clover/webhook." }) webhookUrl?: string | null;
  @Field(() => String, { nullable: true, description: "The customer's base URL (its host must be allowed)." }) baseUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Human label carried in the signed state.' }) customer?: string | null;
}

const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'in_flight', 'awaiting_ack', 'delivered', 'acknowledged', 'exhausted', 'cancelled'];

async function edited(ctx: Context, edit: () => Promise<RoutingTable>): Promise<CloverDispatcherRoutingView> {
  try {
    return CloverDispatcherRoutingView.of(await edit(), ctx.deps.dispatcher.config.callbackUrl);
  } catch (error) {
    if (error instanceof RoutingInputError) throw badInput(error.message, error.field);
    throw error;
  }
}

@Resolver()
export class CloverDispatcherResolver {
  @Authorized('ops')
  @Query(() => CloverDispatcherRoutingView)
  cloverDispatcherRouting(@Ctx() ctx: Context): CloverDispatcherRoutingView {
    return CloverDispatcherRoutingView.of(ctx.deps.dispatcher.routing.table, ctx.deps.dispatcher.config.callbackUrl);
  }

  @Authorized('ops')
  @Query(() => [DeliveryView], { description: 'Webhook forwards to customer installations, newest first, with every attempt.' })
  async cloverDispatcherDeliveries(
    @Ctx() ctx: Context,
    @Arg('status', () => String, { nullable: true, description: DELIVERY_STATUSES.join(', ') }) status?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<DeliveryView[]> {
    if (status && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) throw badInput(`status must be one of ${DELIVERY_STATUSES.join(', ')}`, 'status');
    if (limit < 1 || limit > 500) throw badInput('limit must be between 1 and 500', 'limit');
    const rows = await ctx.em.find(
      Delivery,
      { kind: WEBHOOK_FANOUT_KIND, ...(status ? { status: status as DeliveryStatus } : {}) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit },
    );
    return rows.map((row) => DeliveryView.of(ctx.deps.service, row));
  }

  @Authorized('admin')
  @Mutation(() => CloverDispatcherRoutingView, { description: "Route a merchant to a customer installation (replaces the merchant's configured entry)." })
  setCloverDispatcherRoute(@Ctx() ctx: Context, @Arg('input', () => CloverDispatcherRouteInput) input: CloverDispatcherRouteInput): Promise<CloverDispatcherRoutingView> {
    return edited(ctx, () => ctx.deps.dispatcher.routing.setMerchantRoute(input, actor(ctx)));
  }

  @Authorized('admin')
  @Mutation(() => CloverDispatcherRoutingView, { description: "Stop routing a merchant (also hides a configured entry)." })
  removeCloverDispatcherRoute(@Ctx() ctx: Context, @Arg('merchantId', () => String) merchantId: string): Promise<CloverDispatcherRoutingView> {
    return edited(ctx, () => ctx.deps.dispatcher.routing.removeMerchantRoute(merchantId.trim(), actor(ctx)));
  }

  @Authorized('admin')
  @Mutation(() => CloverDispatcherRoutingView, { description: 'Add a host to the redirect allow-list, or take one off (also a configured one).' })
  setCloverDispatcherHostAllowed(
    @Ctx() ctx: Context,
    @Arg('host', () => String) host: string,
    @Arg('allowed', () => Boolean) allowed: boolean,
  ): Promise<CloverDispatcherRoutingView> {
    return edited(ctx, () => ctx.deps.dispatcher.routing.setHostAllowed(host, allowed, actor(ctx)));
  }

  @Authorized('admin')
  @Mutation(() => CloverDispatcherRoutingView, { description: 'The Clover app id /clover/launch authorizes for; null goes back to CLOVER_DISPATCHER_APP_ID.' })
  setCloverDispatcherAppId(@Ctx() ctx: Context, @Arg('appId', () => String, { nullable: true }) appId?: string | null): Promise<CloverDispatcherRoutingView> {
    return edited(ctx, () => ctx.deps.dispatcher.routing.setAppId(appId ?? null, actor(ctx)));
  }
}

function actor(ctx: Context): string {
  return ctx.identity?.sub ?? 'unknown';
}
