/**
 * Inventory sync benchmark against the emulated Odoo vendor API.
 *
 *   pnpm exec tsx test/bench/inventory-sync.ts [--variants 10000] [--limit 1000] [--concurrency 16]
 *                                              [--proof-variants 500] [--proof-limit 20]
 *                                              [--db sqlite|postgres] [--bus nats|in-process] [--latency 0] [--json <file>]
 *
 * 1. A full sync of `--variants` variants at a high rate limit: Switchboard's own cost per variant
 *    (an attempt's time minus its waits for rate-limit slots and minus Odoo's answer time; CPU time
 *    per variant) and the throughput it reaches.
 * 2. Proof that the limiter holds at its configured rate: a full sync of `--proof-variants` variants
 *    at `--proof-limit` calls/s, low enough that the limiter, not Switchboard, sets the pace. Printed:
 *    the busiest one-second window Odoo saw (must not exceed the limit) and the steady rate reached.
 * In both, the emulator answers 429 beyond the limit, so an excess would also show up as failures.
 * Exit code 1 when the limit was exceeded or a sync did not complete.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { sha256Hex } from '@switchboard/kit';
import { natsServerAvailable } from '@switchboard/testkit';
import { InventoryLevel } from '../../subgraphs/commerce/src/inventory/catalog/inventory-level.js';
import { Product } from '../../subgraphs/commerce/src/inventory/catalog/product.js';
import { ProductVariant } from '../../subgraphs/commerce/src/inventory/catalog/product-variant.js';
import { StockLocation } from '../../subgraphs/commerce/src/inventory/catalog/stock-location.js';
import { SyncJob } from '../../subgraphs/commerce/src/inventory/sync/sync-job.js';
import { JSON_OPTION, round, writeReport, type BenchRow } from './support/bench-report.js';
import { CommerceBench } from './support/commerce-bench.js';

const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: '10000' },
    limit: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    'proof-variants': { type: 'string', default: '500' },
    'proof-limit': { type: 'string', default: '20' },
    db: { type: 'string', default: 'sqlite' },
    bus: { type: 'string', default: natsServerAvailable() ? 'nats' : 'in-process' },
    latency: { type: 'string', default: '0' },
    ...JSON_OPTION,
  },
});
const TOKEN = 'bench-rest-token';

const bench = new CommerceBench('inventory', { db: args.db, bus: args.bus });

interface Run {
  variants: number;
  limit: number;
  state: string;
  succeeded: number;
  failed: number;
  elapsedS: number;
  fanoutS: number;
  attempts: number;
  attemptMs: number;
  waitMs: number;
  odooMs: number;
  cpuMsPerVariant: number;
  calls: number;
  rejected: number;
  busiest: number;
  steady: number[];
}

/** The emulator runs in its own process: the figures are the service's, not the emulator's. */
async function startOdoo(limit: number): Promise<{ url: string; stats(): Promise<{ calls: number; rejected: number; busiest: number; perSecond: number[] }>; stop(): void }> {
  const options = { token: 'bench-odoo-token', partnerId: 7, rateLimitPerSecond: limit, latencyMs: Number(args.latency) };
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./support/odoo-vendor-process.ts', import.meta.url).pathname, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator process exited (${code})`)));
  });
  const { url, control } = JSON.parse(line) as { url: string; control: string };
  return { url, stats: async () => (await fetch(`${control}/stats`)).json() as never, stop: () => child.kill('SIGTERM') };
}

