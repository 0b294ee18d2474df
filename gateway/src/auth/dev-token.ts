import { SignJWT } from 'jose';

/**
 * HS256 token for local use (the launcher prints one). Pass the issuer/audience when the gateway
 * is configured with JWT_ISSUER / JWT_AUDIENCE, or it will refuse the token.
 */
export async function issueDevToken(
  secret: string,
  claims: { sub: string; email?: string; roles: string[] },
  ttlSeconds = 3600,
  options: { issuer?: string; audience?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ ...(claims.email ? { email: claims.email } : {}), roles: claims.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
