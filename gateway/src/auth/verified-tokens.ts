import type { Identity } from '@switchboard/kit/edge';

export interface VerifiedTokenCacheOptions {
  /** How many tokens to remember; the oldest is forgotten first. */
  maxEntries?: number;
  /** A remembered token is verified again after this long (a revoked JWKS key stops working then). */
  maxAgeMs?: number;
  /** The same allowance for clock drift the verification itself grants on `exp`. */
  clockToleranceSeconds: number;
  now?: () => number;
}

export type CachedVerification = { identity: Identity } | { expired: true } | undefined;

/**
 * Tokens whose signature and claims were verified, with the identity they carry. A client sends
 * the same bearer token with every request; verifying its signature each time was the largest
 * share of the gateway's own per-request work after the subgraph calls. A token is remembered by
 * its exact bytes (the same bytes always verify the same way under the same keys), for at most
 * `maxAgeMs`, and `exp` is checked again on every use. Only successes are remembered, so a flood
 * of bad tokens can neither fill the cache nor be answered from it.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { identity: Identity; expSeconds: number; verifiedAt: number }>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly toleranceMs: number;
  private readonly now: () => number;

  constructor(options: VerifiedTokenCacheOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.toleranceMs = options.clockToleranceSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  get(token: string): CachedVerification {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const now = this.now();
    if (now > entry.expSeconds * 1000 + this.toleranceMs) {
      this.entries.delete(token);
      return { expired: true };
    }
    if (now - entry.verifiedAt > this.maxAgeMs) {
      this.entries.delete(token);
      return undefined;
    }
    // A copy: the identity travels into request contexts, and the cached one must stay as verified.
    return { identity: { ...entry.identity, roles: [...entry.identity.roles] } };
  }

  remember(token: string, identity: Identity, expSeconds: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { identity: { ...identity, roles: [...identity.roles] }, expSeconds, verifiedAt: this.now() });
  }
}
