import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { EventEmitter } from '@switchboard/kit';
import type { AttachmentMeta } from '../messages/ticket-message.js';
import { TicketMessage } from '../messages/ticket-message.js';
import { nextTicketReference } from '../shared/sequence.js';
import { Ticket } from './ticket.js';
import type { TicketCreated, TicketReplied } from './ticket-events.js';
import { stageAfterMessage, ticketTitle, type MessageAuthorKind, type TicketChannel, type TicketKind } from './ticket-rules.js';

/** The transaction domain writes run in: entity manager + outbox. */
export interface Tx {
  em: EntityManager;
  events: EventEmitter;
}

export interface OpenTicketInput {
  kind: TicketKind;
  subject: string;
  /** Already sanitized. */
  descriptionHtml: string;
  channel: TicketChannel;
  priority?: string;
  team?: string | null;
  assignee?: string | null;
  clientLabel?: string | null;
  reporter: { email?: string | null; name?: string | null; company?: string | null };
  links?: { orderId?: string | null; invoiceId?: string | null; paymentId?: string | null };
  clientRequestKey?: string | null;
}

/** Every ticket is opened here, whatever the channel: numbered, stored, announced. */
export async function openTicket(tx: Tx, input: OpenTicketInput): Promise<Ticket> {
  const now = new Date();
  const ticket = tx.em.create(Ticket, {
    id: randomUUID(),
    reference: await nextTicketReference(tx.em),
    subject: input.subject,
    description: input.descriptionHtml || null,
    kind: input.kind,
    stage: 'new',
    priority: input.priority ?? 'normal',
    team: input.team ?? null,
    assignee: input.assignee ?? null,
    channel: input.channel,
    clientLabel: input.clientLabel ?? null,
    customerEmail: input.reporter.email ?? null,
    reporterName: input.reporter.name ?? null,
    reporterCompany: input.reporter.company ?? null,
    orderId: input.links?.orderId ?? null,
    invoiceId: input.links?.invoiceId ?? null,
    paymentId: input.links?.paymentId ?? null,
    clientRequestKey: input.clientRequestKey ?? null,
    createdAt: now,
    updatedAt: now,
  });
  tx.events.emit<TicketCreated>('helpdesk.ticket.created', {
    ticketId: ticket.id,
    reference: ticket.reference,
    kind: ticket.kind,
    channel: ticket.channel,
    title: ticketTitle(ticket),
    clientLabel: ticket.clientLabel ?? null,
    reporterEmail: ticket.customerEmail ?? null,
    reporterName: ticket.reporterName ?? null,
    priority: ticket.priority,
  }, { subject: ticket.id });
  return ticket;
}

export interface NewMessage {
  authorKind: MessageAuthorKind;
  authorEmail?: string | null;
  authorName?: string | null;
  /** Already sanitized (or escaped) HTML. */
  bodyHtml: string;
  visibility: 'public' | 'internal';
  attachments?: AttachmentMeta[];
}

/**
 * Add a message to a ticket's thread and keep the ticket's unread markers and stage in step.
 * Announced as `helpdesk.ticket.replied` (without the body: events carry no note text).
 */
export async function postMessage(tx: Tx, ticket: Ticket, input: NewMessage): Promise<TicketMessage> {
  const message = tx.em.create(TicketMessage, {
    ticketId: ticket.id,
    authorKind: input.authorKind,
    authorEmail: input.authorEmail ?? null,
    authorName: input.authorName ?? null,
    body: input.bodyHtml,
    visibility: input.visibility,
    attachments: input.attachments?.length ? input.attachments : null,
    createdAt: new Date(),
  });
  await tx.em.flush(); // the id orders the thread and feeds the unread markers
  if (input.visibility === 'public') {
    if (input.authorKind === 'customer') ticket.lastCustomerMessageId = message.id;
    else ticket.lastSupportMessageId = message.id;
    ticket.updatedAt = message.createdAt;
  }
  ticket.stage = stageAfterMessage(ticket.stage, input.authorKind, input.visibility);
  tx.events.emit<TicketReplied>('helpdesk.ticket.replied', {
    ticketId: ticket.id,
    reference: ticket.reference,
    messageId: message.id,
    authorKind: message.authorKind,
    visibility: message.visibility,
    clientLabel: ticket.clientLabel ?? null,
  }, { subject: ticket.id });
  return message;
}

/** Public messages of a ticket, oldest first (what reporters and the magic-link page see). */
export function publicThread(em: EntityManager, ticketId: string): Promise<TicketMessage[]> {
  return em.find(TicketMessage, { ticketId, visibility: 'public' }, { orderBy: { id: 'asc' } });
}
