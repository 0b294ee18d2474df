import type { EventHandler } from '@switchboard/kit';
import { issueAccessLink, ticketPageUrl } from '../customer-page/access-links.js';
import type { HelpdeskDeps } from '../deps.js';
import { TicketMessage } from '../messages/ticket-message.js';
import { Ticket } from '../tickets/ticket.js';
import type { TicketCreated, TicketReplied } from '../tickets/ticket-events.js';
import { ticketTitle } from '../tickets/ticket-rules.js';
import { OutgoingMail } from './outgoing-mail.js';
import { acknowledgementMail, replyMail } from './templates/ticket-mails.js';

/**
 * Whether a new ticket gets our acknowledgement. The seed gated it on the client label because
 * the central helpdesk's native confirmation covered web and e-mail customers; Switchboard has no
 * native confirmation, so every ticket with a reporter address gets one — except ops tickets,
 * which have no reporter to thank.
 */
export function wantsAcknowledgement(created: Pick<TicketCreated, 'channel' | 'reporterEmail'>): boolean {
  return created.channel !== 'ops' && !!created.reporterEmail;
}

/** `helpdesk.ticket.created` → the acknowledgement with a magic link, through the mail outbox. */
export function acknowledgementMailer(deps: HelpdeskDeps): EventHandler<TicketCreated> {
  return {
    name: 'mailer-acknowledgement',
    subjects: ['helpdesk.ticket.created'],
    async handle(event, { em, events }) {
      if (!wantsAcknowledgement(event.data)) return;
      const dedupeKey = `acknowledgement:${event.data.ticketId}`;
      if ((await em.count(OutgoingMail, { dedupeKey })) > 0) return;
      const ticket = await em.findOne(Ticket, { id: event.data.ticketId });
      if (!ticket?.customerEmail) return;
      const token = issueAccessLink(em, ticket.id, 'acknowledgement');
      const mail = acknowledgementMail({
        brand: deps.helpdesk.HELPDESK_BRAND_NAME,
        reference: ticket.reference,
        title: ticketTitle(ticket),
        reporterName: ticket.reporterName,
        link: ticketPageUrl(deps.helpdesk.HELPDESK_PUBLIC_BASE_URL, token),
      });
      await deps.mail.enqueue({ em, events }, { ...mail, purpose: 'acknowledgement', to: ticket.customerEmail, ticketId: ticket.id, dedupeKey });
    },
  };
}

/** `helpdesk.ticket.replied` (public, from support or the owner) → the reporter hears about it. */
export function replyMailer(deps: HelpdeskDeps): EventHandler<TicketReplied> {
  return {
    name: 'mailer-reply',
    subjects: ['helpdesk.ticket.replied'],
    async handle(event, { em, events }) {
      const { ticketId, messageId, authorKind, visibility } = event.data;
      if (visibility !== 'public' || authorKind === 'customer') return;
      const ticket = await em.findOne(Ticket, { id: ticketId });
      if (!ticket?.customerEmail || ticket.channel === 'ops') return;
      const message = await em.findOne(TicketMessage, { id: messageId, ticketId });
      if (!message || message.visibility !== 'public') return;
      const token = issueAccessLink(em, ticket.id, 'reply');
      const mail = replyMail({
        brand: deps.helpdesk.HELPDESK_BRAND_NAME,
        reference: ticket.reference,
        title: ticketTitle(ticket),
        reporterName: ticket.reporterName,
        authorName: message.authorName,
        replyHtml: message.body,
        link: ticketPageUrl(deps.helpdesk.HELPDESK_PUBLIC_BASE_URL, token),
      });
      await deps.mail.enqueue({ em, events }, { ...mail, purpose: 'reply', to: ticket.customerEmail, ticketId: ticket.id, dedupeKey: `reply:${message.id}` });
    },
  };
}
