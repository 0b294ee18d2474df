import { randomUUID } from 'node:crypto';
import type { Database, Decimal, ServiceRuntime } from '@switchboard/kit';
import type { BackgroundRuns, RunTrigger } from '../importer/background-runs.js';
import type { Imports } from '../importer/imports.js';
import { Dec, RATE_SCALE, fixed } from '../shared/decimal.js';
import { InputError } from '../shared/validation.js';
import { reconcilePayments } from './payment-reconciliation.js';
import { isPeriodLabel } from './reconciliation-rules.js';
import { ReconciliationRun, type ReconciliationKind } from './reconciliation-run.js';
import { reconcileSubscriptions } from './subscription-reconciliation.js';

export interface StartReconciliation {
  kind: ReconciliationKind;
  /** Required for `subscriptions`; optional filter for `payments`. */
  serviceCode?: string | null;
  period?: string | null;
  tolerance?: Decimal | null;
  requestedBy: string;
  trigger: RunTrigger;
  scheduleSlot?: string;
}

/** Starts reconciliation runs (on demand from GraphQL, or from the schedule) in the background. */
export class Reconciliations {
  constructor(
    private readonly deps: {
      db: Database;
      transaction: ServiceRuntime['transaction'];
      runs: BackgroundRuns;
      imports: Imports;
      tolerance: Decimal;
      paymentWindowDays: number;
    },
  ) {}

  async start(request: StartReconciliation): Promise<ReconciliationRun> {
    const period = request.period?.trim() || null;
    if (period && !isPeriodLabel(period)) throw new InputError('period', 'must be YYYY-MM, e.g. 2026-05');
    const tolerance = request.tolerance ?? this.deps.tolerance;
    if (tolerance.isNegative() || tolerance.decimalPlaces() > RATE_SCALE) throw new InputError('tolerance', 'must be a non-negative decimal with at most 6 places');
    if (request.kind === 'subscriptions' && !request.serviceCode) throw new InputError('serviceCode', 'is required to reconcile subscriptions');
    const service = request.serviceCode ? await this.deps.imports.findService(request.serviceCode) : null;
    const em = this.deps.db.em();
    const now = new Date();
    const run = em.create(ReconciliationRun, {
      id: randomUUID(),
      kind: request.kind,
      serviceId: service?.id ?? null,
      serviceCode: service?.code ?? null,
      period,
      tolerance: fixed(tolerance, RATE_SCALE),
      trigger: request.trigger,
      requestedBy: request.requestedBy.slice(0, 200),
      scheduleSlot: request.scheduleSlot ?? null,
      startedAt: now,
      heartbeatAt: now,
    });
    // No source configured → a clear error now; an unreachable source → a failed run, with its error.
    if (request.kind === 'subscriptions') this.deps.imports.sourceConfig(service!.code);
    await em.flush();
    void this.deps.runs.launch(ReconciliationRun, run.id, async (progress) => {
      if (request.kind === 'payments') {
        return reconcilePayments(this.deps.db, { runId: run.id, serviceId: service?.id ?? null, windowDays: this.deps.paymentWindowDays, appliedBy: request.requestedBy }, progress);
      }
      // Two read-only sessions: the app's database aggregates usage and invoices in parallel.
      const usage = (await this.deps.imports.openSource(service!.code)).source;
      try {
        const invoices = (await this.deps.imports.openSource(service!.code)).source;
        try {
          return await reconcileSubscriptions(this.deps.db, this.deps.transaction, { usage, invoices }, { service: service!, period, tolerance: new Dec(tolerance), runId: run.id }, progress);
        } finally {
          await invoices.close();
        }
      } finally {
        await usage.close();
      }
    });
    return run;
  }
}
