/**
 * Benchmark: subscription reconciliation of an app's usage rows and invoices on PostgreSQL (the
 * app's database and billing's both PostgreSQL), at 10k / 100k / 1M usage rows with 1k / 10k /
 * 100k invoices. Target: the 1M / 100k run under 10 s on the 2-core dev machine.
 *
 *   pnpm exec tsx test/bench/billing-reconciliation.ts [--scales 10000,100000,1000000] [--json <file>]
 *
 * Each scale: a fresh app database filled with generate_series — one invoice of two items per
 * subscription-month, 10 usage rows per subscription-month, ~2% of invoices off by a few cents or
 * dollars; 100 subscriptions × 10 months at 10k usage rows, 1,000 × 10 at 100k, 1,000 × 100
 * months at 1M (the work is per subscription-month; the subscription count only sizes the
 * catalog import) — the catalog imported with the real importer, then reconciliation timed twice:
 * the first run writes every item, the second finds them all unchanged.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_ENTITIES, KIT_MIGRATIONS, createLogger, openDatabase, outboxEmitter, type Database } from '@switchboard/kit';
import { startPostgres } from '@switchboard/testkit';
import { parseArgs } from 'node:util';
import { billing } from '../../subgraphs/billing/src/service.js';
import { BillingService } from '../../subgraphs/billing/src/services/billing-service.js';
import { importCatalog } from '../../subgraphs/billing/src/importer/catalog-import.js';
import { SourceDatabase } from '../../subgraphs/billing/src/importer/source-database.js';
import { readCatalogRows, readInvoicedByPeriod, readUsageByPeriod } from '../../subgraphs/billing/src/importer/source-reader.js';
import { reconcileSubscriptions } from '../../subgraphs/billing/src/reconciliation/subscription-reconciliation.js';
import { Dec } from '../../subgraphs/billing/src/shared/decimal.js';
import { AppSource } from '../../subgraphs/billing/test/ledger/support/app-source.js';
import { JSON_OPTION, writeReport, type BenchRow, type BenchTarget } from './support/bench-report.js';

const USAGE_PER_MONTH = 10;
const MAX_SUBSCRIPTIONS = 1_000;
const { values } = parseArgs({ options: { scales: { type: 'string', default: '10000,100000,1000000' }, ...JSON_OPTION } });
const TARGET_SCALE = 1_000_000;
const TARGET_SECONDS = 10;
const scales = values.scales.split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 1_000);

async function fillSource(client: AppSource, usageRows: number): Promise<{ subscriptions: number; invoices: number; items: number }> {
  const invoices = usageRows / USAGE_PER_MONTH;
  const subscriptions = Math.min(MAX_SUBSCRIPTIONS, Math.max(1, Math.floor(invoices / 10)));
  const months = Math.floor(invoices / subscriptions);
  await client.query(`
    INSERT INTO plans (id, name, price_monthly, price_yearly, cpu_seconds_quota, is_active)
      SELECT 'p-' || p, 'Plan ' || p, 10 * p, 100 * p, 18000 * p, true FROM generate_series(1, 5) p;
    INSERT INTO users (id, email, full_name)
      SELECT 'u-' || s, 'user' || s || '@bench.test', 'User ' || s FROM generate_series(1, ${subscriptions}) s;
    INSERT INTO subscriptions (id, user_id, deployment_id, plan_id, status, billing_cycle, current_period_start, current_period_end)
      SELECT 's-' || s, 'u-' || s, 'd-' || s, 'p-' || (1 + s % 5), 'active', 'monthly', '2025-11-01', '2025-12-01' FROM generate_series(1, ${subscriptions}) s;
    -- 10 usage rows per subscription-month: 0.1 to 1.0 core-hours each (some months go over the quota).
    INSERT INTO usage_records (subscription_id, period_start, cpu_hours)
      SELECT 's-' || s, timestamp '2025-10-01' - make_interval(months => m) + make_interval(days => u), ((s + m * 7 + u * 3) % 10 + 1) / 10.0 * (1 + (s % 5))
        FROM generate_series(1, ${subscriptions}) s, generate_series(1, ${months}) m, generate_series(1, ${USAGE_PER_MONTH}) u;`);
  // The app's invoices: flat + the overage it computed (same rate), except ~2% that disagree.
  await client.query(`
    WITH usage AS (
      SELECT subscription_id, date_trunc('month', period_start) AS month, SUM(cpu_hours) * 3600 AS cpu_seconds FROM usage_records GROUP BY 1, 2
    ), amounts AS (
      SELECT u.subscription_id, u.month, p.price_monthly AS flat,
             round(GREATEST(u.cpu_seconds - p.cpu_seconds_quota, 0) / 3600 * 0.0075, 4) AS overage,
             row_number() OVER (ORDER BY u.subscription_id, u.month) AS n
        FROM usage u JOIN subscriptions s ON s.id = u.subscription_id JOIN plans p ON p.id = s.plan_id
    )
    INSERT INTO invoices (id, user_id, subscription_id, created_at, currency, status, subtotal, tax, amount_paid)
      SELECT 'inv-' || n, replace(subscription_id, 's-', 'u-'), subscription_id, month + interval '1 month', 'CAD', 'paid',
             flat + overage + CASE WHEN n % 50 = 0 THEN 5 WHEN n % 50 = 25 THEN 0.03 ELSE 0 END,
             round((flat + overage) * 0.13, 2), 0
        FROM amounts;
    INSERT INTO invoice_items (invoice_id, description, quantity, unit_price, amount, period_start)
      SELECT i.id, 'Hosting', 1, i.subtotal, i.subtotal, i.created_at - interval '1 month' FROM invoices i
      UNION ALL
      SELECT i.id, 'CPU overage', 1, 0, 0, i.created_at - interval '1 month' FROM invoices i;
    ANALYZE;`);
  const counts = await client.query<{ invoices: string; items: string }>('SELECT (SELECT count(*) FROM invoices)::text AS invoices, (SELECT count(*) FROM invoice_items)::text AS items');
  return { subscriptions, invoices: Number(counts.rows[0]!.invoices), items: Number(counts.rows[0]!.items) };
}

const seconds = (ms: number) => (ms / 1000).toFixed(2).padStart(7);

async function main() {
  const postgres = await startPostgres({ shared: false });
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const results: string[] = [];
  const rows: BenchRow[] = [];
  const targets: BenchTarget[] = [];
  try {
    for (const usageRows of scales) {
      let started = Date.now();
      const app = await AppSource.create(postgres, 'benchapp');
      const shape = await fillSource(app, usageRows);
      await app.close();
      const sourceUrl = app.url;
      const fillMs = Date.now() - started;

      const db: Database = await openDatabase({ url: await postgres.createDatabase('benchbilling'), entities: [...EVENT_ENTITIES, ...billing.entities], migrations: [...KIT_MIGRATIONS, ...billing.migrations], logger });
      const em = db.em();
      const service = em.create(BillingService, { id: randomUUID(), code: 'nexacloud', name: 'NexaCloud', apiKeyHash: 'b'.repeat(64), apiKeyPrefix: 'bench' });
      await em.flush();
      const source = await SourceDatabase.connect({ dsn: sourceUrl, label: 'nexacloud' });
      const source2 = await SourceDatabase.connect({ dsn: sourceUrl, label: 'nexacloud' });
      started = Date.now();
      const imported = await importCatalog(db, service, await readCatalogRows(source), { dryRun: false, currency: 'CAD', cpuPricePerCoreHour: new Dec('0.0075') });
      const importMs = Date.now() - started;
      if (imported.failed.length) throw new Error(`import failed: ${JSON.stringify(imported.failed.slice(0, 3))}`);

      started = Date.now();
      await Promise.all([readUsageByPeriod(source), readInvoicedByPeriod(source2)]);
      const aggregateMs = Date.now() - started;

      const transaction = <T>(work: (tx: { em: typeof em; events: ReturnType<typeof outboxEmitter> }) => Promise<T>) =>
        db.em().transactional((tx) => work({ em: tx, events: outboxEmitter(tx, 'billing') }));
      const timed = async () => {
        const t0 = Date.now();
        const summary = await reconcileSubscriptions(db, transaction, { usage: source, invoices: source2 }, { service, tolerance: new Dec('0.01'), runId: randomUUID() });
        return { ms: Date.now() - t0, summary };
      };
      const first = await timed();
      const second = await timed();
      await source.close();
      await source2.close();
      await db.close();

      const f = first.summary.figures;
      results.push([
        String(usageRows).padStart(9), String(shape.invoices).padStart(8), String(shape.subscriptions).padStart(6),
        String(first.summary.created['items'] ?? 0).padStart(7), `${f['match']}/${f['delta']}`.padStart(12), String(f['newDeltas']).padStart(6),
        seconds(aggregateMs), seconds(first.ms), seconds(second.ms), seconds(fillMs), seconds(importMs),
      ].join(' │ '));
      rows.push({
        label: `${usageRows} usage rows, ${shape.invoices} invoices`,
        usageRows,
        invoices: shape.invoices,
        firstRunSeconds: first.ms / 1000,
        rerunSeconds: second.ms / 1000,
        sourceAggregateSeconds: aggregateMs / 1000,
        importSeconds: importMs / 1000,
      });
      if (usageRows === TARGET_SCALE) {
        targets.push({
          label: `reconciliation of 1,000,000 usage rows / ${shape.invoices.toLocaleString('en-US')} invoices < ${TARGET_SECONDS} s`,
          met: first.ms < TARGET_SECONDS * 1000,
          detail: `first run ${(first.ms / 1000).toFixed(2)} s, re-run ${(second.ms / 1000).toFixed(2)} s`,
        });
      }
      console.log(`scale ${usageRows} done: first run ${seconds(first.ms)} s (read ${f['readMs']} ms, compute ${f['computeMs']} ms, write ${f['writeMs']} ms), `
        + `re-run ${seconds(second.ms)} s (read ${second.summary.figures['readMs']} ms, compute ${second.summary.figures['computeMs']} ms, write ${second.summary.figures['writeMs']} ms)`);
    }
  } finally {
    await postgres.stop();
  }
  console.log('\nSubscription reconciliation on PostgreSQL (app DB and billing DB), wall-clock seconds:');
  console.log(['usage rows', 'invoices', ' subs', '  items', 'match/delta', 'events', 'source Σ', '1st run', 're-run', '  setup', ' import'].join(' │ '));
  for (const line of results) console.log(line);
  console.log('\nsource Σ = the two aggregate queries alone (part of each run). 1st run writes every item and the');
  console.log('delta events; re-run compares and writes nothing. Target: 1st run at 1,000,000 usage rows / 100,000 invoices < 10 s.');
  writeReport(values.json, { name: 'billing-reconciliation', rows, targets });
}

await main();
