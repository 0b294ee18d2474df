import { escapeHtml } from '../shared/html.js';

/** Owner approval rules (seed §2.2). Pure. */

export type Decision = 'approve' | 'reject';
export const DECISIONS: readonly Decision[] = ['approve', 'reject'];
export const BULK_ENGAGEABLE_STATES: readonly string[] = ['none', 'rejected'];
export const DECISION_COMMENT_MAX = 2_000;

export interface EngageCandidate {
  reference: string;
  clientLabel?: string | null;
  approvalState: string;
}

export type RuleCheck = { ok: true; clientLabel: string } | { ok: false; message: string };

/**
 * Whether these tickets may be sent for approval together. One ticket may always be (re-)engaged;
 * a bulk request must stay within one deployment and only take tickets that have no pending or
 * approved round (the seed's hard errors, word for word where it gives them).
 */
export function checkEngagement(tickets: readonly EngageCandidate[]): RuleCheck {
  if (tickets.length === 0) return { ok: false, message: 'Select at least one ticket.' };
  const labels = new Set(tickets.map((t) => t.clientLabel ?? ''));
  if (labels.has('')) {
    const without = tickets.filter((t) => !t.clientLabel).map((t) => t.reference);
    return { ok: false, message: `Owner approval needs a client deployment; ${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} none.` };
  }
  if (labels.size > 1) return { ok: false, message: 'Cannot bulk-engage tickets across different deployments.' };
  if (tickets.length > 1) {
    const busy = tickets.filter((t) => !BULK_ENGAGEABLE_STATES.includes(t.approvalState)).length;
    if (busy > 0) {
      return { ok: false, message: `${busy} of the selected tickets already have a pending or approved engagement. Engage them individually.` };
    }
  }
  return { ok: true, clientLabel: [...labels][0]! };
}

export function ownerMissingMessage(label: string): string {
  return `Owner contact not configured for client ${label}. Ask them to fill it in under their helpdesk settings (owner e-mail and name).`;
}

/** One-way: only a pending round can be decided, and only once. */
export function nextApprovalState(state: string, decision: Decision): { ok: true; state: 'approved' | 'rejected' } | { ok: false } {
  if (state !== 'pending') return { ok: false };
  return { ok: true, state: decision === 'approve' ? 'approved' : 'rejected' };
}

/** Hours from request to decision, two decimals (the seed's stored `turnaround_hours`). */
export function turnaroundHours(requestedAt: Date, decidedAt: Date | null | undefined): number | null {
  if (!decidedAt) return null;
  return Math.round(((decidedAt.getTime() - requestedAt.getTime()) / 3_600_000) * 100) / 100;
}

/** The public message that records the decision in the thread (seed step 6). */
export function decisionMessageHtml(decision: Decision, ownerName: string | null | undefined, ownerEmail: string, comment?: string | null): string {
  const who = escapeHtml(ownerName?.trim() || ownerEmail);
  const head = decision === 'approve' ? `✓ Approved by ${who}` : `✗ Rejected by ${who}`;
  const note = comment?.trim() ? `<br><i>${escapeHtml(comment.trim()).replace(/\n/g, '<br>')}</i>` : '';
  return `<p>${head}${note}</p>`;
}

/** The pill agents see (seed step 7). */
export function approvalPill(state: string, ownerName: string | null | undefined): string | null {
  const name = ownerName?.trim() || 'the owner';
  switch (state) {
    case 'pending': return `⏳ Awaiting approval from ${name}`;
    case 'approved': return `✓ Approved by ${name}`;
    case 'rejected': return `✗ Rejected by ${name}`;
    default: return null;
  }
}

/** Single-shot reminder: pending, never reminded, sent at least `days` ago; 0 days disables. */
export function reminderDue(request: { state: string; requestedAt: Date; remindedAt?: Date | null }, now: Date, days: number): boolean {
  if (days <= 0 || request.state !== 'pending' || request.remindedAt) return false;
  return now.getTime() - request.requestedAt.getTime() >= days * 86_400_000;
}

/** The cut-off for a reminder scan: requests sent at or before this are due. */
export function reminderCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

export interface ReportRow {
  clientLabel: string;
  state: string;
  count: number;
  averageTurnaroundHours: number | null;
}

/** The seed's "Owner Engagements" pivot: label × state, count and average turnaround. */
export function approvalReport(requests: readonly { clientLabel: string; state: string; requestedAt: Date; decidedAt?: Date | null }[]): ReportRow[] {
  const groups = new Map<string, { clientLabel: string; state: string; count: number; hours: number[] }>();
  for (const r of requests) {
    const key = `${r.clientLabel}\u0000${r.state}`;
    const group = groups.get(key) ?? { clientLabel: r.clientLabel, state: r.state, count: 0, hours: [] };
    group.count++;
    const hours = turnaroundHours(r.requestedAt, r.decidedAt);
    if (hours !== null) group.hours.push(hours);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => a.clientLabel.localeCompare(b.clientLabel) || a.state.localeCompare(b.state))
    .map((g) => ({
      clientLabel: g.clientLabel,
      state: g.state,
      count: g.count,
      averageTurnaroundHours: g.hours.length ? Math.round((g.hours.reduce((s, h) => s + h, 0) / g.hours.length) * 100) / 100 : null,
    }));
}
