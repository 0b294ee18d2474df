/**
 * The signed-in session: a bearer token the gateway accepts (a pasted JWT, an SSO token arriving
 * in the URL fragment, or the demo-mode dev sign-in). Kept in sessionStorage: it dies with the
 * tab, and nothing else on this origin is ours to read it.
 */
export interface Session {
  token: string;
  subject: string;
  email?: string;
  roles: string[];
  /** Epoch milliseconds; undefined when the token carries no `exp`. */
  expiresAt?: number;
}

const STORAGE_KEY = 'switchboard.console.token';
type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

/** Reads the claims of a JWT without verifying it: the gateway verifies, we only display. */
export function sessionFromToken(token: string): Session {
  const trimmed = token.trim().replace(/^Bearer\s+/i, '');
  const parts = trimmed.split('.');
  if (parts.length !== 3) throw new Error('That is not a JWT: expected three dot-separated parts.');
  let claims: Record<string, unknown>;
  try {
    const json = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1]!.length / 4) * 4, '='));
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    throw new Error('The token payload is not readable JSON.');
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    token: trimmed,
    subject: typeof claims.sub === 'string' ? claims.sub : 'unknown',
    email: typeof claims.email === 'string' ? claims.email : undefined,
    roles,
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
  };
}

export function isExpired(session: Session, now = Date.now()): boolean {
  return session.expiresAt !== undefined && session.expiresAt <= now;
}

export function hasRole(session: Session | null, ...roles: string[]): boolean {
  if (!session) return false;
  return session.roles.includes('admin') || roles.some((role) => session.roles.includes(role));
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return null;
  try {
    const session = sessionFromToken(token);
    return isExpired(session) ? null : session;
  } catch {
    return null;
  }
}

export function signIn(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, session.token);
  listeners.forEach((listener) => listener(session));
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  listeners.forEach((listener) => listener(null));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * SSO hand-off: an identity provider (or an auth proxy) may redirect to
 * `/console/#access_token=<jwt>`. The token is taken and the fragment wiped from history.
 */
export function takeTokenFromFragment(): string | undefined {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('access_token') ?? params.get('id_token');
  if (!token) return undefined;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token;
}
