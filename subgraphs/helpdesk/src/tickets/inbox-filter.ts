import type { FilterQuery } from '@mikro-orm/core';
import { normalizeEmail } from '@switchboard/kit';
import type { Checked } from '../messages/message-rules.js';
import type { Ticket } from './ticket.js';
import { OPEN_STAGES, TICKET_CHANNELS, TICKET_KINDS, TICKET_PRIORITIES, TICKET_STAGES } from './ticket-rules.js';
import type { InboxFilter } from './ticket-types.js';

const APPROVAL_STATES = ['none', 'pending', 'approved', 'rejected'];

function oneOf(values: readonly string[] | null | undefined, allowed: readonly string[], field: string): Checked<string[] | undefined> {
  if (!values?.length) return { ok: true, value: undefined };
  const wrong = values.filter((v) => !allowed.includes(v));
  if (wrong.length) return { ok: false, message: `${field}: unknown value ${wrong.join(', ')} (expected ${allowed.join(', ')})`, field };
  return { ok: true, value: [...values] };
}

/**
 * `%term%`. On PostgreSQL the term's own `%` and `_` are escaped (backslash is its default LIKE
 * escape); SQLite has no default escape character, so there they stay wildcards.
 */
export function likePattern(term: string, dialect: 'sqlite' | 'postgresql'): string {
  return `%${dialect === 'postgresql' ? term.replace(/[\\%_]/g, (c) => `\\${c}`) : term}%`;
}

/**
 * The support inbox's filter and search as a MikroORM query. Case-insensitive search on both
 * databases: ILIKE on PostgreSQL, LIKE (case-insensitive for ASCII) on SQLite.
 */
export function inboxWhere(filter: InboxFilter | null | undefined, search: string | null | undefined, dialect: 'sqlite' | 'postgresql'): Checked<FilterQuery<Ticket>> {
  const and: FilterQuery<Ticket>[] = [];
  const f = filter ?? {};
  const checks = [
    ['stage', oneOf(f.stages, TICKET_STAGES, 'filter.stages')],
    ['kind', oneOf(f.kinds, TICKET_KINDS, 'filter.kinds')],
    ['priority', oneOf(f.priorities, TICKET_PRIORITIES, 'filter.priorities')],
    ['approvalState', oneOf(f.approvalStates, APPROVAL_STATES, 'filter.approvalStates')],
  ] as const;
  for (const [property, check] of checks) {
    if (!check.ok) return check;
    if (check.value) and.push({ [property]: { $in: check.value } } as FilterQuery<Ticket>);
  }
  if (f.channel) {
    if (!(TICKET_CHANNELS as readonly string[]).includes(f.channel)) {
      return { ok: false, message: `filter.channel must be one of ${TICKET_CHANNELS.join(', ')}`, field: 'filter.channel' };
    }
    and.push({ channel: f.channel });
  }
  if (f.team) and.push({ team: f.team });
  if (f.unassigned) and.push({ assignee: null });
  else if (f.assignee) and.push({ assignee: f.assignee.trim().toLowerCase() });
  if (f.clientLabel) and.push({ clientLabel: f.clientLabel.trim().toUpperCase() });
  if (f.customerEmail) {
    const email = normalizeEmail(f.customerEmail);
    if (!email) return { ok: false, message: 'filter.customerEmail must be a valid e-mail address', field: 'filter.customerEmail' };
    and.push({ customerEmail: email });
  }
  if (f.openOnly) and.push({ stage: { $in: [...OPEN_STAGES] } });
  if (f.missingReporterEmail) and.push({ customerEmail: null, channel: { $ne: 'ops' } });
  const term = search?.trim();
  if (term) {
    if (term.length > 200) return { ok: false, message: 'search is longer than 200 characters', field: 'search' };
    const pattern = likePattern(term, dialect);
    const op = dialect === 'postgresql' ? '$ilike' : '$like';
    and.push({
      $or: [
        { reference: { [op]: pattern } },
        { subject: { [op]: pattern } },
        { customerEmail: { [op]: pattern } },
        { reporterName: { [op]: pattern } },
        { reporterCompany: { [op]: pattern } },
        { clientLabel: { [op]: pattern } },
      ],
    } as FilterQuery<Ticket>);
  }
  return { ok: true, value: and.length ? { $and: and } : {} };
}
