import { escapeHtml } from '../../shared/html.js';
import { button, greeting, layout, type RenderedMail } from './layout.js';

export interface ApprovalCard {
  reference: string;
  title: string;
  summary?: string | null;
  /** Sanitized HTML of the public thread, shown folded. */
  threadHtml: string;
  approveUrl: string;
  rejectUrl: string;
}

export interface ApprovalMailContext {
  brand: string;
  ownerName?: string | null;
  clientLabel: string;
  personalNote?: string | null;
  cards: ApprovalCard[];
  reminder: boolean;
}

function subjectOf(ctx: ApprovalMailContext): string {
  const what = ctx.cards.length === 1 ? `request "${ctx.cards[0]!.title}"` : `${ctx.cards.length} requests from ${ctx.clientLabel}`;
  return ctx.reminder
    ? `Reminder: still waiting on your approval — ${ctx.cards.length === 1 ? `"${ctx.cards[0]!.title}"` : what}`
    : `Action needed: please review ${what}`;
}

function summaryHtml(summary: string | null | undefined): string {
  if (!summary?.trim()) return '';
  const lines = summary.split(/\r?\n/).map((l) => l.replace(/^\s*[-*•]\s*/, '').trim()).filter(Boolean);
  return `<ul style="margin:8px 0 8px 18px;padding:0">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
}

function card(c: ApprovalCard): string {
  return '<div style="border:1px solid #e5e7eb;border-radius:8px;padding:16px;margin:16px 0">' +
    `<div style="font-size:13px;color:#6b7280">${escapeHtml(c.reference)}</div>` +
    `<div style="font-size:16px;font-weight:600;margin:4px 0">${escapeHtml(c.title)}</div>` +
    summaryHtml(c.summary) +
    '<table role="presentation" cellspacing="0" cellpadding="0"><tr>' +
    `<td style="padding-right:8px">${button(c.approveUrl, '✓ Approve', '#15803d')}</td>` +
    `<td>${button(c.rejectUrl, '✗ Reject', '#b91c1c')}</td>` +
    '</tr></table>' +
    `<details><summary style="cursor:pointer;color:#374151">Full conversation</summary><div style="margin-top:8px">${c.threadHtml}</div></details>` +
    '</div>';
}

/**
 * The owner's approval request or its single reminder (seed §2.2): one card per ticket, each
 * with its own approve / reject links. Nothing is decided by opening a link: the page asks to confirm.
 */
export function approvalMail(ctx: ApprovalMailContext): RenderedMail {
  const intro = ctx.reminder
    ? '<p>This is a friendly reminder: the request below is still waiting for your decision.</p>'
    : `<p>Our support team needs your sign-off before going ahead with ${ctx.cards.length === 1 ? 'the request' : 'the requests'} below from your ${escapeHtml(ctx.clientLabel)} team.</p>`;
  const note = ctx.personalNote?.trim()
    ? `<p style="padding:8px 12px;background:#f9fafb;border-radius:6px">${escapeHtml(ctx.personalNote.trim()).replace(/\n/g, '<br>')}</p>`
    : '';
  return layout(ctx.brand, subjectOf(ctx),
    greeting(ctx.ownerName) + intro + note + ctx.cards.map(card).join('') +
    '<p style="font-size:13px;color:#6b7280">Each button opens a page where you confirm your decision and may add a comment. ' +
    'No login is needed. Each link works once.</p>');
}
