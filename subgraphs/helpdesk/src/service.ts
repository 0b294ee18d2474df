import type { FastifyPluginAsync } from 'fastify';
import type { SubgraphDefinition } from '@switchboard/kit';
import { ApprovalRequest } from './approvals/approval-request.js';
import { ApprovalResolver } from './approvals/approval-resolver.js';
import { approvalRoutes } from './approvals/approval-routes.js';
import { ApprovalToken } from './approvals/approval-token.js';
import { reminderWorker } from './approvals/reminder-worker.js';
import { clientApiRoutes } from './client-api/client-routes.js';
import { ClientDeployment } from './clients/client-deployment.js';
import { ClientResolver } from './clients/client-resolver.js';
import { AccessLink } from './customer-page/access-link.js';
import { customerPageRoutes } from './customer-page/customer-page-routes.js';
import { createHelpdeskDeps, type HelpdeskDeps } from './deps.js';
import { acknowledgementMailer, replyMailer } from './mail/mailer-handlers.js';
import { MailResolver } from './mail/mail-resolver.js';
import { OutgoingMail } from './mail/outgoing-mail.js';
import { TicketMessage } from './messages/ticket-message.js';
import { migrations } from './migrations/index.js';
import { OpsSource } from './ops-tickets/ops-source.js';
import { opsTicketHandler } from './ops-tickets/ops-ticket-handler.js';
import { ReadMarker } from './read-tracking/read-marker.js';
import {
  CustomerTicketsResolver,
  HelpdeskCustomer,
  HelpdeskInvoice,
  HelpdeskOrder,
  InvoiceTicketsResolver,
  OrderTicketsResolver,
  PaymentReference,
  referenceResolvers,
} from './tickets/federation.js';
import { Ticket } from './tickets/ticket.js';
import { TicketResolver } from './tickets/ticket-resolver.js';

const routes: FastifyPluginAsync<{ deps: HelpdeskDeps }> = async (app, options) => {
  await app.register(clientApiRoutes, options);
  await app.register(customerPageRoutes, options);
  await app.register(approvalRoutes, options);
};

/** The helpdesk subgraph: tickets, scoped inboxes, replies, approvals and ops tickets. */
export const helpdesk: SubgraphDefinition<HelpdeskDeps> = {
  name: 'helpdesk',
  domain: 'helpdesk',
  defaultPort: 4004,
  entities: [Ticket, TicketMessage, ReadMarker, ClientDeployment, OutgoingMail, AccessLink, ApprovalRequest, ApprovalToken, OpsSource],
  migrations,
  schema: {
    orphanedTypes: [HelpdeskCustomer, HelpdeskOrder, HelpdeskInvoice, PaymentReference],
    resolvers: [
      TicketResolver,
      CustomerTicketsResolver,
      OrderTicketsResolver,
      InvoiceTicketsResolver,
      ApprovalResolver,
      ClientResolver,
      MailResolver,
    ],
    referenceResolvers,
  },
  createDeps: createHelpdeskDeps,
  handlers: (deps) => [acknowledgementMailer(deps), replyMailer(deps), opsTicketHandler(deps)],
  routes,
  workers: (deps) => [deps.mail.worker(), reminderWorker(deps)],
};
