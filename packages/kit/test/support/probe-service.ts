import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import {
  PortableMigration,
  type EventHandler,
  type GraphQLContext,
  type ServiceRuntime,
  type SubgraphDefinition,
} from '../../src/index.js';

/** One row per applied event: lets a test count effects exactly. */
@Entity({ tableName: 'probe_effect' })
export class ProbeEffect {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  eventId!: string;

  @Property({ type: 'string', length: 200 })
  note!: string;
}

class ProbeTables0001 extends PortableMigration {
  override async up(): Promise<void> {
    this.schema((s) =>
      s.createTable('probe_effect', (t) => {
        t.increments('id').primary();
        t.string('event_id', 64).notNullable();
        t.string('note', 200).notNullable();
      }),
    );
  }
}

@Resolver()
class ProbeResolver {
  @Authorized()
  @Query(() => Int)
  probeEffects(@Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.em.count(ProbeEffect, {});
  }

  @Authorized('ops')
  @Mutation(() => String)
  async probeEmit(@Ctx() ctx: GraphQLContext<ServiceRuntime>, @Arg('note', () => String) note: string): Promise<string> {
    return ctx.deps.transaction(async ({ events }) => events.emit('billing.probe.requested', { note }).id);
  }
}

/** Switch a probe handler between failing and working, as an operator fixing a cause would. */
export interface ProbeControl {
  failing: boolean;
  attempts: { eventId: string; attempt: number; at: number }[];
}

export function probeHandler(control: ProbeControl, options: Partial<EventHandler> = {}): EventHandler<{ note: string }> {
  return {
    name: 'probe-effect',
    subjects: ['billing.probe.requested'],
    maxAttempts: 4,
    backoffMs: [100, 300, 900],
    ...options,
    async handle(event, { em, attempt }) {
      control.attempts.push({ eventId: event.id, attempt, at: Date.now() });
      em.persist(Object.assign(new ProbeEffect(), { eventId: event.id, note: event.data.note }));
      if (control.failing) throw new Error('probe cause not fixed yet');
    },
  };
}

/** A minimal subgraph built only from the kit, used to test the kit's machinery end to end. */
export function probeDefinition(control: ProbeControl, handlerOptions: Partial<EventHandler> = {}): SubgraphDefinition {
  return {
    name: 'billing',
    domain: 'billing',
    defaultPort: 0,
    entities: [ProbeEffect],
    migrations: [{ name: 'probe-0001', class: ProbeTables0001 }],
    schema: { resolvers: [ProbeResolver] },
    handlers: () => [probeHandler(control, handlerOptions)],
  };
}
