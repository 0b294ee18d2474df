/**
 * Clover webhook intake: `POST /payment/clover/webhook` on a real payments service — HMAC over the
 * raw bytes verified, the webhook durably stored (PostgreSQL by default) with its
 * `payments.clover.webhook.received` event in the outbox, then published to NATS JetStream —
 * against, in the same run, a bare Node server that only verifies the signature. The load comes
 * from autocannon in a separate process: 100 connections, every request a distinct signed webhook.
 *
 *   pnpm exec tsx test/bench/clover-webhook-intake.ts [--duration 15] [--connections 100] [--db postgres|sqlite] [--warmup 3] [--skip-bare] [--cpu-profile <dir>] [--json <file>]
 *
 * Targets on the 2-core machine: ≥ 8,500 req/s (about 25× the seed dispatcher's 347 req/s), at
 * least half the bare server's rate, p99 under 25 ms. Everything shares the machine's cores:
 * autocannon, the service, PostgreSQL and nats-server.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { destination, pino } from 'pino';
import { createSubgraphService, NatsEventBus, OutboxEvent, type SubgraphService } from '@switchboard/kit';
import { startNats, startPostgres } from '@switchboard/testkit';
import { CloverWebhook } from '../../subgraphs/payments/src/clover-webhooks/clover-webhook.js';
import { payments, type PaymentsDeps } from '../../subgraphs/payments/src/service.js';
import { JSON_OPTION, round, writeReport } from './support/bench-report.js';
import { startBareServer } from './support/bare-server.js';
import { profiled } from './support/cpu-profile.js';
import { meanFigures, runWebhookLoad, type WebhookLoadResult as LoadResult } from './support/load-generators.js';
import { measureCpu } from './support/machine-cpu.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
    db: { type: 'string', default: 'postgres' },
    'skip-bare': { type: 'boolean', default: false },
    objects: { type: 'string', default: 'payment' },
    processor: { type: 'string', default: 'off' },
    'cpu-profile': { type: 'string' },
    ...JSON_OPTION,
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const SECRET = 'bench-clover-app-secret-0123456789';
const SEED_DISPATCHER_RPS = 347;
const TARGET_RPS = 8_500;
const TARGET_P99_MS = 25;

/** autocannon in its own process; resolves with its figures. */
function load(url: string, durationSeconds: number): Promise<LoadResult> {
  return runWebhookLoad({ url, connections: CONNECTIONS, durationSeconds, secret: SECRET, prefix: values.objects === 'order' ? 'O' : 'P' });
}

