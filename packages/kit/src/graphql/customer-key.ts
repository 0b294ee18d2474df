/**
 * The `Customer` entity key every subgraph shares: the e-mail address, trimmed and lower-cased
 * (DESIGN.md). Returns undefined for anything that is not a plausible address.
 */
export function normalizeEmail(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return undefined;
  return email;
}