async function fullSync(variants: number, limit: number): Promise<Run> {
  const odoo = await startOdoo(limit);
  const commerce = await bench.startService({
    ODOO_API_BASE_URL: odoo.url,
    ODOO_API_TOKEN: 'bench-odoo-token',
    ODOO_PARTNER_ID: '7',
    INVENTORY_API_KEYS: `bench:${sha256Hex(TOKEN)}`,
    INVENTORY_RATE_LIMIT_PER_SECOND: String(limit),
    INVENTORY_SYNC_CONCURRENCY: args.concurrency,
    INVENTORY_JOBS_KEEP_COMPLETED: String(variants * 2),
  });
  const { service, bus } = commerce;

  process.stdout.write(`\nseeding ${variants} variants (2 locations each)… `);
  const seeded = performance.now();
  const em = service.deps.db.em();
  const codes = ['A', 'B'];
  for (const code of codes) em.create(StockLocation, { code, name: code });
  await em.flush();
  const locations = await em.find(StockLocation, {});
  for (let p = 0; p < variants / 10; p++) {
    const product = em.create(Product, { name: `Product ${p}` });
    for (let v = 0; v < 10; v++) {
      const variant = em.create(ProductVariant, { sku: `BENCH-${p}-${v}`, product, name: `Size ${v}` });
      for (const location of locations) em.create(InventoryLevel, { variant, location, quantity: 100 + v, reserved: v });
    }
    if (p % 100 === 99) await em.flush();
  }
  await em.flush();
  console.log(`${((performance.now() - seeded) / 1000).toFixed(1)} s; syncing at ${limit} calls/s (${args.db}, ${bus.kind} bus, concurrency ${args.concurrency}, Odoo latency ${args.latency} ms)`);

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const auth = { authorization: `Bearer ${TOKEN}` };
  const { jobId } = (await (await fetch(`${service.url()}/api/odoo/sync/full`, { method: 'POST', headers: auth })).json()) as { jobId: string };
  let job: { state: string; progress: number; result: { succeeded: number; failed: number } };
  let lastPrint = started;
  for (;;) {
    job = ((await (await fetch(`${service.url()}/api/odoo/sync/job/${jobId}`, { headers: auth })).json()) as { job: typeof job }).job;
    if (job.state === 'completed' || job.state === 'failed') break;
    if (performance.now() - lastPrint > 10_000) {
      lastPrint = performance.now();
      console.log(`  ${((lastPrint - started) / 1000).toFixed(0)} s: ${job.progress}%`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);

  const full = await service.deps.db.em().findOneOrFail(SyncJob, { id: jobId });
  const [lastQueued] = await service.deps.db.em().find(SyncJob, { parentId: jobId }, { orderBy: { createdAt: 'desc' }, limit: 1 });
  const metrics = await service.deps.metrics.getMetricsAsJSON();
  /** Total of a histogram's `_sum` or `_count` series over all its labels. */
  const histogram = (name: string, part: '_sum' | '_count') =>
    (metrics.find((m) => m.name === name)?.values ?? [])
      .filter((v) => String((v as { metricName?: string }).metricName).endsWith(part))
      .reduce((total, v) => total + Number(v.value), 0);
  const seen = await odoo.stats();
  const run: Run = {
    variants,
    limit,
    state: job.state,
    succeeded: job.result.succeeded,
    failed: job.result.failed,
    elapsedS,
    fanoutS: lastQueued && full.startedAt ? (lastQueued.createdAt.getTime() - full.startedAt.getTime()) / 1000 : NaN,
    attempts: histogram('inventory_sync_attempt_seconds', '_count'),
    attemptMs: histogram('inventory_sync_attempt_seconds', '_sum') * 1000,
    waitMs: histogram('odoo_rate_limiter_wait_seconds', '_sum') * 1000,
    odooMs: histogram('odoo_api_call_seconds', '_sum') * 1000,
    cpuMsPerVariant: (cpu.user + cpu.system) / 1000 / variants,
    calls: seen.calls,
    rejected: seen.rejected,
    busiest: seen.busiest,
    steady: seen.perSecond.slice(1, -1),
  };
  await commerce.stop();
  odoo.stop();
  return run;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function report(title: string, run: Run): void {
  const per = (ms: number) => `${(ms / run.attempts).toFixed(1)} ms`;
  const held = run.busiest <= run.limit && run.rejected === 0;
  console.log(`
${title}: ${run.variants} variants ${run.state} in ${run.elapsedS.toFixed(1)} s — ${run.succeeded} synced, ${run.failed} failed
  fan-out (queueing one VARIANT_SYNC per variant):  ${run.fanoutS.toFixed(2)} s
  throughput:                          ${(run.variants / run.elapsedS).toFixed(1)} variants/s, ${(run.calls / run.elapsedS).toFixed(1)} Odoo calls/s (${run.calls} calls)
  per variant, mean of ${run.attempts} attempts:
    attempt, claim to recorded outcome:  ${per(run.attemptMs)}
      waiting for rate-limit slots:      ${per(run.waitMs)}
      Odoo answering (read + write):     ${per(run.odooMs)}
      Switchboard's own work:            ${per(run.attemptMs - run.waitMs - run.odooMs)}  (claim, stock read, payload, log, job/variant state, slot bookkeeping; queueing for the database included)
    CPU time of the service process:     ${run.cpuMsPerVariant.toFixed(1)} ms  (the emulator runs apart; the database server not included)
  rate limit ${run.limit} calls/s, shared through the database:
    busiest one-second window at Odoo:   ${run.busiest} calls ${run.busiest <= run.limit ? '≤' : '>'} ${run.limit} → ${held ? 'HELD' : 'EXCEEDED'}
    answered 429 (over the limit):       ${run.rejected}
    calls per calendar second:           median ${median(run.steady)}, max ${Math.max(0, ...run.steady)} (first and last second left out)`);
}

try {
  const high = await fullSync(Number(args.variants), Number(args.limit));
  report(`1. full sync at a high limit (${high.limit} calls/s)`, high);
  const proof = await fullSync(Number(args['proof-variants']), Number(args['proof-limit']));
  report(`2. limiter at its configured rate (${proof.limit} calls/s)`, proof);
  for (const run of [high, proof]) {
    if (run.busiest > run.limit || run.rejected > 0 || run.state !== 'completed') process.exitCode = 1;
  }
  const row = (label: string, run: Run): BenchRow => ({
    label,
    variants: run.variants,
    limitPerSecond: run.limit,
    state: run.state,
    failed: run.failed,
    seconds: round(run.elapsedS),
    variantsPerSecond: round(run.variants / run.elapsedS),
    ownWorkMsPerVariant: round((run.attemptMs - run.waitMs - run.odooMs) / run.attempts),
    cpuMsPerVariant: round(run.cpuMsPerVariant),
    busiestSecond: run.busiest,
    rejected429: run.rejected,
  });
  const ownWork = (high.attemptMs - high.waitMs - high.odooMs) / high.attempts;
  writeReport(args.json, {
    name: 'inventory-sync',
    rows: [row('full sync at a high limit', high), row('limiter at its configured rate', proof)],
    targets: [
      {
        label: `full sync of ${high.variants.toLocaleString('en-US')} variants completes, Switchboard's own work per variant reported`,
        met: high.state === 'completed' && high.failed === 0,
        detail: `${high.state} in ${high.elapsedS.toFixed(1)} s; own work ${ownWork.toFixed(1)} ms, CPU ${high.cpuMsPerVariant.toFixed(1)} ms per variant`,
      },
      {
        label: `limiter holds at ${proof.limit} calls/s (no second above it, no 429)`,
        met: proof.state === 'completed' && proof.busiest <= proof.limit && proof.rejected === 0,
        detail: `busiest second ${proof.busiest} calls, ${proof.rejected} × 429, median ${median(proof.steady)} calls/s`,
      },
    ],
  });
} finally {
  await bench.stop();
}
