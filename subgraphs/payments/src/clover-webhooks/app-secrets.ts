import type { Database, Logger } from '@switchboard/kit';
import { CloverConnection } from '../clover/index.js';
import type { WebhookPayload } from './webhook-payload.js';

interface SecretOpener {
  open(connectionId: string, field: 'app_secret', sealed: string): string;
}

interface Snapshot {
  byApp: Map<string, string[]>;
  appOfMerchant: Map<string, string>;
  loadedAt: number;
}

/** A miss (unknown app or merchant) re-reads the connections at most this often. */
const MISS_RELOAD_MS = 1_000;

/**
 * Which app secrets may have signed a webhook: the configured ones (`CLOVER_WEBHOOK_APP_SECRET`,
 * the seed's provider field), plus the secret of every connection of the app the firehose names
 * (`appId`) or of the merchants it names. Connection secrets are opened once and cached, so the
 * webhook path touches the database only when the cache is stale or misses.
 */
export class AppSecrets {
  private snapshot: Snapshot = { byApp: new Map(), appOfMerchant: new Map(), loadedAt: 0 };
  private loading?: Promise<void>;

  constructor(
    private readonly deps: { configured: readonly string[]; db: Database; secrets: SecretOpener; cacheMs: number; logger: Logger },
  ) {}

  async forPayload(payload: WebhookPayload): Promise<string[]> {
    const now = Date.now();
    if (now - this.snapshot.loadedAt > this.deps.cacheMs) await this.reload();
    let found = this.lookup(payload);
    if (found.length === 0 && now - this.snapshot.loadedAt > MISS_RELOAD_MS) {
      await this.reload();
      found = this.lookup(payload);
    }
    return [...new Set([...this.deps.configured, ...found])];
  }

  /** Forget the cache (a connection's app secret changed). */
  invalidate(): void {
    this.snapshot = { ...this.snapshot, loadedAt: 0 };
  }

  private lookup(payload: WebhookPayload): string[] {
    const { byApp, appOfMerchant } = this.snapshot;
    if (payload.appId) return byApp.get(payload.appId) ?? [];
    const apps = new Set(payload.merchantIds.map((m) => appOfMerchant.get(m)).filter((app): app is string => !!app));
    return [...apps].flatMap((app) => byApp.get(app) ?? []);
  }

  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const rows = await this.deps.db.em().find(CloverConnection, {}, { fields: ['id', 'appId', 'merchantId', 'appSecretSealed'] });
    const byApp = new Map<string, string[]>();
    const appOfMerchant = new Map<string, string>();
    for (const row of rows) {
      try {
        const secret = this.deps.secrets.open(row.id, 'app_secret', row.appSecretSealed);
        byApp.set(row.appId, [...new Set([...(byApp.get(row.appId) ?? []), secret])]);
        if (row.merchantId) appOfMerchant.set(row.merchantId, row.appId);
      } catch (error) {
        this.deps.logger.warn({ connectionId: row.id, err: (error as Error).message }, 'clover webhook: a connection app secret does not open');
      }
    }
    this.snapshot = { byApp, appOfMerchant, loadedAt: Date.now() };
  }
}
