import { badInput, normalizeEmail, notFound, type GraphQLContext } from '@switchboard/kit';
import { QueryOrder, type EntityManager } from '@mikro-orm/core';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApprovalRequest } from '../approvals/approval-request.js';
import { approvalPill } from '../approvals/approval-rules.js';
import { ClientDeployment } from '../clients/client-deployment.js';
import { issueAccessLink, revokeAccessLinks, ticketPageUrl } from '../customer-page/access-links.js';
import type { HelpdeskDeps } from '../deps.js';
import { accessLinkMail } from '../mail/templates/ticket-mails.js';
import { checkAttachments, MESSAGE_BODY_MAX } from '../messages/message-rules.js';
import { OpsSource } from '../ops-tickets/ops-source.js';
import { markSeen, seenMap } from '../read-tracking/read-markers.js';
import { agentReader, computeUnreadCount, hasUnread } from '../read-tracking/unread-rules.js';
import { sanitizeRichText } from '../shared/html.js';
import { HelpdeskCustomer, HelpdeskInvoice, HelpdeskOrder, PaymentReference } from './federation.js';
import { inboxWhere } from './inbox-filter.js';
import { approvalsByTicket, markKey, messagesByTicket, opsSourceByTicket, readMarks, ticketLoader } from './loaders.js';
import { Ticket } from './ticket.js';
import { APP_TICKET_KINDS, OPEN_STAGES, SUBJECT_MAX, TICKET_KINDS, TICKET_PRIORITIES, TICKET_STAGES, ticketTitle, type TicketKind } from './ticket-rules.js';
import { openTicket, postMessage } from './ticket-service.js';
import { AttachmentInput, CreateTicketInput, InboxFilter, TicketMessageView, TicketPage, TicketReporter, UpdateTicketInput } from './ticket-types.js';

type Ctx = GraphQLContext<HelpdeskDeps>;

/** The calling agent, as the gateway identified them. */
function agentOf(ctx: Ctx) {
  const identity = ctx.identity!;
  return { reader: agentReader(identity.sub), name: identity.email ?? identity.sub, email: identity.email ?? null };
}

async function requireTicket(em: EntityManager, id: string): Promise<Ticket> {
  const ticket = await em.findOne(Ticket, { id });
  if (!ticket) throw notFound(`no ticket with id ${id}`);
  return ticket;
}

function oneOf(value: string, allowed: readonly string[], field: string): string {
  if (!allowed.includes(value)) throw badInput(`${field} must be one of ${allowed.join(', ')}`, field);
  return value;
}

function linkId(value: string | null | undefined, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if (trimmed.length > 64) throw badInput(`${field} is longer than 64 characters`, field);
  return trimmed || null;
}

function messageBody(body: string, field = 'body'): string {
  if (body.length > MESSAGE_BODY_MAX) throw badInput(`${field} is longer than ${MESSAGE_BODY_MAX} characters`, field);
  const html = sanitizeRichText(body);
  if (!html) throw badInput(`${field} is empty`, field);
  return html;
}

function attachmentsOf(input: AttachmentInput[] | null | undefined) {
  const checked = checkAttachments(input ?? []);
  if (!checked.ok) throw badInput(checked.message, checked.field);
  return checked.value;
}

