import type { EntityManager } from '@mikro-orm/core';
import { ACCESS_TOKEN_PATTERN, hashToken, newAccessToken } from '../shared/tokens.js';
import { Ticket } from '../tickets/ticket.js';
import { AccessLink } from './access-link.js';

/** Issue a new link to a ticket's page (in the caller's transaction); returns the token, shown once. */
export function issueAccessLink(em: EntityManager, ticketId: string, purpose: string): string {
  const token = newAccessToken();
  em.persist(em.create(AccessLink, { ticketId, tokenHash: hashToken(token), purpose, createdAt: new Date() }));
  return token;
}

/** The ticket a token opens, or null for anything unknown, malformed or revoked. */
export async function resolveAccessLink(em: EntityManager, token: string): Promise<{ link: AccessLink; ticket: Ticket } | null> {
  if (!ACCESS_TOKEN_PATTERN.test(token)) return null;
  const link = await em.findOne(AccessLink, { tokenHash: hashToken(token) });
  if (!link || link.revokedAt) return null;
  const ticket = await em.findOne(Ticket, { id: link.ticketId });
  return ticket ? { link, ticket } : null;
}

/** Kill every live link of a ticket (rotation): the old links fail from this commit on. */
export async function revokeAccessLinks(em: EntityManager, ticketId: string): Promise<number> {
  return em.nativeUpdate(AccessLink, { ticketId, revokedAt: null }, { revokedAt: new Date() });
}

export function ticketPageUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/helpdesk/ticket/${token}`;
}
