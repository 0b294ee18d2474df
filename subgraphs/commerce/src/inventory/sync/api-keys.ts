import { bearerTokenOf, constantTimeEqual, sha256Hex } from '@switchboard/kit';

/**
 * Checks `Authorization: Bearer <token>` against the configured SHA-256 digests; returns the key's
 * name, or why it is refused. Every entry is compared so the time taken does not tell which matched.
 */
export function verifyBearer(header: string | undefined, keys: readonly { name: string; sha256: string }[]): { name: string } | { refused: string } {
  const token = bearerTokenOf(header);
  if (!token) return { refused: 'Authentication required: send Authorization: Bearer <token>' };
  const digest = sha256Hex(token);
  let match: string | undefined;
  for (const key of keys) {
    if (constantTimeEqual(digest, key.sha256) && match === undefined) match = key.name;
  }
  return match === undefined ? { refused: 'Invalid token' } : { name: match };
}
