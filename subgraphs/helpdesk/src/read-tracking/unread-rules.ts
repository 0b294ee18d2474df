/** Read tracking rules (the seed's §1.7). Pure. */

/**
 * Who is reading. A client-app user is known by their deployment and e-mail (the same address on
 * two deployments reads separately); the magic-link page reads as the ticket's reporter; an agent
 * by the gateway identity's subject.
 */
export function userReader(clientLabel: string | null | undefined, email: string): string {
  return `user:${clientLabel ?? ''}:${email}`;
}

export function agentReader(sub: string): string {
  return `agent:${sub}`;
}

export interface UnreadCandidate {
  id: string;
  /** The newest message the reader is waiting for (support's for users, the customer's for agents). */
  lastRelevantMessageId?: number | null;
}

/** Whether a reader has something new on one ticket. */
export function hasUnread(lastRelevantMessageId: number | null | undefined, seen: number | undefined): boolean {
  return !!lastRelevantMessageId && lastRelevantMessageId > (seen ?? 0);
}

/** The badge: tickets with a relevant message newer than what the reader has seen. */
export function computeUnreadCount(tickets: readonly UnreadCandidate[], seenByTicket: ReadonlyMap<string, number>): number {
  return tickets.filter((t) => hasUnread(t.lastRelevantMessageId, seenByTicket.get(t.id))).length;
}
