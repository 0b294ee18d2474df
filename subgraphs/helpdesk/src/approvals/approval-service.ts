import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { mapWithLimit } from '@switchboard/kit';
import { ClientDeployment } from '../clients/client-deployment.js';
import type { HelpdeskDeps } from '../deps.js';
import { approvalMail, type ApprovalCard } from '../mail/templates/approval-mails.js';
import { escapeHtml } from '../shared/html.js';
import { APPROVAL_TOKEN_PATTERN, hashToken, newApprovalToken } from '../shared/tokens.js';
import { buildSummaryPrompt, SUMMARY_UNAVAILABLE } from '../summary/summary-prompt.js';
import { Ticket } from '../tickets/ticket.js';
import type { ApprovalDecided } from '../tickets/ticket-events.js';
import { ticketTitle } from '../tickets/ticket-rules.js';
import { postMessage, publicThread } from '../tickets/ticket-service.js';
import { ApprovalRequest } from './approval-request.js';
import {
  checkEngagement,
  decisionMessageHtml,
  nextApprovalState,
  ownerMissingMessage,
  reminderCutoff,
  turnaroundHours,
  type Decision,
} from './approval-rules.js';
import { ApprovalToken } from './approval-token.js';

/** A rule the agent broke (shown to them as a 4xx). */
export class ApprovalRuleError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export interface SummaryDraft {
  ticket: Ticket;
  summary: string;
  /** True when the AI gave nothing: the agent should write a brief by hand. */
  unavailable: boolean;
}

export interface Engagement {
  tickets: Ticket[];
  client: ClientDeployment;
}

/** Load the tickets and the owner contact, applying the seed's engagement rules. */
export async function loadEngagement(em: EntityManager, ticketIds: readonly string[]): Promise<Engagement> {
  const unique = [...new Set(ticketIds)];
  const tickets = await em.find(Ticket, { id: { $in: unique } }, { orderBy: { createdAt: 'asc' } });
  const missing = unique.filter((id) => !tickets.some((t) => t.id === id));
  if (missing.length > 0) throw new ApprovalRuleError(`no ticket with id ${missing.join(', ')}`, 'ticketIds');
  const check = checkEngagement(tickets);
  if (!check.ok) throw new ApprovalRuleError(check.message, 'ticketIds');
  const client = await em.findOne(ClientDeployment, { label: check.clientLabel });
  if (!client?.ownerEmail) throw new ApprovalRuleError(ownerMissingMessage(check.clientLabel), 'ticketIds');
  return { tickets, client };
}

/** AI summaries for the approval e-mail: five at a time, 30 s for the lot, "unavailable" on any failure. */
export async function draftSummaries(deps: HelpdeskDeps, em: EntityManager, tickets: readonly Ticket[]): Promise<SummaryDraft[]> {
  const overall = AbortSignal.timeout(30_000);
  return mapWithLimit(tickets, 5, async (ticket) => {
    if (!deps.summaries.enabled || overall.aborted) return { ticket, summary: '', unavailable: true };
    const thread = await publicThread(em, ticket.id);
    const prompt = buildSummaryPrompt({
      reference: ticket.reference,
      title: ticketTitle(ticket),
      descriptionHtml: ticket.description,
      clientLabel: ticket.clientLabel,
      messages: thread.map((m) => ({ authorName: m.authorName, authorKind: m.authorKind, bodyHtml: m.body })),
    });
    const result = await Promise.race([
      deps.summaries.summarize(prompt),
      new Promise<{ ok: false; reason: string }>((resolve) =>
        overall.addEventListener('abort', () => resolve({ ok: false, reason: 'bulk summary time limit reached' }), { once: true })),
    ]);
    if (!result.ok) deps.logger.warn({ ticket: ticket.reference, reason: result.reason }, SUMMARY_UNAVAILABLE);
    return result.ok ? { ticket, summary: result.summary, unavailable: false } : { ticket, summary: '', unavailable: true };
  });
}

export interface RequestApprovalInput {
  ticketIds: string[];
  personalNote?: string | null;
  /** Summaries as the agent edited them; a ticket without one gets an AI summary (or none). */
  summaries?: { ticketId: string; summary: string }[];
  requestedBy: string;
}

export function approvalUrl(baseUrl: string, token: string, decision: Decision): string {
  return `${baseUrl}/helpdesk/approval/${token}/${decision}`;
}

/**
 * Send tickets to the client's owner for approval: a new pending round per ticket (superseding
 * a pending one), an internal note for the audit trail, and one e-mail with a card per ticket.
 */
