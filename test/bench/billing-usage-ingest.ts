/**
 * Usage ingestion through the billing REST API, batched: `POST /api/billing/v1/usage` with 1,000
 * records per request, a few requests in flight, on SQLite and on PostgreSQL. Target: ≥ 20,000
 * records/s on the 2-core machine. Prints records/s and request latencies per database.
 *
 *   pnpm exec tsx test/bench/billing-usage-ingest.ts [--records 200000] [--batch 1000] [--concurrency 4] [--subscriptions 100] [--db sqlite,postgres] [--json <file>]
 *
 * The billing subgraph runs in this process; the load generator (billing-usage-load.mjs) runs in a
 * worker thread, as an app would run elsewhere, and builds its request bodies before the clock
 * starts. PostgreSQL: TEST_POSTGRES_URL, or a throwaway cluster from the testkit. The CPU time this
 * process used is printed too: on a shared machine the wall-clock rate says as much about the
 * neighbours as about the code, records per CPU-second does not.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { UsageRecord } from '../../subgraphs/billing/src/usage/usage-record.js';
import { Infrastructure, registerApp, startBilling } from '../../subgraphs/billing/test/support/billing-harness.js';
import { JSON_OPTION, round, writeReport, type BenchRow, type BenchTarget } from './support/bench-report.js';

/** What the load generator (billing-usage-load.mjs) reports. */
interface LoadResult {
  accepted: number;
  seconds: number;
  latencies: number[];
}

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    subscriptions: { type: 'string', default: '100' },
    db: { type: 'string', default: 'sqlite,postgres' },
    ...JSON_OPTION,
  },
});
const rows: BenchRow[] = [];
const targets: BenchTarget[] = [];
const TARGET = 20_000;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

for (const db of values.db!.split(',') as ('sqlite' | 'postgres')[]) {
  const job = { records: Number(values.records), batch: Number(values.batch), concurrency: Number(values.concurrency), subscriptions: Number(values.subscriptions) };
  process.stdout.write(`${db}: ${job.records} records in batches of ${job.batch}, ${job.concurrency} requests in flight, ${job.subscriptions} subscriptions…\n`);
  const infra = new Infrastructure();
  const billing = await startBilling({ databaseUrl: await infra.databaseUrl(db), bus: await infra.bus(), env: { BILLING_USAGE_MAX_BATCH: String(job.batch) } });
  try {
    const app = await registerApp(billing, 'nexacloud');
    for (let s = 0; s < job.subscriptions; s++) {
      await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: `u-${s}`, email: `user${s}@bench.test` } });
      const created = await billing.api('POST', '/subscriptions', {
        key: app.apiKey,
        body: { external_customer_id: `u-${s}`, plan_code: 'p-1', external_id: `s-${s}`, deployment_id: `d-${s}`, started_at: new Date(Date.now() - 86_400_000).toISOString() },
      });
      if (created.status !== 201) throw new Error(`subscription: ${created.status} ${JSON.stringify(created.body)}`);
    }
    const cpuBefore = process.cpuUsage();
    const result = await new Promise<LoadResult>((resolve, reject) => {
      const worker = new Worker(new URL('./billing-usage-load.mjs', import.meta.url), { workerData: { ...job, url: `${billing.service.url()}/api/billing/v1/usage`, key: app.apiKey } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const rate = result.accepted / result.seconds;
    const latencies = result.latencies.sort((a, b) => a - b);
    const stored = await billing.deps.db.em().count(UsageRecord, {});
    const thresholds = (await billing.outbox('billing.usage.threshold_reached')).length;
    process.stdout.write(
      `${db.padEnd(9)} ${rate.toFixed(0).padStart(7)} records/s  (${result.accepted} accepted in ${result.seconds.toFixed(2)} s; ` +
        `request p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; ` +
        `${stored} rows incl. warm-up; ${thresholds} threshold events)  ${rate >= TARGET ? 'meets' : 'BELOW'} the ${TARGET}/s target\n` +
        `${''.padEnd(9)} ${cpuSeconds.toFixed(2)} CPU-s in this process (server${db === 'sqlite' ? ' + SQLite' : ''} + load generator; PostgreSQL's own processes not counted): ` +
        `${(result.accepted / cpuSeconds).toFixed(0)} records per CPU-second\n`,
    );
    rows.push({
      label: `${db}: ${job.records} records in batches of ${job.batch}`,
      recordsPerSecond: round(rate, 0),
      requestP50Ms: round(percentile(latencies, 50)),
      requestP95Ms: round(percentile(latencies, 95)),
      recordsPerCpuSecond: round(result.accepted / cpuSeconds, 0),
      accepted: result.accepted,
    });
    targets.push({
      label: `usage ingestion ≥ ${TARGET.toLocaleString('en-US')} records/s (${db}, ${job.records.toLocaleString('en-US')} records)`,
      met: rate >= TARGET,
      detail: `${Math.round(rate).toLocaleString('en-US')} records/s (request p50 ${percentile(latencies, 50).toFixed(1)} ms)`,
    });
  } finally {
    await billing.stop();
    await infra.stop();
  }
}
writeReport(values.json, { name: 'billing-usage-ingest', rows, targets });
process.stdout.write(`\nload average after the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; other work on the machine counts)\n`);
