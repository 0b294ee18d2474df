import { normalizeEmail } from '@switchboard/kit';
import { z } from 'zod';
import type { AttachmentMeta } from '../messages/ticket-message.js';
import { checkAttachments } from '../messages/message-rules.js';
import { escapeHtml } from '../shared/html.js';
import { APP_TICKET_KINDS, SUBJECT_MAX, TICKET_PRIORITIES } from '../tickets/ticket-rules.js';

const linkId = z.string().trim().max(64).optional();

/** `POST /api/helpdesk/submit` body (snake_case, like the seed's JSON-RPC params). */
export const submitSchema = z.object({
  kind: z.enum(APP_TICKET_KINDS, { errorMap: () => ({ message: `must be one of ${APP_TICKET_KINDS.join(', ')}` }) }),
  subject: z.string().trim().min(1, 'is required').max(SUBJECT_MAX, `must be at most ${SUBJECT_MAX} characters`),
  description: z.string().max(100_000, 'must be at most 100000 characters').default(''),
  /** The address the reporter confirmed or edited in the form; falls back to the acting user's. */
  reply_email: z.string().trim().max(254).optional(),
  priority: z.enum(TICKET_PRIORITIES, { errorMap: () => ({ message: `must be one of ${TICKET_PRIORITIES.join(', ')}` }) }).optional(),
  company_name: z.string().trim().max(200).optional(),
  diagnostics: z.record(z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()])).optional()
    .refine((d) => !d || Object.keys(d).length <= 50, 'may hold at most 50 entries'),
  order_id: linkId,
  invoice_id: linkId,
  payment_id: linkId,
  /** The owner contact from the app's settings (seed §2.2): sent → stored, blank → cleared. */
  owner_email: z.string().trim().max(254).optional(),
  owner_name: z.string().trim().max(200).optional(),
  attachments: z.array(z.unknown()).optional(),
}).strict();

export type SubmitBody = z.infer<typeof submitSchema>;

export interface CheckedSubmit {
  body: SubmitBody;
  replyEmail?: string;
  ownerEmail?: string | null;
  attachments: AttachmentMeta[];
}

export function firstIssue(error: z.ZodError): { message: string; field: string } {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  if (issue.code === 'unrecognized_keys') return { message: `unknown field ${issue.keys.join(', ')}`, field: issue.keys[0] ?? field };
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return { message: `${field} is required`, field };
  return { message: `${field} ${issue.message}`, field };
}

/** Validate a submission; every refusal names the field. */
export function checkSubmit(raw: unknown): { ok: true; value: CheckedSubmit } | { ok: false; message: string; field: string } {
  const parsed = submitSchema.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, ...firstIssue(parsed.error) };
  const body = parsed.data;
  let replyEmail: string | undefined;
  if (body.reply_email) {
    replyEmail = normalizeEmail(body.reply_email);
    if (!replyEmail) return { ok: false, message: 'reply_email must be a valid e-mail address', field: 'reply_email' };
  }
  let ownerEmail: string | null | undefined;
  if (body.owner_email !== undefined) {
    ownerEmail = body.owner_email ? normalizeEmail(body.owner_email) ?? undefined : null;
    if (ownerEmail === undefined) return { ok: false, message: 'owner_email must be a valid e-mail address or empty', field: 'owner_email' };
  }
  const attachments = checkAttachments(body.attachments);
  if (!attachments.ok) return attachments;
  return { ok: true, value: { body, replyEmail, ownerEmail, attachments: attachments.value } };
}

/** The seed's "Diagnostic context" block, appended to the description (values escaped). */
export function diagnosticsHtml(diagnostics: Record<string, string | number | boolean | null> | undefined): string {
  const entries = Object.entries(diagnostics ?? {});
  if (entries.length === 0) return '';
  const rows = entries.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td><code>${escapeHtml(v === null ? '' : String(v))}</code></td></tr>`);
  return `<h4>Diagnostic context</h4><table><tbody>${rows.join('')}</tbody></table>`;
}
