/** Ticket vocabulary and the pure rules that build and move tickets. No I/O here. */

export const TICKET_KINDS = ['bug', 'feature', 'question', 'ops'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
/** What a client app may file; `ops` tickets only come from events. */
export const APP_TICKET_KINDS = ['bug', 'feature', 'question'] as const;

export const TICKET_STAGES = ['new', 'in_progress', 'waiting', 'solved', 'cancelled'] as const;
export type TicketStage = (typeof TICKET_STAGES)[number];
export const OPEN_STAGES: readonly string[] = ['new', 'in_progress', 'waiting'];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_CHANNELS = ['app', 'support', 'ops'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

export const SUBJECT_MAX = 300;

const KIND_LABELS: Record<TicketKind, string> = {
  bug: 'Bug Report',
  feature: 'Feature Request',
  question: 'Question',
  ops: 'Ops Alert',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind as TicketKind] ?? 'Request';
}

/** `[ENTECH] Bug Report: X` — the seed's ticket name; shown in lists and e-mail subjects. */
export function ticketTitle(ticket: { kind: string; subject: string; clientLabel?: string | null }): string {
  const prefix = ticket.clientLabel ? `[${ticket.clientLabel}] ` : '';
  return `${prefix}${kindLabel(ticket.kind)}: ${ticket.subject || '(untitled)'}`;
}

export interface TicketValuesInput {
  kind: TicketKind;
  subject: string;
  descriptionHtml: string;
  team?: string | null;
  clientLabel?: string | null;
  reporterName?: string | null;
  reporterEmail?: string | null;
  companyName?: string | null;
}

/** The stored values of a new ticket. Like the seed's `build_ticket_vals`: empty optional values are omitted, never stored as ''. */
export interface TicketValues {
  kind: TicketKind;
  subject: string;
  title: string;
  description: string;
  reporterName: string;
  customerEmail?: string;
  reporterCompany?: string;
  team?: string;
  clientLabel?: string;
}

/**
 * The seed's identity "keystone": the reporter's name, e-mail, company and the deployment label
 * travel with the ticket. `reporterEmail` must already be normalized (see `normalizeEmail`).
 */
export function buildTicketValues(input: TicketValuesInput): TicketValues {
  const subject = input.subject.trim() || '(untitled)';
  const values: TicketValues = {
    kind: input.kind,
    subject,
    title: ticketTitle({ kind: input.kind, subject, clientLabel: input.clientLabel }),
    description: input.descriptionHtml,
    reporterName: input.reporterName?.trim() ?? '',
  };
  if (input.reporterEmail) values.customerEmail = input.reporterEmail;
  if (input.companyName?.trim()) values.reporterCompany = input.companyName.trim();
  if (input.team?.trim()) values.team = input.team.trim();
  if (input.clientLabel) values.clientLabel = input.clientLabel;
  return values;
}

export type MessageAuthorKind = 'customer' | 'support' | 'owner' | 'system';

/**
 * Where a ticket goes after a public message: a reporter writing on a ticket that was waiting
 * for them, or that support had solved, puts it back in support's hands.
 */
export function stageAfterMessage(stage: string, author: MessageAuthorKind, visibility: 'public' | 'internal'): string {
  if (visibility !== 'public' || author !== 'customer') return stage;
  return stage === 'waiting' || stage === 'solved' ? 'in_progress' : stage;
}

/** Whether the reporter may still write on the ticket. */
export function canReply(stage: string): boolean {
  return stage !== 'cancelled';
}
