import type { Runnable } from '@switchboard/kit';
import { EVENTS_REQUEUED, type ProcessingRequest } from './event-processor.js';
import { PrestashopEvent } from './prestashop-event.js';
import type { PrestashopDeps } from './prestashop-deps.js';
import { ProcessingLog } from './processing-log.js';

const CHUNK = 200;

/**
 * Hands events that stayed `pending` longer than PRESTASHOP_REQUEUE_AFTER_MS to processing again.
 * With NATS the bus redelivers by itself; this covers what a bus cannot: the in-process bus
 * restarting with requests still queued, or a request parked as a dead letter. Processing takes
 * only pending events (locked on PostgreSQL), so a request that arrives twice applies once.
 */
export class StaleEventRequeue implements Runnable {
  readonly name = 'prestashop-stale-event-requeue';
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(private readonly deps: PrestashopDeps) {}

  async start(): Promise<void> {
    const every = Math.min(this.deps.config.requeueAfterMs, 60_000);
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweep().catch((error) => this.deps.runtime.logger.warn({ err: error }, 'stale PrestaShop event sweep failed')).finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many events were requeued. */
  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.deps.config.requeueAfterMs);
    let total = 0;
    for (;;) {
      const requeued = await this.deps.runtime.transaction(async ({ em, events }) => {
        const rows = await em.find(
          PrestashopEvent,
          { status: 'pending', queuedAt: { $lt: cutoff } },
          { orderBy: { sourceEventId: 'asc' }, limit: CHUNK },
        );
        if (rows.length === 0) return 0;
        for (const row of rows) row.queuedAt = now;
        const sourceEventIds = rows.map((row) => row.sourceEventId);
        events.emit<ProcessingRequest>(EVENTS_REQUEUED, { sourceEventIds, reason: 'stale' });
        new ProcessingLog(em, this.deps.config.logLevel).write('WARNING', `Requeued ${rows.length} event(s) pending since before ${cutoff.toISOString()}`, {
          sourceEventIds,
        });
        return rows.length;
      });
      total += requeued;
      if (requeued < CHUNK) return total;
    }
  }
}
