/**
 * The in-app inbox scope (the seed's §1.6, "the sharp edge"). A client app holds one API key for
 * its deployment, and that key could read every ticket of the deployment, so this is where the
 * boundary is drawn. Pure.
 */

/** Matches no label and no e-mail (labels are upper-case, addresses contain `@`): fails closed. */
export const NO_MATCH = '__none__';

export interface TicketScope {
  /** Always present: the deployment of the API key, or the sentinel. */
  clientLabel: string;
  /** Present unless an admin broadened to "all": the acting user's normalized e-mail, or the sentinel. */
  customerEmail?: string;
}

/**
 * The seed's `build_scope_domain(label, email, is_admin)`. The label is always ANDed in, so the
 * same address on two deployments never sees the other's tickets; a non-admin is also bound to
 * their own e-mail (case-insensitive exact: both sides are normalized to lower case).
 */
export function buildScope(label: string | null | undefined, email: string | null | undefined, broaden: boolean): TicketScope {
  const scope: TicketScope = { clientLabel: label || NO_MATCH };
  if (!broaden) scope.customerEmail = email?.trim().toLowerCase() || NO_MATCH;
  return scope;
}

export type InboxScope = 'mine' | 'all';

/** Whether a request for `requested` may be served, and with which breadth. */
export function resolveInboxScope(requested: InboxScope, isAdmin: boolean): { ok: true; broaden: boolean } | { ok: false; message: string } {
  if (requested === 'all' && !isAdmin) return { ok: false, message: 'scope=all is for the deployment\'s helpdesk admins; this user is not one' };
  return { ok: true, broaden: requested === 'all' };
}
