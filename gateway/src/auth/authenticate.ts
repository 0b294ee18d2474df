import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfig } from '../config.js';
import { createApiKeyVerifier } from './api-keys.js';
import { createJwtVerifier, looksLikeJwt } from './jwt.js';
import { rejected, type AuthOutcome } from './outcome.js';

export type Authenticator = (headers: IncomingHttpHeaders) => Promise<AuthOutcome>;

/**
 * Accepted credentials, in order:
 * - `X-Api-Key: <key>` (service accounts);
 * - `Authorization: Bearer <JWT>` (HS256 secret or JWKS);
 * - `Authorization: Bearer <key>` when the token is not shaped like a JWT (clients that can only
 *   send Bearer tokens).
 * Sending both headers is refused rather than guessing which one the caller meant.
 */
export function createAuthenticator(config: GatewayConfig): Authenticator {
  const verifyJwt = createJwtVerifier({
    secret: config.JWT_SECRET,
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const apiKeys = config.GATEWAY_API_KEYS?.length ? config.GATEWAY_API_KEYS : undefined;
  const verifyApiKey = apiKeys ? createApiKeyVerifier(apiKeys) : undefined;
  const checkApiKey = (key: string): AuthOutcome =>
    verifyApiKey ? verifyApiKey(key) : rejected('API key authentication is not configured');

  return async (headers) => {
    const authorization = single(headers.authorization);
    const apiKey = single(headers['x-api-key']);
    if (authorization !== undefined && apiKey !== undefined) {
      return rejected('send either Authorization or X-Api-Key, not both');
    }
    if (apiKey !== undefined) return checkApiKey(apiKey.trim());
    if (authorization === undefined || authorization.trim() === '') {
      return rejected('missing credentials: send Authorization: Bearer <token> or X-Api-Key: <key>');
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match?.[1]) return rejected('unsupported Authorization header: expected Bearer <token>');
    const token = match[1];
    if (looksLikeJwt(token)) {
      return verifyJwt ? verifyJwt(token) : rejected('JWT authentication is not configured');
    }
    return verifyApiKey ? verifyApiKey(token) : rejected('malformed token');
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
