import type { SubgraphDefinition } from '@switchboard/kit';
import { migrations } from './migrations/index.js';
import { Ticket } from './tickets/ticket.js';
import { HelpdeskCustomer, CustomerTicketsResolver, TicketResolver, referenceResolvers } from './tickets/ticket-resolver.js';

/** The helpdesk subgraph: tickets, scoped inboxes, replies, approvals and ops tickets. */
export const helpdesk: SubgraphDefinition = {
  name: 'helpdesk',
  domain: 'helpdesk',
  defaultPort: 4004,
  entities: [Ticket],
  migrations,
  schema: {
    orphanedTypes: [HelpdeskCustomer],
    resolvers: [TicketResolver, CustomerTicketsResolver],
    referenceResolvers,
  },
};
