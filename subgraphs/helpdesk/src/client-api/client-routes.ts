import { QueryOrder, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ClientDeployment } from '../clients/client-deployment.js';
import { extractApiKey } from '../clients/client-rules.js';
import { applyOwnerContact, findClientByApiKey } from '../clients/client-store.js';
import type { HelpdeskDeps } from '../deps.js';
import { checkAttachments } from '../messages/message-rules.js';
import type { TicketMessage } from '../messages/ticket-message.js';
import { markSeen, seenMap } from '../read-tracking/read-markers.js';
import { computeUnreadCount, hasUnread, userReader } from '../read-tracking/unread-rules.js';
import { sanitizeRichText, textToHtml } from '../shared/html.js';
import { Ticket } from '../tickets/ticket.js';
import { buildTicketValues, canReply, ticketTitle } from '../tickets/ticket-rules.js';
import { openTicket, postMessage, publicThread } from '../tickets/ticket-service.js';
import { parseActingUser, type ActingUser } from './acting-user.js';
import { buildScope, resolveInboxScope, type InboxScope, type TicketScope } from './scope.js';
import { checkSubmit, diagnosticsHtml } from './submit-input.js';

declare module 'fastify' {
  interface FastifyRequest {
    helpdeskClient?: ClientDeployment;
    actingUser?: ActingUser;
  }
}

const REPLY_MAX = 10_000;

function fail(reply: FastifyReply, status: number, error: string, field?: string) {
  return reply.code(status).send({ ok: false, error, ...(field ? { field } : {}) });
}

function scopeOf(request: FastifyRequest, broaden: boolean): TicketScope {
  return buildScope(request.helpdeskClient!.label, request.actingUser!.email, broaden);
}

/** A reader key for the acting user; without an e-mail there is no one to remember reads for. */
function readerOf(request: FastifyRequest): string | undefined {
  const user = request.actingUser!;
  return user.email ? userReader(request.helpdeskClient!.label, user.email) : undefined;
}

function messageView(m: TicketMessage) {
  return {
    id: m.id,
    author: { name: m.authorName ?? (m.authorKind === 'customer' ? null : 'Support'), kind: m.authorKind },
    date: m.createdAt.toISOString(),
    body: m.body,
    attachments: (m.attachments ?? []).map((a) => ({ filename: a.filename, content_type: a.contentType, size_bytes: a.sizeBytes, url: a.url ?? null })),
  };
}

function parseScope(raw: unknown): InboxScope | undefined {
  if (raw === undefined || raw === '' || raw === 'mine') return 'mine';
  return raw === 'all' ? 'all' : undefined;
}

function parsePaging(query: { limit?: string; offset?: string }): { limit: number; offset: number } | string {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) return 'limit must be a whole number from 1 to 200';
  if (!Number.isInteger(offset) || offset < 0) return 'offset must be a whole number, 0 or more';
  return { limit, offset };
}

/**
 * REST for client apps (the seed's in-app reporter and "My Tickets" inbox). The API key says which
 * deployment is calling — the label always comes from the key, never from the request; the app
 * asserts its acting user in `X-Helpdesk-User-*` headers; every read and write goes through the
 * scope (label, and the user's e-mail unless an admin asked for all).
 */
