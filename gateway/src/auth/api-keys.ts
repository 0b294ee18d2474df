import { constantTimeEqual, sha256Hex } from '@switchboard/kit/edge';
import type { ApiKeyEntry } from '../config.js';
import { rejected, type AuthOutcome } from './outcome.js';

/** Verifies a presented API key against the configured SHA-256 digests. */
export function createApiKeyVerifier(entries: readonly ApiKeyEntry[]): (key: string) => AuthOutcome {
  return (key) => {
    const digest = sha256Hex(key);
    let match: ApiKeyEntry | undefined;
    // Compare against every entry so the time taken does not reveal which one matched.
    for (const entry of entries) {
      if (constantTimeEqual(digest, entry.sha256) && !match) match = entry;
    }
    if (!match) return rejected('invalid API key');
    return {
      ok: true,
      identity: { sub: `api-key:${match.name}`, roles: [...match.roles], via: 'api-key' },
    };
  };
}
