import { escapeHtml } from '../shared/html.js';
import { page } from '../shared/page.js';
import type { Decision } from './approval-rules.js';

export interface ConfirmPageInput {
  brand: string;
  reference: string;
  title: string;
  summary?: string | null;
  ownerName?: string | null;
  decision: Decision;
}

/** GET of an approval link: nothing happens until the owner confirms (mail scanners open links too). */
export function confirmPage(input: ConfirmPageInput): string {
  const verb = input.decision === 'approve' ? 'Approve' : 'Reject';
  const summary = input.summary?.trim()
    ? `<div class="support">${escapeHtml(input.summary.trim()).replace(/\n/g, '<br>')}</div>`
    : '';
  return page(input.brand, `${verb} ${input.reference}`,
    `<h1>${verb} this request?</h1>` +
    `<p class="ref">${escapeHtml(input.reference)}</p><h2>${escapeHtml(input.title)}</h2>${summary}` +
    '<form method="post">' +
    '<p><label for="comment">Comment (optional)</label></p>' +
    '<textarea id="comment" name="comment" maxlength="2000"></textarea>' +
    `<p><button type="submit" class="${input.decision}">Confirm: ${verb.toLowerCase()}</button></p>` +
    '</form>');
}

export function decidedPage(brand: string, decision: Decision, reference: string): string {
  const what = decision === 'approve' ? 'approved' : 'rejected';
  return page(brand, 'Decision recorded',
    `<h1>Thanks — your decision is recorded</h1><p>You ${what} request ${escapeHtml(reference)}. Our team has been notified.</p>`);
}
