import { groupByKeys, normalizeEmail, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { OPEN_STAGES, Ticket } from './ticket.js';

/** Helpdesk's view of the federated `Customer`: it contributes the customer's tickets. */
@ObjectType('Customer')
@Directive('@key(fields: "email")')
export class HelpdeskCustomer {
  @Field(() => String)
  email!: string;
}

function ticketsByCustomer(ctx: GraphQLContext) {
  return ctx.loader<string, Ticket[]>('helpdesk.ticketsByCustomer', async (emails) => {
    const rows = await ctx.em.find(Ticket, { customerEmail: { $in: [...emails] } }, { orderBy: { createdAt: 'desc' } });
    return groupByKeys(emails, rows, (row) => row.customerEmail!);
  });
}

function ticketLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Ticket | null>('helpdesk.ticketById', async (ids) => {
    const rows = await ctx.em.find(Ticket, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

@Resolver(() => HelpdeskCustomer)
export class CustomerTicketsResolver {
  @Authorized('support', 'ops')
  @FieldResolver(() => [Ticket], { description: 'Newest first.' })
  tickets(@Root() customer: HelpdeskCustomer, @Ctx() ctx: GraphQLContext): Promise<Ticket[]> {
    return ticketsByCustomer(ctx).load(customer.email);
  }

  @Authorized('support', 'ops')
  @FieldResolver(() => Int, { description: 'Tickets not yet solved or cancelled.' })
  async openTicketCount(@Root() customer: HelpdeskCustomer, @Ctx() ctx: GraphQLContext): Promise<number> {
    const tickets = await ticketsByCustomer(ctx).load(customer.email);
    return tickets.filter((ticket) => OPEN_STAGES.includes(ticket.stage)).length;
  }
}

@Resolver(() => Ticket)
export class TicketResolver {
  @Authorized('support', 'ops')
  @Query(() => Ticket, { nullable: true })
  ticket(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Ticket | null> {
    return ticketLoader(ctx).load(id);
  }
}

export const referenceResolvers = {
  Customer: {
    __resolveReference(reference: { email: string }): HelpdeskCustomer {
      return Object.assign(new HelpdeskCustomer(), { email: normalizeEmail(reference.email) ?? reference.email });
    },
  },
  Ticket: {
    __resolveReference(reference: { id: string }, ctx: GraphQLContext) {
      return ticketLoader(ctx).load(reference.id);
    },
  },
};
