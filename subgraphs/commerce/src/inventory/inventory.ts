import type { ServiceRuntime } from '@switchboard/kit';
import { loadInventoryConfig, type InventoryConfig } from './config.js';
import { OdooVendorClient } from './odoo/odoo-client.js';
import { SharedRateLimiter } from './odoo/rate-limiter.js';
import { SyncJobRunner } from './sync/job-runner.js';
import { SyncMaintenance } from './sync/maintenance.js';
import { SyncHealthTracker } from './sync/sync-health-tracker.js';
import type { SyncJob } from './sync/sync-job.js';
import { SyncQueue } from './sync/sync-queue.js';

/** Thrown when a sync is asked for while ODOO_API_BASE_URL is not set. */
export class SyncDisabledError extends Error {
  constructor() {
    super('Inventory sync to Odoo is not configured: set ODOO_API_BASE_URL, ODOO_API_TOKEN and ODOO_PARTNER_ID');
    this.name = 'SyncDisabledError';
  }
}

/** The inventory area's dependencies, built once per service from its environment. */
export interface Inventory {
  config: InventoryConfig;
  /** False when ODOO_API_BASE_URL is not set: triggers queue nothing, manual syncs are refused. */
  enabled: boolean;
  queue: SyncQueue;
  /** Present when enabled. */
  runner?: SyncJobRunner;
  maintenance: SyncMaintenance;
  /** Queue a FULL_SYNC (or join the one still waiting). */
  startFullSync(reference: string | null): Promise<{ job: SyncJob; coalesced: boolean }>;
}

export interface InventoryDeps {
  inventory: Inventory;
}

/** The rate-limiter row every replica shares. */
export const ODOO_RATE_LIMIT_KEY = 'odoo-vendor-api';

export function createInventory(runtime: ServiceRuntime): Inventory {
  const config = loadInventoryConfig(runtime.env);
  const queue = new SyncQueue(runtime.db.dialect, config);
  let runner: SyncJobRunner | undefined;
  if (config.odoo) {
    const limiter = new SharedRateLimiter(runtime.db, {
      key: ODOO_RATE_LIMIT_KEY,
      callsPerSecond: config.rateLimitPerSecond,
      guardMs: config.rateLimitGuardMs,
      leaseMs: config.odooTimeoutMs + 10_000,
      metrics: runtime.metrics,
      logger: runtime.logger,
    });
    const client = new OdooVendorClient(config.odoo, runtime.http, limiter, config.odooTimeoutMs, runtime.metrics);
    const health = new SyncHealthTracker(config.failingThreshold, `Odoo vendor API ${config.odoo.baseUrl} (partner ${config.odoo.partnerId})`);
    runner = new SyncJobRunner({ runtime, config, client, queue, health }, runtime.metrics);
  } else {
    runtime.logger.warn('ODOO_API_BASE_URL not set: inventory sync to Odoo is off');
  }
  if (config.apiKeys.length === 0) runtime.logger.warn('INVENTORY_API_KEYS not set: the /api/odoo/sync REST endpoints refuse every request');
  return {
    config,
    enabled: Boolean(config.odoo),
    queue,
    runner,
    maintenance: new SyncMaintenance(runtime, {
      logRetentionDays: config.logRetentionDays,
      keepCompletedJobs: config.keepCompletedJobs,
      keepFailedJobs: config.keepFailedJobs,
    }),
    async startFullSync(reference) {
      if (!config.odoo) throw new SyncDisabledError();
      return queue.queueFullSync(runtime, { trigger: 'MANUAL_FULL', reference });
    },
  };
}