/** The comparison checks the HMAC of the raw body, as the intake does, and nothing else. */
const hmacOfBodyMatches = (headers: IncomingHttpHeaders, body: Buffer): boolean => {
  const expected = createHmac('sha256', SECRET).update(body).digest();
  const presented = Buffer.from(String(headers['x-clover-auth-code'] ?? ''), 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
};

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pad = (s: string, n: number) => s.padStart(n);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'clover-bench-'));
  const nats = await startNats();
  const postgres = values.db === 'postgres' ? await startPostgres() : undefined;
  const databaseUrl = postgres ? await postgres.createDatabase('clover_bench') : `sqlite:${join(dir, 'payments.sqlite')}`;
  const quiet = pino({ level: 'silent' });
  const bus = await NatsEventBus.connect({ servers: nats.url, name: 'clover-bench', logger: quiet });
  // Production logging: level info, serialized, written (here to /dev/null rather than a terminal).
  const logger = pino({ level: 'info' }, destination('/dev/null'));
  let service: SubgraphService<PaymentsDeps> | undefined;
  const bare = await startBareServer('/payment/clover/webhook', hmacOfBodyMatches);
  try {
    service = await createSubgraphService(payments, {
      bus,
      logger,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        NATS_URL: nats.url,
        GATEWAY_SIGNING_SECRET: 'bench-gateway-signing-secret-000',
        HOST: '127.0.0.1',
        PORT: '0',
        CLOVER_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        CLOVER_DISPATCHER_SECRET: 'bench-dispatcher-secret-00000000',
        CLOVER_WEBHOOK_APP_SECRET: SECRET,
        CLOVER_WEBHOOK_PROCESSOR_ENABLED: values.processor === 'on' ? 'true' : 'false',
      },
    });
    await service.start();
    const intakeUrl = `${service.url()}/payment/clover/webhook`;

    console.log(`Clover webhook intake — ${CONNECTIONS} connections, ${DURATION} s per run (+${WARMUP} s warm-up), ${postgres ? 'PostgreSQL' : 'SQLite'} + NATS JetStream, ${cpus().length} cores`);
    console.log('warming up…');
    if (!values['skip-bare']) await load(bare.url, WARMUP);
    await load(intakeUrl, WARMUP);
    await drain(service);
    const warmRows = await service.deps.db.em().count(CloverWebhook, { status: 'verified' });

    // Bare before and after the intake run: the machine is shared, its speed drifts.
    const loadBefore = loadavg()[0]!;
    let cpu = process.cpuUsage();
    const bareBefore = values['skip-bare'] ? undefined : await load(bare.url, DURATION);
    const beforeCpu = process.cpuUsage(cpu);
    const intakeStarted = Date.now();
    cpu = process.cpuUsage();
    const intakeSpan = measureCpu();
    const intakeResult = await profiled(values['cpu-profile'], 'clover-intake', () => load(intakeUrl, DURATION));
    const intakeCpu = process.cpuUsage(cpu);
    const spent = intakeSpan();
    const loadEnded = Date.now();
    const stored = (await service.deps.db.em().count(CloverWebhook, { status: 'verified' })) - warmRows;
    const drainedAfterMs = (await drain(service)) - loadEnded;
    const unpublished = await service.deps.db.em().count(OutboxEvent, { publishedAt: null });
    cpu = process.cpuUsage();
    const bareAfter = values['skip-bare'] ? undefined : await load(bare.url, DURATION);
    const afterCpu = process.cpuUsage(cpu);
    const bareResult = mean(bareBefore, bareAfter);

    const row = (name: string, r: Partial<LoadResult> & { rps: number }) =>
      `${name.padEnd(38)}${pad(fmt(r.rps), 9)}${pad(r.p50 === undefined ? '—' : fmt(r.p50, 1), 9)}${pad(r.p99 === undefined ? '—' : fmt(r.p99, 1), 9)}${pad(r.ok === undefined ? '—' : fmt(r.ok), 10)}${pad(r.non2xx === undefined ? '—' : fmt(r.non2xx + r.errors!), 9)}`;
    console.log('');
    console.log(`${''.padEnd(38)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('2xx', 10)}${pad('failed', 9)}`);
    console.log(row('seed dispatcher (Cloudflare Worker)', { rps: SEED_DISPATCHER_RPS }));
    if (bareBefore && bareAfter) {
      console.log(row('bare node:http, HMAC only (before)', bareBefore));
      console.log(row('bare node:http, HMAC only (after)', bareAfter));
    }
    console.log(row('Switchboard intake (verify+store+pub)', intakeResult));
    console.log('');
    const ratio = intakeResult.rps / bareResult.rps;
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(`intake vs seed: ${fmt(intakeResult.rps / SEED_DISPATCHER_RPS, 1)}×   intake vs bare (mean of both runs): ${fmt(ratio * 100)} %`);
    console.log(`targets: ≥ ${fmt(TARGET_RPS)} req/s ${verdict(intakeResult.rps >= TARGET_RPS)} · ≥ 50 % of bare ${verdict(ratio >= 0.5)} · p99 < ${TARGET_P99_MS} ms ${verdict(intakeResult.p99 < TARGET_P99_MS)}`);
    const asRow = (label: string, r: LoadResult) => ({ label, rps: round(r.rps, 0), p50Ms: r.p50, p99Ms: r.p99, ok: r.ok, failed: r.non2xx + r.errors });
    writeReport(values.json, {
      name: 'clover-webhook-intake',
      rows: [
        { label: 'seed dispatcher (Cloudflare Worker)', rps: SEED_DISPATCHER_RPS },
        ...(bareBefore && bareAfter ? [asRow('bare node:http, HMAC only (before)', bareBefore), asRow('bare node:http, HMAC only (after)', bareAfter)] : []),
        { ...asRow(`Clover intake (verify+store+publish, ${postgres ? 'PostgreSQL' : 'SQLite'})`, intakeResult), cpuUsPerRequest: round((intakeCpu.user + intakeCpu.system) / Math.max(intakeResult.ok + intakeResult.non2xx, 1), 0), eventLoopBusyPercent: round(spent.eventLoopUtilization * 100, 0), machineBusyCores: round(spent.machineBusyCores, 2) },
      ],
      targets: [
        { label: `Clover intake ≥ ${fmt(TARGET_RPS)} req/s`, met: intakeResult.rps >= TARGET_RPS, detail: `${fmt(intakeResult.rps)} req/s (${fmt(intakeResult.rps / SEED_DISPATCHER_RPS, 1)}× the seed)` },
        ...(bareBefore && bareAfter ? [{ label: 'Clover intake ≥ 0.5 × bare', met: ratio >= 0.5, detail: `${fmt(ratio, 2)} × (${fmt(intakeResult.rps)} vs ${fmt(bareResult.rps)} req/s)` }] : []),
        { label: `Clover intake p99 < ${TARGET_P99_MS} ms`, met: intakeResult.p99 < TARGET_P99_MS, detail: `p99 ${fmt(intakeResult.p99, 1)} ms (p50 ${fmt(intakeResult.p50, 1)} ms)` },
      ],
    });
    console.log(`durability: ${fmt(stored)} webhooks stored for ${fmt(intakeResult.ok)} 2xx answers (${fmt(intakeResult.generated)} requests generated); ` +
      `outbox ${unpublished === 0 ? `fully published to JetStream ${fmt(Math.max(drainedAfterMs, 0) / 1000, 1)} s after the load ended` : `${fmt(unpublished)} events still unpublished`}`);
    const perRequest = (usage: NodeJS.CpuUsage, requests: number) => fmt((usage.user + usage.system) / Math.max(requests, 1));
    const bareCpu = { user: beforeCpu.user + afterCpu.user, system: beforeCpu.system + afterCpu.system };
    console.log(`server-process CPU per request: ${values['skip-bare'] ? '' : `bare ${perRequest(bareCpu, bareResult.ok)} µs, `}intake ${perRequest(intakeCpu, intakeResult.ok + intakeResult.non2xx)} µs (the intake figure includes the outbox relay publishing to JetStream)`);
    console.log(
      `during the intake run: the service's event loop ${fmt(spent.eventLoopUtilization * 100)} % busy; the machine ${fmt(spent.machineBusyCores, 2)} of ${spent.cores} cores busy ` +
        '(service, PostgreSQL, nats-server and the load generator together)',
    );
    console.log(
      `webhook processor (Platform API follow-up) in this process: ${values.processor === 'on' ? 'on' : 'off (CLOVER_WEBHOOK_PROCESSOR_ENABLED=false: an intake replica)'}; ` +
        `load average ${fmt(loadBefore, 1)} → ${fmt(loadavg()[0]!, 1)} on ${cpus().length} cores; the intake run took ${fmt((loadEnded - intakeStarted) / 1000, 1)} s`,
    );
  } finally {
    await service?.stop().catch(() => undefined);
    await bare.close();
    await bus.close();
    await nats.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The average of the bare runs (NaN without them). */
function mean(a?: LoadResult, b?: LoadResult): LoadResult {
  if (!a || !b) return { rps: NaN, p50: NaN, p99: NaN, ok: 0, non2xx: 0, errors: 0, generated: 0 };
  return { ...meanFigures(a, b), generated: a.generated + b.generated };
}

/** Waits until every outbox event is published; returns when that happened. */
async function drain(service: SubgraphService<PaymentsDeps>): Promise<number> {
  for (;;) {
    const left = await service.deps.db.em().count(OutboxEvent, { publishedAt: null });
    if (left === 0) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

await main();
