import type { TicketMessage } from '../messages/ticket-message.js';
import { escapeHtml } from '../shared/html.js';
import { page } from '../shared/page.js';

const STAGE_NAMES: Record<string, string> = {
  new: 'New',
  in_progress: 'In progress',
  waiting: 'Waiting for you',
  solved: 'Solved',
  cancelled: 'Cancelled',
};

export interface TicketPageInput {
  brand: string;
  reference: string;
  title: string;
  stage: string;
  descriptionHtml?: string | null;
  reporterName?: string | null;
  messages: TicketMessage[];
  canReply: boolean;
  /** Relative URL the reply form posts to (`<token>/reply`). */
  replyAction: string;
  notice?: string;
  error?: string;
}

function authorOf(m: TicketMessage): string {
  if (m.authorKind === 'customer') return m.authorName || 'You';
  return m.authorName || (m.authorKind === 'owner' ? 'Owner' : 'Support');
}

function attachmentsOf(m: TicketMessage): string {
  if (!m.attachments?.length) return '';
  return `<div class="att">${m.attachments.map((a) => a.url
    ? `📎 <a href="${escapeHtml(a.url)}" rel="noopener noreferrer nofollow">${escapeHtml(a.filename)}</a>`
    : `📎 ${escapeHtml(a.filename)}`).join('<br>')}</div>`;
}

/** The magic-link page: the public thread (bodies are sanitized HTML) and a reply box. */
export function ticketPage(input: TicketPageInput): string {
  const messages = input.messages.map((m) =>
    `<div class="msg${m.authorKind === 'customer' ? '' : ' support'}">` +
    `<div><span class="who">${escapeHtml(authorOf(m))}</span> <span class="when">${escapeHtml(m.createdAt.toISOString().slice(0, 16).replace('T', ' '))} UTC</span></div>` +
    `<div>${m.body}</div>${attachmentsOf(m)}</div>`).join('');
  const reply = input.canReply
    ? `<form method="post" action="${escapeHtml(input.replyAction)}"><p>` +
      '<label for="body">Your reply</label></p>' +
      '<textarea id="body" name="body" required maxlength="10000"></textarea>' +
      '<p><button type="submit">Send reply</button></p></form>'
    : '<p>This request is closed to replies.</p>';
  return page(input.brand, input.reference,
    `<p class="ref">${escapeHtml(input.reference)} <span class="chip">${escapeHtml(STAGE_NAMES[input.stage] ?? input.stage)}</span></p>` +
    `<h1>${escapeHtml(input.title)}</h1>` +
    (input.notice ? `<p class="notice">${escapeHtml(input.notice)}</p>` : '') +
    (input.error ? `<p class="notice" style="background:#fef2f2">${escapeHtml(input.error)}</p>` : '') +
    (input.descriptionHtml ? `<div class="msg"><div class="who">${escapeHtml(input.reporterName || 'Your request')}</div><div>${input.descriptionHtml}</div></div>` : '') +
    messages + reply);
}
