import { webcrypto } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { rejected, type AuthOutcome } from './outcome.js';
import { VerifiedTokenCache } from './verified-tokens.js';

export interface JwtOptions {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Remembering verified tokens (see VerifiedTokenCache); on unless `false`. */
  cache?: { maxEntries?: number; maxAgeMs?: number; now?: () => number } | false;
}

export type JwtVerifier = (token: string) => Promise<AuthOutcome>;

const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
];
/** Small allowance for clocks that drift between the issuer and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** Marks failures to obtain the key set, as opposed to a bad token. */
class SigningKeysUnavailable extends Error {}

/** The shape of a compact JWS: three base64url segments. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/** Returns undefined when neither JWT_SECRET nor JWT_JWKS_URL is configured. */
export function createJwtVerifier(options: JwtOptions): JwtVerifier | undefined {
  const { secret, jwksUrl, issuer, audience } = options;
  if (!secret && !jwksUrl) return undefined;
  // Imported once: given raw bytes, jose would import the HMAC key again on every verification.
  const secretKey = secret ? hmacVerificationKey(secret) : undefined;
  const jwksKeys = jwksUrl ? guardedJwks(new URL(jwksUrl)) : undefined;
  const verified = options.cache === false ? undefined : new VerifiedTokenCache({ ...options.cache, clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS });

  return async (token) => {
    const cached = verified?.get(token);
    if (cached) return 'expired' in cached ? rejected('token expired') : { ok: true, identity: cached.identity };
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return rejected('malformed token');
    }
    // The header picks the verification path, but each path only accepts its own algorithms,
    // so a token cannot make the gateway use the wrong kind of key.
    const symmetric = typeof alg === 'string' && alg.startsWith('HS');
    try {
      const common = { issuer, audience, clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['exp'] };
      let payload: JWTPayload;
      if (symmetric && secretKey) {
        ({ payload } = await jwtVerify(token, await secretKey, { ...common, algorithms: ['HS256'] }));
      } else if (!symmetric && jwksKeys) {
        ({ payload } = await jwtVerify(token, jwksKeys, { ...common, algorithms: ASYMMETRIC_ALGORITHMS }));
      } else {
        return rejected(`token algorithm ${alg ?? '(none)'} is not accepted`);
      }
      const outcome = identityFromClaims(payload);
      if (outcome.ok) verified?.remember(token, outcome.identity, payload.exp!);
      return outcome;
    } catch (error) {
      return describeFailure(error);
    }
  };
}

function hmacVerificationKey(secret: string): Promise<webcrypto.CryptoKey> {
  const key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  key.catch(() => undefined); // surfaced by the first verification that awaits it
  return key;
}

function guardedJwks(url: URL): JWTVerifyGetKey {
  const keys = createRemoteJWKSet(url, { timeoutDuration: 5_000 });
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
        throw error;
      }
      throw new SigningKeysUnavailable((error as Error).message, { cause: error });
    }
  };
}

function identityFromClaims(payload: JWTPayload): AuthOutcome {
  const { sub, email, roles } = payload as JWTPayload & { email?: unknown; roles?: unknown };
  if (typeof sub !== 'string' || sub === '') return rejected('token has no sub claim');
  if (email !== undefined && typeof email !== 'string') return rejected('token claim email must be a string');
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    return rejected('token claim roles must be an array of strings');
  }
  return {
    ok: true,
    identity: { sub, ...(email ? { email } : {}), roles: (roles as string[] | undefined) ?? [], via: 'jwt' },
  };
}

function describeFailure(error: unknown): AuthOutcome {
  if (error instanceof SigningKeysUnavailable) {
    return rejected('cannot verify token: signing keys are unavailable', 503);
  }
  if (error instanceof errors.JWTExpired) return rejected('token expired');
  if (error instanceof errors.JWSSignatureVerificationFailed) return rejected('invalid token signature');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return rejected(`token has no ${error.claim} claim`);
    if (error.claim === 'iss') return rejected('token issuer not accepted');
    if (error.claim === 'aud') return rejected('token audience not accepted');
    if (error.claim === 'nbf') return rejected('token not yet valid');
    return rejected(`invalid token claim ${error.claim}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return rejected('token algorithm is not accepted');
  if (error instanceof errors.JWKSNoMatchingKey) return rejected('no signing key matches the token');
  if (error instanceof errors.JWKSMultipleMatchingKeys) return rejected('token key id is ambiguous');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return rejected('malformed token');
  return rejected('invalid token');
}
