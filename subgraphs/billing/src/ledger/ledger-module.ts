import type { EventHandler, Runnable, ServiceRuntime } from '@switchboard/kit';
import { BackgroundRuns } from '../importer/background-runs.js';
import { ImportRun } from '../importer/import-run.js';
import { Imports } from '../importer/imports.js';
import { RunColumns } from '../importer/run-columns.js';
import { SourceCustomer } from '../importer/source-customer.js';
import { paymentIntakeHandler } from '../payments-intake/payment-intake-handler.js';
import { PaymentMatch } from '../reconciliation/payment-match.js';
import { ReconciliationItem } from '../reconciliation/reconciliation-item.js';
import { ReconciliationRun } from '../reconciliation/reconciliation-run.js';
import { Reconciliations } from '../reconciliation/reconciliations.js';
import { LedgerScheduler } from '../reconciliation/scheduler.js';
import { billingInvoicesToLedger } from './billing-invoices.js';
import { JournalEntry } from './journal-entry.js';
import { JournalLine } from './journal-line.js';
import { loadLedgerConfig, type LedgerConfig } from './ledger-config.js';
import { LedgerAccount } from './ledger-account.js';
import { LedgerInvoice } from './ledger-invoice.js';
import { LedgerInvoiceLine } from './ledger-invoice-line.js';
import { LedgerPayment } from './ledger-payment.js';
import { RevenueFamilyRule } from './revenue-family-rule.js';

/**
 * The ledger, importer, reconciliation and payments-intake areas as one module: service.ts adds
 * its entities, resolvers, handlers and workers, and `withLedger` to its deps.
 */

export const LEDGER_ENTITIES = [
  LedgerAccount, JournalEntry, JournalLine, RevenueFamilyRule, LedgerInvoice, LedgerInvoiceLine, LedgerPayment,
  RunColumns, ImportRun, SourceCustomer, ReconciliationRun, ReconciliationItem, PaymentMatch,
];

export interface LedgerServices {
  config: LedgerConfig;
  runs: BackgroundRuns;
  imports: Imports;
  reconciliations: Reconciliations;
  scheduler: LedgerScheduler;
}

export interface LedgerDeps {
  ledger: LedgerServices;
}

/** Adds the ledger's services to a deps object built on the kit runtime (config errors name the variable). */
export function withLedger<D extends ServiceRuntime>(deps: D): D & LedgerDeps {
  const config = loadLedgerConfig(deps.env, deps.config.DATABASE_URL);
  const runs = new BackgroundRuns(deps.db, deps.logger);
  const imports = new Imports({ db: deps.db, runs, sources: config.sources, statementTimeoutMs: config.sourceStatementTimeoutMs, logger: deps.logger });
  const reconciliations = new Reconciliations({
    db: deps.db, transaction: deps.transaction, runs, imports, tolerance: config.tolerance, paymentWindowDays: config.paymentMatchWindowDays,
  });
  const scheduler = new LedgerScheduler({ db: deps.db, config, imports, reconciliations, logger: deps.logger });
  return Object.assign(deps, { ledger: { config, runs, imports, reconciliations, scheduler } });
}

/** The ledger's services from any deps object (resolvers receive the subgraph's deps). */
export function ledgerOf(deps: unknown): LedgerServices {
  const ledger = (deps as Partial<LedgerDeps> | undefined)?.ledger;
  if (!ledger) throw new Error('the ledger module is not wired: service.ts must wrap createDeps with withLedger');
  return ledger;
}

export function ledgerHandlers(): EventHandler[] {
  return [billingInvoicesToLedger, paymentIntakeHandler];
}

/** The scheduler starts after the server listens; background runs are stopped (between batches) first. */
export function ledgerWorkers(deps: unknown): Runnable[] {
  const { scheduler, runs } = ledgerOf(deps);
  return [runs, scheduler];
}
