import { raw, type EntityManager } from '@mikro-orm/core';
import type { EventEmitter } from '@switchboard/kit';
import { executeRun } from '../sql.js';
import { consecutiveFailures } from './job-store.js';
import { shouldAnnounceFailing } from './job-rules.js';
import { SyncHealth } from './sync-health.js';

/** The ops-ticket source key: helpdesk keeps one ticket per subject. */
export const INVENTORY_SYNC_SOURCE = 'inventory-sync:odoo';

/** Payload of `commerce.sync.failing`. */
export interface SyncFailing {
  source: string;
  summary: string;
  consecutiveFailures: number;
  threshold: number;
  lastError: string;
  target: string;
}

/** Payload of `commerce.sync.recovered` (same subject: the ticket can be resolved). */
export interface SyncRecovered {
  source: string;
  summary: string;
  consecutiveFailures: number;
  target: string;
}

/**
 * Counts failed sync attempts in a row across every replica (a row per source, updated in the
 * attempt's own transaction) and announces the streak on the bus as it crosses the threshold.
 */
export class SyncHealthTracker {
  private rowReady = false;

  constructor(
    private readonly threshold: number,
    /** What is failing, for humans: "Odoo vendor API https://… (partner 7)". */
    private readonly target: string,
    private readonly source = INVENTORY_SYNC_SOURCE,
  ) {}

  async recordFailure(tx: { em: EntityManager; events: EventEmitter }, error: string): Promise<number> {
    const { em, events } = tx;
    if (!this.rowReady) {
      await executeRun(em, 'insert into inventory_sync_health (source, consecutive_failures) values (?, 0) on conflict (source) do nothing', [this.source]);
    }
    // The increment locks the row until commit, so each concurrent failure reads its own count.
    await em.nativeUpdate(SyncHealth, { source: this.source }, {
      consecutiveFailures: raw('consecutive_failures + 1'),
      lastError: error,
      lastFailureAt: new Date(),
    });
    const health = await em.findOneOrFail(SyncHealth, { source: this.source }, { refresh: true });
    this.rowReady = true;
    if (shouldAnnounceFailing(health.consecutiveFailures, this.threshold)) {
      events.emit<SyncFailing>('commerce.sync.failing', {
        source: this.source,
        summary: `Inventory sync to ${this.target} is failing: ${health.consecutiveFailures} attempts in a row failed; last error: ${error}`,
        consecutiveFailures: health.consecutiveFailures,
        threshold: this.threshold,
        lastError: error,
        target: this.target,
      }, { subject: this.source });
    }
    return health.consecutiveFailures;
  }

  async recordSuccess(tx: { em: EntityManager; events: EventEmitter }): Promise<void> {
    const { em, events } = tx;
    const streak = await consecutiveFailures(em, this.source);
    if (streak === 0) return; // the common case: one plain read, no write
    const reset = await em.nativeUpdate(SyncHealth, { source: this.source, consecutiveFailures: { $gt: 0 } }, {
      consecutiveFailures: 0,
      lastSuccessAt: new Date(),
    });
    if (reset > 0 && streak >= this.threshold) {
      events.emit<SyncRecovered>('commerce.sync.recovered', {
        source: this.source,
        summary: `Inventory sync to ${this.target} works again after ${streak} failed attempts`,
        consecutiveFailures: streak,
        target: this.target,
      }, { subject: this.source });
    }
  }
}