export async function requestApproval(deps: HelpdeskDeps, input: RequestApprovalInput): Promise<ApprovalRequest[]> {
  const given = new Map((input.summaries ?? []).map((s) => [s.ticketId, s.summary]));
  // Summaries come first, outside the transaction: never hold a transaction open on a network call.
  const preview = await loadEngagement(deps.db.em(), input.ticketIds);
  const toDraft = preview.tickets.filter((t) => !given.has(t.id));
  for (const draft of await draftSummaries(deps, deps.db.em(), toDraft)) given.set(draft.ticket.id, draft.summary);

  return deps.transaction(async ({ em, events }) => {
    const { tickets, client } = await loadEngagement(em, input.ticketIds);
    const now = new Date();
    const batchId = randomUUID();
    const requests: ApprovalRequest[] = [];
    const cards: ApprovalCard[] = [];
    for (const ticket of tickets) {
      await em.nativeUpdate(ApprovalRequest, { ticketId: ticket.id, state: 'pending' }, { state: 'superseded' });
      const request = em.create(ApprovalRequest, {
        id: randomUUID(),
        ticketId: ticket.id,
        batchId,
        clientLabel: client.label,
        ownerEmail: client.ownerEmail!,
        ownerName: client.ownerName ?? null,
        summary: given.get(ticket.id)?.trim() || null,
        personalNote: input.personalNote?.trim() || null,
        requestedBy: input.requestedBy,
        requestedAt: now,
      });
      requests.push(request);
      ticket.approvalState = 'pending';
      const token = issueApprovalToken(em, request.id, 'request');
      cards.push(await approvalCard(deps, em, ticket, request, token));
      await postMessage({ em, events }, ticket, {
        authorKind: 'system',
        authorName: input.requestedBy,
        bodyHtml: `<p>Owner approval requested from ${escapeName(client.ownerName, client.ownerEmail!)} by ${escapeName(null, input.requestedBy)}.</p>`,
        visibility: 'internal',
      });
    }
    const mail = approvalMail({
      brand: deps.helpdesk.HELPDESK_BRAND_NAME,
      ownerName: client.ownerName,
      clientLabel: client.label,
      personalNote: input.personalNote,
      cards,
      reminder: false,
    });
    await deps.mail.enqueue({ em, events }, {
      ...mail,
      purpose: 'approval_request',
      to: client.ownerEmail!,
      replyTo: deps.helpdesk.HELPDESK_MAIL_REPLY_TO ?? null,
      ticketId: tickets.length === 1 ? tickets[0]!.id : null,
      dedupeKey: `approval:${batchId}`,
    });
    return requests;
  });
}

function escapeName(name: string | null | undefined, email: string): string {
  return escapeHtml(name ? `${name} <${email}>` : email);
}

function issueApprovalToken(em: EntityManager, approvalId: string, purpose: 'request' | 'reminder'): string {
  const token = newApprovalToken();
  em.persist(em.create(ApprovalToken, { approvalId, tokenHash: hashToken(token), purpose, createdAt: new Date() }));
  return token;
}

async function approvalCard(deps: HelpdeskDeps, em: EntityManager, ticket: Ticket, request: ApprovalRequest, token: string): Promise<ApprovalCard> {
  const thread = await publicThread(em, ticket.id);
  const threadHtml = [ticket.description ?? '', ...thread.map((m) => `<p><b>${escapeName(m.authorName, m.authorEmail ?? m.authorKind)}</b></p>${m.body}`)]
    .filter(Boolean)
    .join('<hr>');
  return {
    reference: ticket.reference,
    title: ticketTitle(ticket),
    summary: request.summary,
    threadHtml: threadHtml || '<p>(no description)</p>',
    approveUrl: approvalUrl(deps.helpdesk.HELPDESK_PUBLIC_BASE_URL, token, 'approve'),
    rejectUrl: approvalUrl(deps.helpdesk.HELPDESK_PUBLIC_BASE_URL, token, 'reject'),
  };
}

export interface ResolvedApproval {
  token: ApprovalToken;
  request: ApprovalRequest;
  ticket: Ticket;
}

/** The pending round a link decides, or null: unknown, malformed, used, superseded or decided. */
export async function resolveApprovalToken(em: EntityManager, token: string): Promise<ResolvedApproval | null> {
  if (!APPROVAL_TOKEN_PATTERN.test(token)) return null;
  const row = await em.findOne(ApprovalToken, { tokenHash: hashToken(token) });
  if (!row || row.usedAt) return null;
  const request = await em.findOne(ApprovalRequest, { id: row.approvalId });
  if (!request || request.state !== 'pending') return null;
  const ticket = await em.findOne(Ticket, { id: request.ticketId });
  return ticket ? { token: row, request, ticket } : null;
}

