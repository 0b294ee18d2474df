import { htmlToPlainText } from '../shared/html.js';

/** The frozen instructions (seed §2.2 `utils.SUMMARY_PROMPT`). Changing them changes every summary: keep it deliberate. */
export const SUMMARY_PROMPT = [
  'You brief a business owner who must approve or reject a support request.',
  'Write 4 to 6 plain bullet points, one per line, each starting with "- ":',
  'the ask; the impact if approved; the impact if not approved; cost or effort signals; open questions.',
  'Use only facts from the request. Where something is not in the request, write "not stated" instead of guessing.',
  'No greeting, no sign-off, no headings, no markdown other than the bullets.',
].join('\n');

export const PROMPT_MAX_CHARS = 8_000;

export const SUMMARY_UNAVAILABLE = 'AI summary unavailable — write a quick brief manually';

/** Cut a prompt to `maxChars`, marking the cut so the model knows text is missing. */
export function truncateForOpenAI(prompt: string, maxChars = PROMPT_MAX_CHARS): string {
  if (prompt.length <= maxChars) return prompt;
  const marker = '\n[…truncated]';
  return prompt.slice(0, maxChars - marker.length) + marker;
}

export interface PromptTicket {
  reference: string;
  title: string;
  descriptionHtml?: string | null;
  clientLabel?: string | null;
  messages: { authorName?: string | null; authorKind: string; bodyHtml: string }[];
}

/** The user message: the ticket and its public thread as plain text, capped at 8,000 characters. */
export function buildSummaryPrompt(ticket: PromptTicket): string {
  const parts = [
    `Request ${ticket.reference}: ${ticket.title}`,
    ticket.clientLabel ? `Client: ${ticket.clientLabel}` : '',
    '',
    'Description:',
    htmlToPlainText(ticket.descriptionHtml ?? '') || '(none)',
  ];
  if (ticket.messages.length > 0) {
    parts.push('', 'Conversation:');
    for (const m of ticket.messages) parts.push(`${m.authorName || m.authorKind}: ${htmlToPlainText(m.bodyHtml)}`);
  }
  return truncateForOpenAI(parts.filter((p, i) => p !== '' || i > 0).join('\n'));
}