@Resolver(() => Ticket)
export class TicketResolver {
  @Authorized('support', 'ops')
  @Query(() => Ticket, { nullable: true })
  ticket(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<Ticket | null> {
    return ticketLoader(ctx).load(id);
  }

  @Authorized('support', 'ops')
  @Query(() => Ticket, { nullable: true, description: 'By human reference, e.g. HD-000042 (case-insensitive).' })
  ticketByReference(@Ctx() ctx: Ctx, @Arg('reference', () => String) reference: string): Promise<Ticket | null> {
    return ctx.em.findOne(Ticket, { reference: reference.trim().toUpperCase() });
  }

  @Authorized('support', 'ops')
  @Query(() => TicketPage, { description: 'The support inbox: filters and search, most recently active first.' })
  async helpdeskInbox(
    @Ctx() ctx: Ctx,
    @Arg('filter', () => InboxFilter, { nullable: true }) filter?: InboxFilter,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<TicketPage> {
    const where = inboxWhere(filter, search, ctx.deps.db.dialect);
    if (!where.ok) throw badInput(where.message, where.field);
    if (limit < 1 || limit > 200) throw badInput('limit must be between 1 and 200', 'limit');
    if (offset < 0) throw badInput('offset must not be negative', 'offset');
    const orderBy = { updatedAt: QueryOrder.DESC_NULLS_LAST, createdAt: QueryOrder.DESC, id: QueryOrder.ASC };
    if (!filter?.unreadOnly) {
      const [items, total] = await ctx.em.findAndCount(Ticket, where.value, { orderBy, limit, offset });
      return Object.assign(new TicketPage(), { items, total });
    }
    // "Unread for me" depends on this agent's marks: filter the candidates, then page.
    const candidates = await ctx.em.find(Ticket, { $and: [where.value, { lastCustomerMessageId: { $ne: null } }] }, { orderBy, fields: ['id', 'lastCustomerMessageId'] });
    const seen = await seenMap(ctx.em, agentOf(ctx).reader, candidates.map((t) => t.id));
    const unread = candidates.filter((t) => hasUnread(t.lastCustomerMessageId, seen.get(t.id)));
    const ids = unread.slice(offset, offset + limit).map((t) => t.id);
    const rows = await ctx.em.find(Ticket, { id: { $in: ids } });
    const byId = new Map(rows.map((t) => [t.id, t]));
    return Object.assign(new TicketPage(), { items: ids.map((id) => byId.get(id)!).filter(Boolean), total: unread.length });
  }

  @Authorized('support', 'ops')
  @Query(() => Int, { description: 'Open tickets with a customer message the calling agent has not read.' })
  async helpdeskUnreadCount(@Ctx() ctx: Ctx): Promise<number> {
    const tickets = await ctx.em.find(Ticket, { stage: { $in: [...OPEN_STAGES] }, lastCustomerMessageId: { $ne: null } }, { fields: ['id', 'lastCustomerMessageId'] });
    const seen = await seenMap(ctx.em, agentOf(ctx).reader, tickets.map((t) => t.id));
    return computeUnreadCount(tickets.map((t) => ({ id: t.id, lastRelevantMessageId: t.lastCustomerMessageId })), seen);
  }

  @Authorized('support', 'ops')
  @Mutation(() => Ticket, { description: 'Open a ticket on a customer\'s behalf; the reporter gets the acknowledgement.' })
  async createTicket(@Ctx() ctx: Ctx, @Arg('input', () => CreateTicketInput) input: CreateTicketInput): Promise<Ticket> {
    const kind = oneOf(input.kind, APP_TICKET_KINDS, 'kind') as TicketKind;
    const subject = input.subject.trim();
    if (!subject || subject.length > SUBJECT_MAX) throw badInput(`subject must be 1 to ${SUBJECT_MAX} characters`, 'subject');
    const priority = input.priority ? oneOf(input.priority, TICKET_PRIORITIES, 'priority') : 'normal';
    let email: string | null = null;
    if (input.customerEmail?.trim()) {
      email = normalizeEmail(input.customerEmail) ?? null;
      if (!email) throw badInput('customerEmail must be a valid e-mail address', 'customerEmail');
    }
    return ctx.deps.transaction(async ({ em, events }) => {
      let clientLabel: string | null = null;
      if (input.clientLabel?.trim()) {
        const client = await em.findOne(ClientDeployment, { label: input.clientLabel.trim().toUpperCase() });
        if (!client) throw badInput(`no client deployment labelled ${input.clientLabel}`, 'clientLabel');
        clientLabel = client.label;
      }
      return openTicket({ em, events }, {
        kind,
        subject,
        descriptionHtml: input.description ? messageBody(input.description, 'description') : '',
        channel: 'support',
        priority,
        team: input.team?.trim() || null,
        assignee: input.assignee?.trim().toLowerCase() || null,
        clientLabel,
        reporter: { email, name: input.reporterName?.trim() || null, company: input.reporterCompany?.trim() || null },
        links: { orderId: linkId(input.orderId, 'orderId'), invoiceId: linkId(input.invoiceId, 'invoiceId'), paymentId: linkId(input.paymentId, 'paymentId') },
      });
    });
  }

  @Authorized('support', 'ops')
  @Mutation(() => Ticket)
  async updateTicket(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateTicketInput) input: UpdateTicketInput): Promise<Ticket> {
    return ctx.deps.transaction(async ({ em }) => {
      const ticket = await requireTicket(em, id);
      if (input.subject != null) {
        const subject = input.subject.trim();
        if (!subject || subject.length > SUBJECT_MAX) throw badInput(`subject must be 1 to ${SUBJECT_MAX} characters`, 'subject');
        ticket.subject = subject;
      }
      if (input.kind != null) ticket.kind = oneOf(input.kind, TICKET_KINDS, 'kind');
      if (input.stage != null) ticket.stage = oneOf(input.stage, TICKET_STAGES, 'stage');
      if (input.priority != null) ticket.priority = oneOf(input.priority, TICKET_PRIORITIES, 'priority');
      if (input.team != null) ticket.team = input.team.trim() || null;
      for (const field of ['orderId', 'invoiceId', 'paymentId'] as const) {
        const value = linkId(input[field], field);
        if (value !== undefined) ticket[field] = value;
      }
      ticket.updatedAt = new Date();
      return ticket;
    });
  }

  @Authorized('support', 'ops')
  @Mutation(() => Ticket, { description: 'Assign to an agent (their e-mail or id); null unassigns.' })
  async assignTicket(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string, @Arg('assignee', () => String, { nullable: true }) assignee?: string | null): Promise<Ticket> {
    const value = assignee?.trim().toLowerCase() || null;
    if (value && value.length > 254) throw badInput('assignee is longer than 254 characters', 'assignee');
    return ctx.deps.transaction(async ({ em }) => {
      const ticket = await requireTicket(em, id);
      ticket.assignee = value;
      if (value && ticket.stage === 'new') ticket.stage = 'in_progress';
      return ticket;
    });
  }

  @Authorized('support', 'ops')
  @Mutation(() => TicketMessageView, { description: 'A public reply: the reporter sees it in the app and on the magic-link page, and is e-mailed.' })
  async replyToTicket(
    @Ctx() ctx: Ctx,
    @Arg('id', () => ID) id: string,
    @Arg('body', () => String, { description: 'HTML; sanitized.' }) body: string,
    @Arg('attachments', () => [AttachmentInput], { nullable: true }) attachments?: AttachmentInput[],
  ): Promise<TicketMessageView> {
    return this.post(ctx, id, body, attachments, 'public');
  }

  @Authorized('support', 'ops')
  @Mutation(() => TicketMessageView, { description: 'An internal note: never shown to the reporter, never e-mailed.' })
  async addInternalNote(
    @Ctx() ctx: Ctx,
    @Arg('id', () => ID) id: string,
    @Arg('body', () => String, { description: 'HTML; sanitized.' }) body: string,
    @Arg('attachments', () => [AttachmentInput], { nullable: true }) attachments?: AttachmentInput[],
  ): Promise<TicketMessageView> {
    return this.post(ctx, id, body, attachments, 'internal');
  }

  private async post(ctx: Ctx, id: string, body: string, attachments: AttachmentInput[] | undefined, visibility: 'public' | 'internal') {
    const html = messageBody(body);
    const files = attachmentsOf(attachments);
    const agent = agentOf(ctx);
    const message = await ctx.deps.transaction(async ({ em, events }) => {
      const ticket = await requireTicket(em, id);
      const posted = await postMessage({ em, events }, ticket, {
        authorKind: 'support', authorEmail: agent.email, authorName: agent.name, bodyHtml: html, visibility, attachments: files,
      });
      await markSeen(em, agent.reader, ticket.id, posted.id);
      return posted;
    });
    return TicketMessageView.of(message);
  }

  @Authorized('support', 'ops')
  @Mutation(() => Ticket, { description: 'Mark everything on the ticket read for the calling agent.' })
  async markTicketRead(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<Ticket> {
    return ctx.deps.transaction(async ({ em }) => {
      const ticket = await requireTicket(em, id);
      const latest = Math.max(ticket.lastCustomerMessageId ?? 0, ticket.lastSupportMessageId ?? 0);
      await markSeen(em, agentOf(ctx).reader, ticket.id, latest);
      return ticket;
    });
  }

  @Authorized('support', 'ops')
  @Mutation(() => Ticket, { description: 'Revoke every magic link to the ticket; with notifyReporter, e-mail the reporter a new one.' })
  async rotateTicketAccessLink(
    @Ctx() ctx: Ctx,
    @Arg('id', () => ID) id: string,
    @Arg('notifyReporter', () => Boolean, { defaultValue: true }) notifyReporter = true,
  ): Promise<Ticket> {
    const { helpdesk, mail } = ctx.deps;
    return ctx.deps.transaction(async ({ em, events }) => {
      const ticket = await requireTicket(em, id);
      await revokeAccessLinks(em, ticket.id);
      if (notifyReporter && ticket.customerEmail) {
        const token = issueAccessLink(em, ticket.id, 'access_link');
        const rendered = accessLinkMail({
          brand: helpdesk.HELPDESK_BRAND_NAME,
          reference: ticket.reference,
          title: ticketTitle(ticket),
          reporterName: ticket.reporterName,
          link: ticketPageUrl(helpdesk.HELPDESK_PUBLIC_BASE_URL, token),
        });
        await mail.enqueue({ em, events }, { ...rendered, purpose: 'access_link', to: ticket.customerEmail, ticketId: ticket.id });
      }
      return ticket;
    });
  }

  @FieldResolver(() => String, { description: '`[LABEL] Kind: subject`, as lists and e-mails show it.' })
  title(@Root() ticket: Ticket): string {
    return ticketTitle(ticket);
  }

  @FieldResolver(() => Date, { description: 'Last message or change.' })
  updatedAt(@Root() ticket: Ticket): Date {
    return ticket.updatedAt ?? ticket.createdAt;
  }

  @FieldResolver(() => TicketReporter)
  reporter(@Root() ticket: Ticket): TicketReporter {
    return Object.assign(new TicketReporter(), { email: ticket.customerEmail, name: ticket.reporterName, company: ticket.reporterCompany });
  }

  @FieldResolver(() => Boolean, { description: 'False when the reporter left no e-mail: no acknowledgement, no follow-up by e-mail.' })
  followUpEmailCaptured(@Root() ticket: Ticket): boolean {
    return !!ticket.customerEmail;
  }

  @Authorized('support', 'ops')
  @FieldResolver(() => [TicketMessageView], { description: 'The thread, oldest first.' })
  async messages(
    @Root() ticket: Ticket,
    @Ctx() ctx: Ctx,
    @Arg('includeInternal', () => Boolean, { defaultValue: true }) includeInternal = true,
  ): Promise<TicketMessageView[]> {
    const messages = await messagesByTicket(ctx).load(ticket.id);
    return messages.filter((m) => includeInternal || m.visibility === 'public').map(TicketMessageView.of);
  }

  @Authorized('support', 'ops')
  @FieldResolver(() => Boolean, { description: 'A customer message the calling agent has not read.' })
  async unread(@Root() ticket: Ticket, @Ctx() ctx: Ctx): Promise<boolean> {
    if (!ticket.lastCustomerMessageId) return false;
    return hasUnread(ticket.lastCustomerMessageId, await readMarks(ctx).load(markKey(agentOf(ctx).reader, ticket.id)));
  }

  @Authorized('support', 'ops')
  @FieldResolver(() => ApprovalRequest, { nullable: true, description: 'The latest owner-approval round.' })
  async approval(@Root() ticket: Ticket, @Ctx() ctx: Ctx): Promise<ApprovalRequest | null> {
    return (await approvalsByTicket(ctx).load(ticket.id))[0] ?? null;
  }

  @Authorized('support', 'ops')
  @FieldResolver(() => [ApprovalRequest], { description: 'Every approval round, newest first (re-engaging keeps the old ones as audit).' })
  approvalHistory(@Root() ticket: Ticket, @Ctx() ctx: Ctx): Promise<ApprovalRequest[]> {
    return approvalsByTicket(ctx).load(ticket.id);
  }

  @Authorized('support', 'ops')
  @FieldResolver(() => String, { nullable: true, description: 'e.g. "⏳ Awaiting approval from Kris".' })
  async approvalPill(@Root() ticket: Ticket, @Ctx() ctx: Ctx): Promise<string | null> {
    const latest = (await approvalsByTicket(ctx).load(ticket.id))[0];
    return approvalPill(ticket.approvalState, latest?.ownerName ?? latest?.ownerEmail);
  }

  @Authorized('support', 'ops')
  @FieldResolver(() => OpsSource, { nullable: true, description: 'For ops tickets: the failing source, its occurrence count and last detail.' })
  ops(@Root() ticket: Ticket, @Ctx() ctx: Ctx): Promise<OpsSource | null> | null {
    return ticket.kind === 'ops' ? opsSourceByTicket(ctx).load(ticket.id) : null;
  }

  @FieldResolver(() => HelpdeskCustomer, { nullable: true })
  customer(@Root() ticket: Ticket): HelpdeskCustomer | null {
    return ticket.customerEmail ? Object.assign(new HelpdeskCustomer(), { email: ticket.customerEmail }) : null;
  }

  @FieldResolver(() => HelpdeskOrder, { nullable: true })
  order(@Root() ticket: Ticket): HelpdeskOrder | null {
    return ticket.orderId ? Object.assign(new HelpdeskOrder(), { id: ticket.orderId }) : null;
  }

  @FieldResolver(() => HelpdeskInvoice, { nullable: true })
  invoice(@Root() ticket: Ticket): HelpdeskInvoice | null {
    return ticket.invoiceId ? Object.assign(new HelpdeskInvoice(), { id: ticket.invoiceId }) : null;
  }

  @FieldResolver(() => PaymentReference, { nullable: true })
  payment(@Root() ticket: Ticket): PaymentReference | null {
    return ticket.paymentId ? Object.assign(new PaymentReference(), { id: ticket.paymentId }) : null;
  }
}
