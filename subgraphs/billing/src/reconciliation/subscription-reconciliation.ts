import type { EntityManager } from '@mikro-orm/core';
import type { Decimal, EventEmitter } from '@switchboard/kit';
import { loadPlanPricing } from '../catalog/plan-pricing.js';
import type { Progress } from '../importer/background-runs.js';
import { count, describeError, emptySummary, note, type RunSummary } from '../importer/run-summary.js';
import type { SourceDatabase } from '../importer/source-database.js';
import { readInvoicedByPeriod, readUsageByPeriod } from '../importer/source-reader.js';
import type { BillingInterval } from '../rating/periods.js';
import type { BillingService } from '../services/billing-service.js';
import { Dec, MONEY_SCALE, ZERO, fixed } from '../shared/decimal.js';
import { fromDbDate, sql } from '../shared/sql.js';
import { keyOf, loadItems, upsertItems, type ItemRow } from './item-store.js';
import { computeItem, decide, type ComputedItem, type OurSubscription, type SourceRow } from './period-amounts.js';
import { deltaSummary, isClosedPeriod, reconciliationSubject } from './reconciliation-rules.js';

type Transaction = <T>(work: (tx: { em: EntityManager; events: EventEmitter }) => Promise<T>) => Promise<T>;

export interface SubscriptionReconciliation {
  service: BillingService;
  /** Only this `YYYY-MM`. */
  period?: string | null;
  tolerance: Decimal;
  runId: string;
  now?: Date;
  /** Items written per transaction (each with the delta events it announces). */
  chunkSize?: number;
}

/** Payload of `billing.reconciliation.delta` (helpdesk opens one ops ticket per subject). */
export interface ReconciliationDeltaEvent {
  summary: string;
  itemId: number | null;
  runId: string;
  serviceCode: string;
  subscriptionExternalId: string;
  period: string;
  customerEmail: string | null;
  computedAmount: string;
  externalAmount: string;
  delta: string;
  currency: string;
}

/**
 * Reconcile one service's subscriptions period by period. The app's database aggregates its own
 * usage and invoices (a million usage rows become one row per subscription and month before they
 * leave it); Switchboard's side is computed with the rating functions, exact; the items that
 * changed are upserted in chunks, each chunk in one transaction with the
 * `billing.reconciliation.delta` events of its new deltas (outbox: announced once committed).
 */
