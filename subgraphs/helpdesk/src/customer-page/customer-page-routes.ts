import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { HelpdeskDeps } from '../deps.js';
import { textToHtml } from '../shared/html.js';
import { invalidLinkPage, sendPage } from '../shared/page.js';
import { markSeen } from '../read-tracking/read-markers.js';
import { userReader } from '../read-tracking/unread-rules.js';
import { Ticket } from '../tickets/ticket.js';
import { canReply, ticketTitle } from '../tickets/ticket-rules.js';
import { postMessage, publicThread } from '../tickets/ticket-service.js';
import { resolveAccessLink } from './access-links.js';
import { ticketPage } from './ticket-page.js';

const REPLY_MAX = 10_000;

/**
 * The page behind the magic link in the acknowledgement: a reporter without an account reads the
 * public thread and replies. The token is the whole credential and opens exactly one ticket.
 */
export const customerPageRoutes: FastifyPluginAsync<{ deps: HelpdeskDeps }> = async (app, { deps }) => {
  await app.register(formbody, { bodyLimit: 32 * 1024 });
  const brand = deps.helpdesk.HELPDESK_BRAND_NAME;
  const invalid = invalidLinkPage(brand, deps.helpdesk.HELPDESK_SUPPORT_EMAIL, 'ticket');

  const render = async (ticket: Ticket, token: string, extra: { notice?: string; error?: string } = {}) => {
    const em = deps.db.em();
    const messages = await publicThread(em, ticket.id);
    return ticketPage({
      brand,
      reference: ticket.reference,
      title: ticketTitle(ticket),
      stage: ticket.stage,
      descriptionHtml: ticket.description,
      reporterName: ticket.reporterName,
      messages,
      canReply: canReply(ticket.stage),
      replyAction: `${token}/reply`,
      ...extra,
    });
  };

  app.get<{ Params: { token: string }; Querystring: { sent?: string } }>('/helpdesk/ticket/:token', async (request, reply) => {
    const em = deps.db.em();
    const resolved = await resolveAccessLink(em, request.params.token);
    if (!resolved) return sendPage(reply, 404, invalid);
    const { link, ticket } = resolved;
    link.lastUsedAt = new Date();
    // Reading here counts as the reporter reading: the in-app badge clears too.
    if (ticket.customerEmail && ticket.lastSupportMessageId) {
      await markSeen(em, userReader(ticket.clientLabel, ticket.customerEmail), ticket.id, ticket.lastSupportMessageId);
    }
    await em.flush();
    return sendPage(reply, 200, await render(ticket, request.params.token, request.query.sent ? { notice: 'Your reply was sent.' } : {}));
  });

  app.post<{ Params: { token: string }; Body: { body?: unknown } | undefined }>(
    '/helpdesk/ticket/:token/reply',
    { bodyLimit: 32 * 1024 },
    async (request, reply) => {
      const text = typeof request.body?.body === 'string' ? request.body.body.trim() : '';
      const outcome = await deps.transaction(async ({ em, events }) => {
        const resolved = await resolveAccessLink(em, request.params.token);
        if (!resolved) return { kind: 'invalid' as const };
        const { ticket, link } = resolved;
        if (!text) return { kind: 'error' as const, ticket, error: 'Please write a reply before sending.' };
        if (text.length > REPLY_MAX) return { kind: 'error' as const, ticket, error: `Replies are limited to ${REPLY_MAX} characters.` };
        if (!canReply(ticket.stage)) return { kind: 'error' as const, ticket, error: 'This request is closed to replies.' };
        link.lastUsedAt = new Date();
        await postMessage({ em, events }, ticket, {
          authorKind: 'customer',
          authorEmail: ticket.customerEmail,
          authorName: ticket.reporterName,
          bodyHtml: textToHtml(text),
          visibility: 'public',
        });
        return { kind: 'sent' as const };
      });
      if (outcome.kind === 'invalid') return sendPage(reply, 404, invalid);
      if (outcome.kind === 'error') return sendPage(reply, 400, await render(outcome.ticket, request.params.token, { error: outcome.error }));
      // Post/redirect/get: a refresh does not post the reply twice.
      return reply.code(303).header('cache-control', 'no-store').header('location', `../${request.params.token}?sent=1`).send();
    },
  );
};
