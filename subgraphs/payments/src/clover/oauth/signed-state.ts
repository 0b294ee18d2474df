import { randomBytes } from 'node:crypto';
import { constantTimeEqual, hmacSha256 } from '@switchboard/kit';

/**
 * The OAuth `state` shared with the dispatcher (seed "Signed state format"):
 * `base64url(payload_json).base64url(hmac_sha256(secret, payload_b64u))`.
 */
export interface StatePayload {
  /** The customer callback the dispatcher redirects to. */
  redirect_to: string;
  /** 32 hex characters. */
  nonce: string;
  /** Issued at, unix seconds. */
  iat: number;
  /** Optional human label of the customer installation. */
  customer?: string;
  /** Our connection the authorization is for (ignored by the dispatcher). */
  connection?: string;
}

export type StateCheck =
  | { ok: true; payload: StatePayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'redirect_not_allowed'; message: string };

export function signState(payload: Omit<StatePayload, 'nonce' | 'iat'> & Partial<Pick<StatePayload, 'nonce' | 'iat'>>, secret: string, now = Date.now()): string {
  const full: StatePayload = { nonce: randomBytes(16).toString('hex'), iat: Math.floor(now / 1000), ...payload };
  const body = Buffer.from(JSON.stringify(full)).toString('base64url');
  return `${body}.${hmacSha256(secret, body).toString('base64url')}`;
}

/** Clock skew tolerated for an `iat` in the future. */
const FUTURE_SKEW_SECONDS = 300;

/**
 * Verifies signature (constant time), freshness and the redirect target. A forged, stale or
 * foreign-bound state is refused before anything else happens.
 */
export function verifyState(
  state: string | undefined,
  secret: string,
  options: { maxAgeSeconds: number; redirectAllowed: (url: URL) => boolean; now?: number },
): StateCheck {
  if (!state) return { ok: false, reason: 'malformed', message: 'state is missing' };
  const dot = state.indexOf('.');
  if (dot <= 0 || dot !== state.lastIndexOf('.')) return { ok: false, reason: 'malformed', message: 'state is not payload.signature' };
  const body = state.slice(0, dot);
  const signature = state.slice(dot + 1);
  if (!constantTimeEqual(signature, hmacSha256(secret, body).toString('base64url'))) {
    return { ok: false, reason: 'bad_signature', message: 'state signature does not verify' };
  }
  let payload: StatePayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as StatePayload;
  } catch {
    return { ok: false, reason: 'malformed', message: 'state payload is not JSON' };
  }
  if (!payload || typeof payload.redirect_to !== 'string' || typeof payload.iat !== 'number' || typeof payload.nonce !== 'string') {
    return { ok: false, reason: 'malformed', message: 'state payload lacks redirect_to, nonce or iat' };
  }
  const age = Math.floor((options.now ?? Date.now()) / 1000) - payload.iat;
  if (age > options.maxAgeSeconds || age < -FUTURE_SKEW_SECONDS) {
    return { ok: false, reason: 'expired', message: `state issued ${age} s ago; it is valid for ${options.maxAgeSeconds} s` };
  }
  let target: URL;
  try {
    target = new URL(payload.redirect_to);
  } catch {
    return { ok: false, reason: 'malformed', message: 'redirect_to is not a URL' };
  }
  if (!options.redirectAllowed(target)) {
    return { ok: false, reason: 'redirect_not_allowed', message: `redirect_to host ${target.host} is not allowed` };
  }
  return { ok: true, payload };
}