export async function reconcileSubscriptions(
  db: { em(): EntityManager; dialect: 'sqlite' | 'postgresql' },
  transaction: Transaction,
  /** One session, or two so the app's database aggregates usage and invoices at the same time. */
  source: SourceDatabase | { usage: SourceDatabase; invoices: SourceDatabase },
  input: SubscriptionReconciliation,
  progress?: Progress,
): Promise<RunSummary> {
  const summary = emptySummary(false);
  const now = input.now ?? new Date();
  const started = Date.now();
  const sessions = 'usage' in source ? source : { usage: source, invoices: source };
  const [usageRows, invoicedRows] = await Promise.all([
    readUsageByPeriod(sessions.usage, input.period ?? undefined),
    readInvoicedByPeriod(sessions.invoices, input.period ?? undefined),
  ]);
  const readMs = Date.now() - started;

  // Merge both sides by (subscription, period); invoices without a subscription are one-offs.
  const rows = new Map<string, SourceRow>();
  const oneOffs = new Map<string, { invoices: number; amounts: Map<string, Decimal> }>();
  for (const r of invoicedRows) {
    const subscription = (r.subscription_external_id ?? '').trim();
    const currency = (r.currency ?? '').trim().toUpperCase();
    if (!subscription) {
      const entry = oneOffs.get(r.period) ?? { invoices: 0, amounts: new Map() };
      entry.invoices += Number(r.invoice_count);
      entry.amounts.set(currency, (entry.amounts.get(currency) ?? ZERO).plus(r.external_amount));
      oneOffs.set(r.period, entry);
      continue;
    }
    const key = keyOf(subscription, r.period);
    const row = rows.get(key);
    if (row) {
      row.external = row.external.plus(r.external_amount);
      row.currencies.add(currency);
      row.invoices += Number(r.invoice_count);
    } else {
      rows.set(key, { subscriptionExternalId: subscription, period: r.period, usage: ZERO, external: new Dec(r.external_amount), currencies: new Set([currency]), invoices: Number(r.invoice_count) });
    }
  }
  let openPeriodUsage = 0;
  for (const r of usageRows) {
    const subscription = (r.subscription_external_id ?? '').trim();
    if (!subscription) continue;
    const row = rows.get(keyOf(subscription, r.period));
    if (row) {
      row.usage = new Dec(r.cpu_seconds);
    } else if (isClosedPeriod(r.period, now)) {
      // Usage in a closed month the app never invoiced: Switchboard would have charged for it.
      rows.set(keyOf(subscription, r.period), { subscriptionExternalId: subscription, period: r.period, usage: new Dec(r.cpu_seconds), external: ZERO, currencies: new Set(), invoices: 0 });
    } else {
      openPeriodUsage++;
    }
  }
  for (const [period, entry] of [...oneOffs.entries()].sort()) {
    const amounts = [...entry.amounts.entries()].map(([currency, amount]) => `${fixed(amount, MONEY_SCALE)} ${currency}`).join(', ');
    note(summary, 'skipped', { kind: 'one-off invoices', id: period, reason: `${entry.invoices} invoice(s) without a subscription (${amounts}): not matched to any subscription` });
  }
  const ordered = [...rows.values()].sort((a, b) =>
    a.subscriptionExternalId < b.subscriptionExternalId ? -1 : a.subscriptionExternalId > b.subscriptionExternalId ? 1 : a.period < b.period ? -1 : a.period > b.period ? 1 : 0);
  progress?.setTotal(ordered.length);

  // Switchboard's side, loaded once: the service's subscriptions, their plans' pricing, the items so far.
  const em = db.em();
  const subscriptions = new Map<string, OurSubscription>();
  for (const s of await sql<{ id: string; external_id: string; customer_email: string; plan_id: number; billing_interval: BillingInterval; anchor_at: unknown }>(
    em, 'select id, external_id, customer_email, plan_id, billing_interval, anchor_at from billing_subscription where service_id = ?', [input.service.id],
  )) {
    subscriptions.set(s.external_id, { id: s.id, customerEmail: s.customer_email, planId: Number(s.plan_id), interval: s.billing_interval, anchorAt: fromDbDate(s.anchor_at) });
  }
  const pricing = await loadPlanPricing(em, [...new Set([...subscriptions.values()].map((s) => s.planId))]);
  const stored = await loadItems(em, input.service.id, input.period);
  const loadMs = Date.now() - started - readMs;

  const figures = { match: 0, delta: 0, resolved: 0, newDeltas: 0 };
  const chunkSize = input.chunkSize ?? 5_000;
  let computeMs = 0;
  let writeMs = 0;
  // Writes are pipelined: while the database stores one chunk, the next one is computed.
  let writing: Promise<void> = Promise.resolve();
  const write = (chunk: PendingWrite[]) => {
    const previous = writing;
    writing = (async () => {
      await previous;
      const t0 = Date.now();
      figures.newDeltas += await transaction((tx) => writeChunk(tx, db.dialect, input, chunk));
      writeMs += Date.now() - t0;
      progress?.advance(chunk.length);
    })();
    // A failed write is awaited (and thrown) below; don't let it surface as unhandled meanwhile.
    writing.catch(() => undefined);
  };
  let pending: PendingWrite[] = [];
  // Rows that need no write (unchanged, skipped, failed) count as processed as they pass.
  let settledSinceProgress = 0;
  let t = Date.now();
  for (const row of ordered) {
    try {
      const item = computeItem(row, subscriptions.get(row.subscriptionExternalId), pricing, input.tolerance);
      if ('skip' in item) {
        note(summary, 'skipped', { kind: 'subscription', id: row.subscriptionExternalId, reason: `${row.period}: ${item.skip}` });
        settledSinceProgress++;
      } else {
        const decision = decide(stored.get(keyOf(item.subscriptionExternalId, item.period)), item);
        figures[decision.status]++;
        count(summary[decision.change], 'items');
        if (decision.change !== 'unchanged') pending.push({ row: itemRow(input, item, decision.status, now, db.dialect === 'sqlite'), item, announce: decision.announce });
        else settledSinceProgress++;
      }
    } catch (error) {
      note(summary, 'failed', { kind: 'subscription', id: row.subscriptionExternalId, reason: `${row.period}: ${describeError(error)}` });
      settledSinceProgress++;
    }
    if (pending.length >= chunkSize) {
      computeMs += Date.now() - t;
      write(pending);
      pending = [];
      t = Date.now();
    }
    if (settledSinceProgress >= chunkSize) {
      progress?.advance(settledSinceProgress);
      settledSinceProgress = 0;
    }
  }
  computeMs += Date.now() - t;
  if (pending.length > 0) write(pending);
  await writing;
  progress?.advance(settledSinceProgress);
  summary.figures = {
    match: String(figures.match),
    delta: String(figures.delta),
    resolved: String(figures.resolved),
    newDeltas: String(figures.newDeltas),
    usageRowsInOpenPeriods: String(openPeriodUsage),
    // Where the time went (ms): the app's aggregates (read and merge), Switchboard's side loaded,
    // the computation and comparison, the writes (which overlap the computation).
    readMs: String(readMs),
    loadMs: String(loadMs),
    computeMs: String(computeMs),
    writeMs: String(writeMs),
  };
  return summary;
}

