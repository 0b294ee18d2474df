import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Directive, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { ConsumerRunner } from '../events/consumer-runner.js';
import { DeadLetter } from '../events/entities.js';
import type { GraphQLContext } from './context.js';
import { badInput } from './errors.js';

/** A dead letter as operators see it; the same shape in every subgraph. */
@ObjectType('DeadLetter')
@Directive('@shareable')
export class DeadLetterView {
  @Field(() => ID) id!: string;
  @Field(() => String) service!: string;
  @Field(() => String) consumer!: string;
  @Field(() => String) eventId!: string;
  @Field(() => String) eventType!: string;
  @Field(() => GraphQLJSON) event!: unknown;
  @Field(() => String) error!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => String, { description: '`dead` or `replayed`' }) status!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
  @Field(() => Date, { nullable: true }) replayedAt?: Date | null;

  static of(service: string, letter: DeadLetter): DeadLetterView {
    return Object.assign(new DeadLetterView(), {
      ...letter,
      id: `${service}:${letter.id}`,
      service,
      event: JSON.parse(letter.envelope),
    });
  }
}

export interface DeadLetterDeps {
  consumers: ConsumerRunner;
}

/**
 * `<service>DeadLetters` and `replay<Service>DeadLetter`: each subgraph lists and replays its
 * own dead letters; the field names carry the service so the four compose side by side.
 */
export function deadLetterResolver(service: string): Function {
  const capitalized = service[0]!.toUpperCase() + service.slice(1);

  @Resolver()
  class DeadLetterResolver {
    @Authorized('ops')
    @Query(() => [DeadLetterView], { name: `${service}DeadLetters`, description: `Dead letters of the ${service} service, newest first.` })
    async list(
      @Ctx() ctx: GraphQLContext,
      @Arg('status', () => String, { nullable: true }) status?: string,
      @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    ): Promise<DeadLetterView[]> {
      const rows = await ctx.em.find(DeadLetter, status ? { status: status as DeadLetter['status'] } : {}, {
        orderBy: { id: 'desc' },
        limit: Math.min(Math.max(limit, 1), 500),
      });
      return rows.map((row) => DeadLetterView.of(service, row));
    }

    @Authorized('ops')
    @Mutation(() => DeadLetterView, { name: `replay${capitalized}DeadLetter`, description: 'Re-run the event through its handler once; idempotent.' })
    async replay(@Ctx() ctx: GraphQLContext<DeadLetterDeps>, @Arg('id', () => ID) id: string): Promise<DeadLetterView> {
      const numeric = Number(id.startsWith(`${service}:`) ? id.slice(service.length + 1) : id);
      if (!Number.isInteger(numeric)) throw badInput(`invalid dead letter id ${id}`, 'id');
      return DeadLetterView.of(service, await ctx.deps.consumers.replay(numeric));
    }
  }
  return DeadLetterResolver;
}
