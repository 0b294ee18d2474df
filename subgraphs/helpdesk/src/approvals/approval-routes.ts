import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { HelpdeskDeps } from '../deps.js';
import { invalidLinkPage, sendPage } from '../shared/page.js';
import { ticketTitle } from '../tickets/ticket-rules.js';
import { confirmPage, decidedPage } from './approval-pages.js';
import { DECISION_COMMENT_MAX, DECISIONS, type Decision } from './approval-rules.js';
import { decideApproval, resolveApprovalToken } from './approval-service.js';

/** The owner's one-click pages: `GET` shows a confirmation, `POST` decides (seed §2.2 step 5). */
export const approvalRoutes: FastifyPluginAsync<{ deps: HelpdeskDeps }> = async (app, { deps }) => {
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const brand = deps.helpdesk.HELPDESK_BRAND_NAME;
  const invalid = invalidLinkPage(brand, deps.helpdesk.HELPDESK_SUPPORT_EMAIL, 'approval');

  app.get<{ Params: { token: string; decision: string } }>('/helpdesk/approval/:token/:decision', async (request, reply) => {
    const { token, decision } = request.params;
    if (!DECISIONS.includes(decision as Decision)) return sendPage(reply, 404, invalid);
    const resolved = await resolveApprovalToken(deps.db.em(), token);
    if (!resolved) return sendPage(reply, 404, invalid);
    return sendPage(reply, 200, confirmPage({
      brand,
      reference: resolved.ticket.reference,
      title: ticketTitle(resolved.ticket),
      summary: resolved.request.summary,
      ownerName: resolved.request.ownerName,
      decision: decision as Decision,
    }));
  });

  app.post<{ Params: { token: string; decision: string }; Body: { comment?: unknown } | undefined }>(
    '/helpdesk/approval/:token/:decision',
    { bodyLimit: 16 * 1024 },
    async (request, reply) => {
      const { token, decision } = request.params;
      if (!DECISIONS.includes(decision as Decision)) return sendPage(reply, 404, invalid);
      const comment = typeof request.body?.comment === 'string' ? request.body.comment.slice(0, DECISION_COMMENT_MAX) : null;
      const decided = await decideApproval(deps, token, decision as Decision, comment);
      if (!decided) return sendPage(reply, 404, invalid);
      return sendPage(reply, 200, decidedPage(brand, decision as Decision, decided.ticket.reference));
    },
  );
};