/**
 * The owner's decision: one-way and once. The state change is a conditional update, so two
 * clicks racing each other record one decision; the loser gets the "already used" page.
 */
export async function decideApproval(deps: HelpdeskDeps, token: string, decision: Decision, comment?: string | null): Promise<ResolvedApproval | null> {
  return deps.transaction(async ({ em, events }) => {
    const resolved = await resolveApprovalToken(em, token);
    if (!resolved) return null;
    const next = nextApprovalState(resolved.request.state, decision);
    if (!next.ok) return null;
    const now = new Date();
    const won = await em.nativeUpdate(
      ApprovalRequest,
      { id: resolved.request.id, state: 'pending' },
      { state: next.state, decidedAt: now, decisionComment: comment?.trim() || null },
    );
    if (won !== 1) return null;
    await em.nativeUpdate(ApprovalToken, { approvalId: resolved.request.id, usedAt: null }, { usedAt: now });
    Object.assign(resolved.request, { state: next.state, decidedAt: now, decisionComment: comment?.trim() || null });
    const { request, ticket } = resolved;
    ticket.approvalState = next.state;
    await postMessage({ em, events }, ticket, {
      authorKind: 'owner',
      authorEmail: request.ownerEmail,
      authorName: request.ownerName ?? request.ownerEmail,
      bodyHtml: decisionMessageHtml(decision, request.ownerName, request.ownerEmail, comment),
      visibility: 'public',
    });
    events.emit<ApprovalDecided>('helpdesk.approval.decided', {
      ticketId: ticket.id,
      reference: ticket.reference,
      approvalId: request.id,
      decision: next.state,
      ownerEmail: request.ownerEmail,
      ownerName: request.ownerName ?? null,
      clientLabel: request.clientLabel,
      requestedAt: request.requestedAt.toISOString(),
      decidedAt: now.toISOString(),
      turnaroundHours: turnaroundHours(request.requestedAt, now) ?? 0,
    }, { subject: ticket.id });
    return resolved;
  });
}

/**
 * The single reminder (seed: "single-shot by design"). Each due batch gets one combined e-mail.
 * The seed re-sent the same token; tokens here are stored as hashes only, so the reminder
 * carries a fresh link for the same round — both links stay valid until the owner decides.
 */
export async function sendDueReminders(deps: HelpdeskDeps, now = new Date()): Promise<number> {
  const days = deps.helpdesk.HELPDESK_APPROVAL_REMINDER_DAYS;
  if (days <= 0) return 0;
  const due = await deps.db.em().find(
    ApprovalRequest,
    { state: 'pending', remindedAt: null, requestedAt: { $lte: reminderCutoff(now, days) } },
    { orderBy: { requestedAt: 'asc' }, limit: 500 },
  );
  const batches = new Map<string, string[]>();
  for (const r of due) batches.set(r.batchId, [...(batches.get(r.batchId) ?? []), r.id]);
  let sent = 0;
  for (const [batchId, ids] of batches) {
    sent += await deps.transaction(async ({ em, events }) => {
      const cards: ApprovalCard[] = [];
      let first: ApprovalRequest | undefined;
      for (const id of ids) {
        // Claim: another replica running the same scan claims nothing.
        const claimed = await em.nativeUpdate(ApprovalRequest, { id, state: 'pending', remindedAt: null }, { remindedAt: now });
        if (claimed !== 1) continue;
        const request = await em.findOneOrFail(ApprovalRequest, { id });
        const ticket = await em.findOne(Ticket, { id: request.ticketId });
        if (!ticket) continue;
        first ??= request;
        cards.push(await approvalCard(deps, em, ticket, request, issueApprovalToken(em, request.id, 'reminder')));
      }
      if (!first) return 0;
      const mail = approvalMail({
        brand: deps.helpdesk.HELPDESK_BRAND_NAME,
        ownerName: first.ownerName,
        clientLabel: first.clientLabel,
        personalNote: null,
        cards,
        reminder: true,
      });
      await deps.mail.enqueue({ em, events }, {
        ...mail,
        purpose: 'approval_reminder',
        to: first.ownerEmail,
        replyTo: deps.helpdesk.HELPDESK_MAIL_REPLY_TO ?? null,
        ticketId: cards.length === 1 ? first.ticketId : null,
        dedupeKey: `approval-reminder:${batchId}:${first.id}`,
      });
      return 1;
    });
  }
  return sent;
}
