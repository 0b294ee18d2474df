import { hmacSha256, constantTimeEqual } from './hmac.js';

/** Roles that gate fields and mutations in the subgraphs. `admin` implies every other role. */
export const ROLES = ['admin', 'ops', 'finance', 'support'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established by the gateway. */
export interface Identity {
  sub: string;
  email?: string;
  roles: string[];
  /** How the gateway authenticated the caller. */
  via: 'jwt' | 'api-key';
}

export const IDENTITY_HEADER = 'x-switchboard-identity';
/** Signed identities older than this are refused (clock skew plus request time). */
const MAX_AGE_SECONDS = 300;

interface SignedPayload extends Identity {
  iat: number;
}

/**
 * Header value: `base64url(json).base64url(hmac_sha256(secret, base64url(json)))`.
 * Only the gateway and the subgraphs hold the secret.
 */
export function signIdentity(identity: Identity, secret: string, now = Date.now()): string {
  const payload: SignedPayload = { ...identity, iat: Math.floor(now / 1000) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${hmacSha256(secret, body).toString('base64url')}`;
}

export type IdentityCheck =
  | { ok: true; identity: Identity }
  | { ok: false; reason: string };

export function verifyIdentity(
  header: string | undefined,
  secret: string,
  now = Date.now(),
): IdentityCheck {
  if (!header) return { ok: false, reason: 'missing gateway identity signature' };
  const dot = header.indexOf('.');
  if (dot <= 0) return { ok: false, reason: 'malformed gateway identity signature' };
  const body = header.slice(0, dot);
  const signature = header.slice(dot + 1);
  const expected = hmacSha256(secret, body).toString('base64url');
  if (!constantTimeEqual(signature, expected)) {
    return { ok: false, reason: 'invalid gateway identity signature' };
  }
  let payload: SignedPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignedPayload;
  } catch {
    return { ok: false, reason: 'malformed gateway identity payload' };
  }
  const age = Math.floor(now / 1000) - payload.iat;
  if (!Number.isFinite(age) || age > MAX_AGE_SECONDS || age < -MAX_AGE_SECONDS) {
    return { ok: false, reason: 'expired gateway identity signature' };
  }
  const { iat: _iat, ...identity } = payload;
  return { ok: true, identity: { ...identity, roles: Array.isArray(identity.roles) ? identity.roles : [] } };
}

export function hasRole(identity: Identity | undefined, roles: readonly string[]): boolean {
  if (!identity) return false;
  if (identity.roles.includes('admin')) return true;
  return roles.length === 0 || roles.some((r) => identity.roles.includes(r));
}