interface PendingWrite {
  row: ItemRow;
  item: ComputedItem;
  announce: boolean;
}

/** One chunk in one transaction: the items, then the events of its new deltas (outbox). */
async function writeChunk(tx: { em: EntityManager; events: EventEmitter }, dialect: 'sqlite' | 'postgresql', input: SubscriptionReconciliation, chunk: PendingWrite[]): Promise<number> {
  const ids = new Map<string, number>();
  for (let at = 0; at < chunk.length; at += 1_000) {
    for (const r of await upsertItems(tx.em, dialect, chunk.slice(at, at + 1_000).map((w) => w.row))) ids.set(keyOf(r.subscription_external_id, r.period), Number(r.id));
  }
  let announced = 0;
  for (const { item, announce } of chunk) {
    if (!announce) continue;
    announced++;
    tx.events.emit<ReconciliationDeltaEvent>('billing.reconciliation.delta', {
      summary: deltaSummary({ serviceName: input.service.name, ...item }),
      itemId: ids.get(keyOf(item.subscriptionExternalId, item.period)) ?? null,
      runId: input.runId,
      serviceCode: input.service.code,
      subscriptionExternalId: item.subscriptionExternalId,
      period: item.period,
      customerEmail: item.customerEmail,
      computedAmount: item.text.computed,
      externalAmount: item.text.external,
      delta: item.text.delta,
      currency: item.currency,
    }, { subject: reconciliationSubject(input.service.code, item.subscriptionExternalId, item.period) });
  }
  return announced;
}

function itemRow(input: SubscriptionReconciliation, item: ComputedItem, status: ItemRow['status'], now: Date, epochMs: boolean): ItemRow {
  const at = epochMs ? now.getTime() : now;
  return {
    service_id: input.service.id,
    subscription_external_id: item.subscriptionExternalId,
    period: item.period,
    subscription_id: item.subscriptionId,
    customer_email: item.customerEmail,
    currency: item.currency,
    usage_quantity: item.text.usage,
    flat_amount: item.text.flat,
    overage_amount: item.text.overage,
    computed_amount: item.text.computed,
    external_amount: item.text.external,
    delta: item.text.delta,
    external_invoice_count: item.invoices,
    status,
    last_run_id: input.runId,
    created_at: at,
    updated_at: at,
  };
}