export const clientApiRoutes: FastifyPluginAsync<{ deps: HelpdeskDeps }> = async (app, { deps }) => {
  app.addHook('onRequest', async (request, reply) => {
    const key = extractApiKey(request.headers);
    if (!key) return fail(reply.header('www-authenticate', 'Bearer'), 401, 'missing API key: send Authorization: Bearer <key>');
    const client = await findClientByApiKey(deps.db.em(), key);
    if (!client) return fail(reply.header('www-authenticate', 'Bearer error="invalid_token"'), 401, 'invalid or revoked API key');
    const user = parseActingUser(request.headers);
    if (!user.ok) return fail(reply, 400, user.message, user.field);
    request.helpdeskClient = client;
    request.actingUser = user.user;
  });

  app.get('/api/helpdesk/whoami', async (request) => {
    const { label, name } = request.helpdeskClient!;
    const user = request.actingUser!;
    return { label, client_name: name, email: user.email ?? null, name: user.name ?? null, is_admin: user.isAdmin };
  });

  app.post<{ Body: unknown }>('/api/helpdesk/submit', { bodyLimit: 256 * 1024 }, async (request, reply) => {
    const checked = checkSubmit(request.body);
    if (!checked.ok) return fail(reply, 400, checked.message, checked.field);
    const client = request.helpdeskClient!;
    const user = request.actingUser!;
    if (!user.email && !user.name) {
      return fail(reply, 400, 'the acting user is required: send X-Helpdesk-User-Email and/or X-Helpdesk-User-Name', 'x-helpdesk-user-email');
    }
    const { body, replyEmail, ownerEmail, attachments } = checked.value;
    const idempotencyKey = (request.headers['idempotency-key'] as string | undefined)?.trim() || null;
    if (idempotencyKey && idempotencyKey.length > 200) return fail(reply, 400, 'Idempotency-Key is longer than 200 characters', 'idempotency-key');

    const values = buildTicketValues({
      kind: body.kind,
      subject: body.subject,
      descriptionHtml: sanitizeRichText(body.description) + diagnosticsHtml(body.diagnostics),
      team: client.team,
      clientLabel: client.label,
      reporterName: user.name,
      reporterEmail: replyEmail ?? user.email,
      companyName: body.company_name ?? client.companyName,
    });
    const answer = (ticket: Ticket) => ({
      ok: true,
      ticket_id: ticket.id,
      reference: ticket.reference,
      title: ticketTitle(ticket),
      follow_up_email_captured: !!ticket.customerEmail,
    });
    const existing = async () => idempotencyKey ? deps.db.em().findOne(Ticket, { clientLabel: client.label, clientRequestKey: idempotencyKey }) : null;
    const seen = await existing();
    if (seen) return reply.code(200).send(answer(seen));
    try {
      const ticket = await deps.transaction(async ({ em, events }) => {
        const ticket = await openTicket({ em, events }, {
          kind: values.kind,
          subject: values.subject,
          descriptionHtml: values.description,
          channel: 'app',
          priority: body.priority,
          team: values.team,
          clientLabel: values.clientLabel,
          reporter: { email: values.customerEmail, name: values.reporterName || null, company: values.reporterCompany },
          links: { orderId: body.order_id || null, invoiceId: body.invoice_id || null, paymentId: body.payment_id || null },
          clientRequestKey: idempotencyKey,
        });
        if (attachments.length > 0) {
          await postMessage({ em, events }, ticket, {
            authorKind: 'customer', authorEmail: values.customerEmail, authorName: values.reporterName || null,
            bodyHtml: '<p>Attachments</p>', visibility: 'public', attachments,
          });
        }
        const owner = await em.findOneOrFail(ClientDeployment, { label: client.label });
        applyOwnerContact(owner, { email: ownerEmail, name: body.owner_name });
        return ticket;
      });
      return reply.code(201).send(answer(ticket));
    } catch (error) {
      // Two submissions with the same Idempotency-Key raced: the other one created the ticket.
      if (error instanceof UniqueConstraintViolationException && idempotencyKey) {
        const winner = await existing();
        if (winner) return reply.code(200).send(answer(winner));
      }
      throw error;
    }
  });

  app.get<{ Querystring: { scope?: string; limit?: string; offset?: string } }>('/api/helpdesk/my_tickets', async (request, reply) => {
    const requested = parseScope(request.query.scope);
    if (!requested) return fail(reply, 400, 'scope must be mine or all', 'scope');
    const decision = resolveInboxScope(requested, request.actingUser!.isAdmin);
    if (!decision.ok) return fail(reply, 403, decision.message, 'scope');
    const paging = parsePaging(request.query);
    if (typeof paging === 'string') return fail(reply, 400, paging, paging.split(' ')[0]);
    const em = deps.db.em();
    const tickets = await em.find(Ticket, scopeOf(request, decision.broaden), {
      orderBy: { updatedAt: QueryOrder.DESC_NULLS_LAST, createdAt: QueryOrder.DESC, id: QueryOrder.ASC },
      limit: paging.limit,
      offset: paging.offset,
    });
    const reader = readerOf(request);
    const seen = reader ? await seenMap(em, reader, tickets.map((t) => t.id)) : new Map<string, number>();
    return {
      scope: requested,
      tickets: tickets.map((t) => ({
        id: t.id,
        ref: t.reference,
        subject: t.subject,
        title: ticketTitle(t),
        kind: t.kind,
        stage: t.stage,
        last_update: (t.updatedAt ?? t.createdAt).toISOString(),
        has_unread: reader ? hasUnread(t.lastSupportMessageId, seen.get(t.id)) : false,
      })),
    };
  });

  app.get<{ Params: { id: string } }>('/api/helpdesk/ticket/:id', async (request, reply) => {
    const em = deps.db.em();
    // Re-resolve through the scope: a ticket outside it does not exist for this caller.
    const ticket = await em.findOne(Ticket, { ...scopeOf(request, request.actingUser!.isAdmin), id: request.params.id });
    if (!ticket) return fail(reply, 404, 'ticket not found');
    const messages = await publicThread(em, ticket.id);
    const reader = readerOf(request);
    const latest = messages.at(-1)?.id;
    if (reader && latest) await markSeen(em, reader, ticket.id, latest);
    return {
      id: ticket.id,
      ref: ticket.reference,
      subject: ticket.subject,
      title: ticketTitle(ticket),
      kind: ticket.kind,
      stage: ticket.stage,
      created_at: ticket.createdAt.toISOString(),
      last_update: (ticket.updatedAt ?? ticket.createdAt).toISOString(),
      reporter: { name: ticket.reporterName ?? null, email: ticket.customerEmail ?? null },
      follow_up_email_captured: !!ticket.customerEmail,
      description: ticket.description ?? '',
      messages: messages.map(messageView),
      can_reply: canReply(ticket.stage),
    };
  });

  app.post<{ Params: { id: string }; Body: { body?: unknown; attachments?: unknown } | undefined }>(
    '/api/helpdesk/ticket/:id/reply',
    { bodyLimit: 64 * 1024 },
    async (request, reply) => {
      const raw = request.body?.body;
      if (typeof raw !== 'string' || !raw.trim()) return fail(reply, 400, 'body is required: the text of the reply', 'body');
      if (raw.length > REPLY_MAX) return fail(reply, 400, `body must be at most ${REPLY_MAX} characters`, 'body');
      const attachments = checkAttachments(request.body?.attachments);
      if (!attachments.ok) return fail(reply, 400, attachments.message, attachments.field);
      const user = request.actingUser!;
      const reader = readerOf(request);
      const outcome = await deps.transaction(async ({ em, events }) => {
        const ticket = await em.findOne(Ticket, { ...scopeOf(request, user.isAdmin), id: request.params.id });
        if (!ticket) return { status: 404 as const };
        if (!canReply(ticket.stage)) return { status: 409 as const, reference: ticket.reference };
        const message = await postMessage({ em, events }, ticket, {
          authorKind: 'customer',
          authorEmail: user.email ?? null,
          authorName: user.name ?? null,
          bodyHtml: textToHtml(raw),
          visibility: 'public',
          attachments: attachments.value,
        });
        if (reader) await markSeen(em, reader, ticket.id, message.id);
        return { status: 201 as const, messageId: message.id };
      });
      if (outcome.status === 404) return fail(reply, 404, 'ticket not found');
      if (outcome.status === 409) return fail(reply, 409, `ticket ${outcome.reference} is cancelled; it takes no more replies`);
      return reply.code(201).send({ ok: true, message_id: outcome.messageId });
    },
  );

  app.get<{ Querystring: { scope?: string } }>('/api/helpdesk/unread_count', async (request, reply) => {
    const requested = parseScope(request.query.scope);
    if (!requested) return fail(reply, 400, 'scope must be mine or all', 'scope');
    const decision = resolveInboxScope(requested, request.actingUser!.isAdmin);
    if (!decision.ok) return fail(reply, 403, decision.message, 'scope');
    const reader = readerOf(request);
    if (!reader) return { count: 0 };
    const em = deps.db.em();
    const tickets = await em.find(Ticket, { ...scopeOf(request, decision.broaden), lastSupportMessageId: { $ne: null } }, { fields: ['id', 'lastSupportMessageId'] });
    const seen = await seenMap(em, reader, tickets.map((t) => t.id));
    return { count: computeUnreadCount(tickets.map((t) => ({ id: t.id, lastRelevantMessageId: t.lastSupportMessageId })), seen) };
  });
};
