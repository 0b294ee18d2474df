import { randomUUID } from 'node:crypto';
import type { Database } from '@switchboard/kit';
import type { ServiceRuntime } from '@switchboard/kit';
type Logger = ServiceRuntime['logger'];
import { BillingService } from '../services/billing-service.js';
import { NotFoundError } from '../shared/validation.js';
import type { BackgroundRuns, Progress, RunTrigger } from './background-runs.js';
import { importCatalog } from './catalog-import.js';
import { ImportRun, type ImportKind } from './import-run.js';
import { ingestInvoices, postIngestedDrafts } from './invoice-ingest.js';
import { sourceFor, type SourceConfig } from './source-config.js';
import { ownServerIdentity, SourceDatabase, type ServerIdentity } from './source-database.js';
import { readCatalogRows, readInvoicePages } from './source-reader.js';

export interface StartImport {
  serviceCode: string;
  kind: ImportKind;
  dryRun: boolean;
  /** invoices: post clean invoices right away. */
  post?: boolean;
  /** invoices: only those created since. */
  since?: Date | null;
  requestedBy: string;
  trigger: RunTrigger;
  /** Scheduled runs: one replica claims each slot. */
  scheduleSlot?: string;
}

/**
 * Starts importer runs: resolves the service and its source, records the run, and does the work
 * in the background (the caller follows the run's progress). The source is read before anything
 * is written, through a read-only session.
 */
export class Imports {
  private ownIdentity?: Promise<ServerIdentity | undefined>;

  constructor(
    private readonly deps: {
      db: Database;
      runs: BackgroundRuns;
      sources: ReadonlyMap<string, SourceConfig>;
      statementTimeoutMs: number;
      logger: Logger;
    },
  ) {}

  /** Billing's own database identity (PostgreSQL only), so a DSN reaching it is refused after connecting. */
  private identity(): Promise<ServerIdentity | undefined> {
    this.ownIdentity ??= this.deps.db.dialect === 'postgresql'
      ? ownServerIdentity((sql) => this.deps.db.em().getConnection().execute(sql)).catch(() => undefined)
      : Promise.resolve(undefined);
    return this.ownIdentity;
  }

  sourceConfig(serviceCode: string): SourceConfig {
    return sourceFor(this.deps.sources, serviceCode);
  }

  /** Open the service's source read-only (the DSN guard applies at configuration and again here). */
  async openSource(serviceCode: string): Promise<{ source: SourceDatabase; config: SourceConfig }> {
    const config = sourceFor(this.deps.sources, serviceCode);
    const source = await SourceDatabase.connect({
      dsn: config.dsn,
      ownIdentity: await this.identity(),
      statementTimeoutMs: this.deps.statementTimeoutMs,
      label: serviceCode,
    });
    return { source, config };
  }

  async findService(serviceCode: string): Promise<BillingService> {
    const service = await this.deps.db.em().findOne(BillingService, { code: serviceCode.trim().toLowerCase() });
    if (!service) throw new NotFoundError(`no billing service "${serviceCode}": register the app first`);
    return service;
  }

  /** Record the run and start it; resolves with the run row (status `running`). */
  async start(request: StartImport): Promise<ImportRun> {
    const service = await this.findService(request.serviceCode);
    sourceFor(this.deps.sources, service.code); // no source → a clear error now, not a failed run
    const em = this.deps.db.em();
    const now = new Date();
    const run = em.create(ImportRun, {
      id: randomUUID(),
      serviceId: service.id,
      serviceCode: service.code,
      kind: request.kind,
      dryRun: request.dryRun,
      options: JSON.stringify({ post: request.post ?? false, since: request.since?.toISOString() ?? null }),
      trigger: request.trigger,
      requestedBy: request.requestedBy.slice(0, 200),
      scheduleSlot: request.scheduleSlot ?? null,
      startedAt: now,
      heartbeatAt: now,
    });
    await em.flush();
    void this.deps.runs.launch(ImportRun, run.id, (progress) => this.execute(service, request, progress));
    return run;
  }

  private async execute(service: BillingService, request: StartImport, progress: Progress) {
    if (request.kind === 'post') {
      const config = sourceFor(this.deps.sources, service.code);
      return postIngestedDrafts(this.deps.db, service, { dryRun: request.dryRun, paymentChannel: config.paymentChannel, postedBy: request.requestedBy }, progress);
    }
    const { source, config } = await this.openSource(service.code);
    try {
      if (request.kind === 'catalog') {
        const rows = await readCatalogRows(source);
        return await importCatalog(this.deps.db, service, rows, { dryRun: request.dryRun, currency: config.currency, cpuPricePerCoreHour: config.cpuPricePerCoreHour }, progress);
      }
      const total = await source.query<{ count: string }>('invoices', 'SELECT COUNT(*)::text AS count FROM invoices WHERE $1::timestamptz IS NULL OR created_at >= $1::timestamptz', [request.since ?? null]);
      progress.setTotal(Number(total[0]?.count ?? 0));
      return await ingestInvoices(this.deps.db, service, readInvoicePages(source, { since: request.since ?? undefined }), {
        dryRun: request.dryRun,
        post: request.post ?? false,
        paymentChannel: config.paymentChannel,
        postedBy: request.requestedBy,
      }, progress);
    } finally {
      await source.close();
    }
  }
}
