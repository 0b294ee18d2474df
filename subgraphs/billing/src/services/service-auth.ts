import { constantTimeEqual, type Database } from '@switchboard/kit';
import { hashApiKey } from './api-keys.js';
import { BillingService } from './billing-service.js';

/**
 * Finds the service of an API key by the key's SHA-256 (the only form stored). Hits are cached
 * briefly so a busy ingestion does not look the key up on every request; a rotation here clears
 * the cache at once, other replicas drop the old key within `cacheMs`.
 */
export class ServiceAuthenticator {
  private readonly cache = new Map<string, { service: BillingService; until: number }>();

  constructor(private readonly db: Database, private readonly cacheMs: number) {}

  async authenticate(key: string | undefined): Promise<BillingService | undefined> {
    if (!key) return undefined;
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.service;
    const service = await this.db.em().findOne(BillingService, { apiKeyHash: hash });
    if (!service || !service.active || !constantTimeEqual(service.apiKeyHash, hash)) {
      this.cache.delete(hash);
      return undefined;
    }
    if (this.cacheMs > 0) {
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(hash, { service, until: Date.now() + this.cacheMs });
    }
    return service;
  }

  /** After a rotation, deactivation or webhook change on this replica. */
  forget(serviceId: string): void {
    for (const [hash, entry] of this.cache) if (entry.service.id === serviceId) this.cache.delete(hash);
  }
}
