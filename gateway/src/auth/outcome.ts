import type { Identity } from '@switchboard/kit/edge';

/**
 * Result of checking a request's credentials. `status` is 401 for anything the caller can fix
 * and 503 when the gateway itself cannot verify (JWKS endpoint unreachable).
 */
export type AuthOutcome =
  | { ok: true; identity: Identity }
  | { ok: false; status: 401 | 503; message: string };

export function rejected(message: string, status: 401 | 503 = 401): AuthOutcome {
  return { ok: false, status, message };
}
