/**
 * The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, trailing space
 * tolerated), or undefined for anything else: no header, another scheme, an empty token.
 */
export function bearerTokenOf(header: string | readonly string[] | undefined): string | undefined {
  const value = typeof header === 'string' ? header : header?.[0];
  return /^Bearer\s+(\S+)\s*$/i.exec(value ?? '')?.[1];
}
