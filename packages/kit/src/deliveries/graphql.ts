import { Arg, Authorized, Ctx, Directive, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { groupByKeys, type GraphQLContext } from '../graphql/context.js';
import { badInput } from '../graphql/errors.js';
import type { Deliveries } from './deliveries.js';
import { Delivery, DeliveryAttempt, type DeliveryStatus } from './entities.js';

@ObjectType('DeliveryAttempt')
@Directive('@shareable')
export class DeliveryAttemptView {
  @Field(() => Int) attempt!: number;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Int, { nullable: true, description: 'HTTP status, when the receiver answered.' }) statusCode?: number | null;
  @Field(() => Int) latencyMs!: number;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => String, { nullable: true, description: 'First bytes of the answer.' }) responseExcerpt?: string | null;
}

/** An outbound delivery as operators see it; the same shape in every subgraph. */
@ObjectType('Delivery')
@Directive('@shareable')
export class DeliveryView {
  @Field(() => ID) id!: string;
  @Field(() => String) service!: string;
  @Field(() => String) kind!: string;
  @Field(() => String, { nullable: true }) reference?: string | null;
  @Field(() => String) targetUrl!: string;
  @Field(() => String, { description: 'pending, in_flight, awaiting_ack, delivered, acknowledged, exhausted, cancelled' }) status!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => Int) maxAttempts!: number;
  @Field(() => Date, { nullable: true }) nextAttemptAt?: Date | null;
  @Field(() => Int, { nullable: true }) lastStatusCode?: number | null;
  @Field(() => String, { nullable: true }) lastError?: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) completedAt?: Date | null;
  @Field(() => [DeliveryAttemptView], { description: 'Every attempt, oldest first.' }) attemptLog!: DeliveryAttemptView[];

  static of(service: string, row: Delivery): DeliveryView {
    return Object.assign(new DeliveryView(), { ...row, service });
  }
}

export interface DeliveryDeps {
  deliveries: Deliveries;
}

/** Loads the attempts of many deliveries in one query per request. */
export function deliveryAttemptsLoader(ctx: GraphQLContext) {
  return ctx.loader<string, DeliveryAttempt[]>('kit.deliveryAttempts', async (ids) => {
    const rows = await ctx.em.find(DeliveryAttempt, { deliveryId: { $in: [...ids] } }, { orderBy: { attempt: 'asc', id: 'asc' } });
    return groupByKeys(ids, rows, (row) => row.deliveryId);
  });
}

const STATUSES: DeliveryStatus[] = ['pending', 'in_flight', 'awaiting_ack', 'delivered', 'acknowledged', 'exhausted', 'cancelled'];

/** `<service>Deliveries` and `resend<Service>Delivery`, like the dead-letter fields. */
export function deliveryResolver(service: string): Function {
  const capitalized = service[0]!.toUpperCase() + service.slice(1);

  @Resolver(() => DeliveryView)
  class DeliveryResolver {
    @Authorized('ops')
    @Query(() => [DeliveryView], { name: `${service}Deliveries`, description: `Outbound deliveries of the ${service} service, newest first.` })
    async list(
      @Ctx() ctx: GraphQLContext,
      @Arg('status', () => String, { nullable: true }) status?: string,
      @Arg('kind', () => String, { nullable: true }) kind?: string,
      @Arg('reference', () => String, { nullable: true }) reference?: string,
      @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    ): Promise<DeliveryView[]> {
      if (status && !STATUSES.includes(status as DeliveryStatus)) throw badInput(`status must be one of ${STATUSES.join(', ')}`, 'status');
      const rows = await ctx.em.find(
        Delivery,
        { ...(status ? { status: status as DeliveryStatus } : {}), ...(kind ? { kind } : {}), ...(reference ? { reference } : {}) },
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(limit, 1), 500) },
      );
      return rows.map((row) => DeliveryView.of(service, row));
    }

    @FieldResolver(() => [DeliveryAttemptView])
    attemptLog(@Root() delivery: DeliveryView, @Ctx() ctx: GraphQLContext): Promise<DeliveryAttempt[]> {
      return deliveryAttemptsLoader(ctx).load(delivery.id);
    }

    @Authorized('ops')
    @Mutation(() => DeliveryView, { name: `resend${capitalized}Delivery`, description: 'Another full round of attempts, starting now.' })
    async resend(@Ctx() ctx: GraphQLContext<DeliveryDeps>, @Arg('id', () => ID) id: string): Promise<DeliveryView> {
      try {
        return DeliveryView.of(service, await ctx.deps.deliveries.resend(id));
      } catch (error) {
        throw badInput((error as Error).message, 'id');
      }
    }
  }
  return DeliveryResolver;
}
