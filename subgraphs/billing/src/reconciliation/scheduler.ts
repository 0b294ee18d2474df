import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Database, Runnable } from '@switchboard/kit';
import { Cron } from 'croner';
import type { ServiceRuntime } from '@switchboard/kit';
type Logger = ServiceRuntime['logger'];
import { failStaleRuns } from '../importer/background-runs.js';
import { ImportRun } from '../importer/import-run.js';
import type { Imports } from '../importer/imports.js';
import type { LedgerConfig } from '../ledger/ledger-config.js';
import { BillingService } from '../services/billing-service.js';
import type { Reconciliations } from './reconciliations.js';
import { ReconciliationRun } from './reconciliation-run.js';

/**
 * The schedules (UTC cron): ingest each configured app's invoices (`BILLING_LEDGER_INGEST_CRON`)
 * and reconcile its subscriptions, then payments ↔ invoices (`BILLING_RECONCILIATION_CRON`).
 * Every replica runs the timers; each firing is a slot that only one replica can claim (a unique
 * key on the run), so a run happens once however many replicas there are.
 */
export class LedgerScheduler implements Runnable {
  readonly name = 'billing-ledger-schedule';
  private jobs: Cron[] = [];

  constructor(
    private readonly deps: { db: Database; config: LedgerConfig; imports: Imports; reconciliations: Reconciliations; logger: Logger },
  ) {}

  async start(): Promise<void> {
    const stale = (await failStaleRuns(this.deps.db, ImportRun)) + (await failStaleRuns(this.deps.db, ReconciliationRun));
    if (stale > 0) this.deps.logger.warn({ stale }, 'runs interrupted by a stopped process marked failed');
    const { ingestCron, reconciliationCron } = this.deps.config;
    if (ingestCron) this.jobs.push(new Cron(ingestCron, { timezone: 'UTC', protect: true }, () => this.fire('ingest')));
    if (reconciliationCron) this.jobs.push(new Cron(reconciliationCron, { timezone: 'UTC', protect: true }, () => this.fire('reconcile')));
  }

  async stop(): Promise<void> {
    for (const job of this.jobs.splice(0)) job.stop();
  }

  /** One firing: for every configured source, claim the slot and start the run. */
  async fire(what: 'ingest' | 'reconcile', at = new Date()): Promise<void> {
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
    const services = await this.servicesWithSources();
    for (const service of services) {
      if (what === 'ingest') {
        await this.claim(() => this.deps.imports.start({
          serviceCode: service.code, kind: 'invoices', dryRun: false, post: this.deps.config.ingestAutoPost,
          requestedBy: 'schedule', trigger: 'schedule', scheduleSlot: `invoices:${service.code}:${minute}`,
        }), service.code);
      } else {
        await this.claim(() => this.deps.reconciliations.start({
          kind: 'subscriptions', serviceCode: service.code, requestedBy: 'schedule', trigger: 'schedule', scheduleSlot: `subscriptions:${service.code}:${minute}`,
        }), service.code);
      }
    }
    if (what === 'reconcile') {
      await this.claim(() => this.deps.reconciliations.start({
        kind: 'payments', requestedBy: 'schedule', trigger: 'schedule', scheduleSlot: `payments:all:${minute}`,
      }), 'all');
    }
  }

  private async servicesWithSources(): Promise<BillingService[]> {
    const services = await this.deps.db.em().find(BillingService, { active: true });
    const configured = new Set(this.deps.config.sources.keys());
    const unknown = [...configured].filter((key) => !services.some((s) => s.code.replace(/-/g, '_') === key));
    if (unknown.length > 0) this.deps.logger.warn({ sources: unknown }, 'source databases configured for services that are not registered');
    return services.filter((s) => configured.has(s.code.replace(/-/g, '_')));
  }

  private async claim(start: () => Promise<unknown>, service: string): Promise<void> {
    try {
      await start();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return; // another replica has this slot
      this.deps.logger.error({ err: error, service }, 'scheduled ledger run could not start');
    }
  }
}
