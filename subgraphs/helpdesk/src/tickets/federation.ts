import { normalizeEmail, type GraphQLContext } from '@switchboard/kit';
import { Authorized, Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { markKey, readMarks, ticketLoader, ticketsByCustomer, ticketsByInvoice, ticketsByOrder } from './loaders.js';
import { userReader, hasUnread } from '../read-tracking/unread-rules.js';
import { Ticket } from './ticket.js';
import { OPEN_STAGES } from './ticket-rules.js';

/** Helpdesk's view of the federated `Customer`: it contributes the customer's tickets. */
@ObjectType('Customer')
@Directive('@key(fields: "email")')
export class HelpdeskCustomer {
  @Field(() => String)
  email!: string;
}

/** Helpdesk's view of `Order` (owned by commerce): the tickets that mention it. */
@ObjectType('Order')
@Directive('@key(fields: "id")')
export class HelpdeskOrder {
  @Field(() => ID)
  id!: string;
}

/** Helpdesk's view of `Invoice` (owned by billing): the tickets that mention it. */
@ObjectType('Invoice')
@Directive('@key(fields: "id")')
export class HelpdeskInvoice {
  @Field(() => ID)
  id!: string;
}

/** A reference to a payments `Payment`; helpdesk adds no fields to it. */
@ObjectType('Payment')
@Directive('@key(fields: "id", resolvable: false)')
export class PaymentReference {
  @Field(() => ID)
  id!: string;
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

  @Authorized('support', 'ops')
  @FieldResolver(() => Int, { description: 'Tickets with a reply from support the customer has not read yet (in the app or on the magic-link page).' })
  async unreadTicketCount(@Root() customer: HelpdeskCustomer, @Ctx() ctx: GraphQLContext): Promise<number> {
    const tickets = (await ticketsByCustomer(ctx).load(customer.email)).filter((t) => t.lastSupportMessageId);
    const seen = await readMarks(ctx).loadMany(tickets.map((t) => markKey(userReader(t.clientLabel, customer.email), t.id)));
    return tickets.filter((t, i) => hasUnread(t.lastSupportMessageId, typeof seen[i] === 'number' ? seen[i] : 0)).length;
  }
}

@Resolver(() => HelpdeskOrder)
export class OrderTicketsResolver {
  @Authorized('support', 'ops')
  @FieldResolver(() => [Ticket], { description: 'Tickets linked to this order, newest first.' })
  tickets(@Root() order: HelpdeskOrder, @Ctx() ctx: GraphQLContext): Promise<Ticket[]> {
    return ticketsByOrder(ctx).load(order.id);
  }
}

@Resolver(() => HelpdeskInvoice)
export class InvoiceTicketsResolver {
  @Authorized('support', 'ops')
  @FieldResolver(() => [Ticket], { description: 'Tickets linked to this invoice, newest first.' })
  tickets(@Root() invoice: HelpdeskInvoice, @Ctx() ctx: GraphQLContext): Promise<Ticket[]> {
    return ticketsByInvoice(ctx).load(invoice.id);
  }
}

export const referenceResolvers = {
  Customer: {
    __resolveReference(reference: { email: string }): HelpdeskCustomer {
      return Object.assign(new HelpdeskCustomer(), { email: normalizeEmail(reference.email) ?? reference.email });
    },
  },
  Order: {
    __resolveReference(reference: { id: string }): HelpdeskOrder {
      return Object.assign(new HelpdeskOrder(), { id: String(reference.id) });
    },
  },
  Invoice: {
    __resolveReference(reference: { id: string }): HelpdeskInvoice {
      return Object.assign(new HelpdeskInvoice(), { id: String(reference.id) });
    },
  },
  Ticket: {
    __resolveReference(reference: { id: string }, ctx: GraphQLContext) {
      return ticketLoader(ctx).load(reference.id);
    },
  },
};
