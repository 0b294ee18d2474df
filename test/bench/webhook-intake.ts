/**
 * Webhook intake per adapter against a bare node:http server that performs the same authentication
 * and nothing else — the ratio is what durability and the adapter's own work cost:
 *
 *   prestashop     POST /prestashop/webhook      X-Webhook-Secret    events stored + processing requested (outbox);
 *                                                                     an intake replica (PRESTASHOP_PROCESSING_ENABLED=false)
 *                                                                     unless --prestashop-processing on
 *   wex            POST /proxy                   token in the body   card reserved, WEX asked (TEST_MODE simulator),
 *                                                                     result recorded, Odoo webhook delivery queued
 *   billing-usage  POST /api/billing/v1/usage    Bearer API key      usage row + period total, thresholds checked
 *   clover         test/bench/clover-webhook-intake.ts, run as a child (HMAC over the raw body)
 *
 * Each adapter runs on a real subgraph service (createSubgraphService, production settings, logging
 * at info to /dev/null) with PostgreSQL (or --db sqlite) and NATS JetStream; the service keeps doing
 * its background work (outbox relay, event consumers, deliveries). Load: autocannon in a separate
 * process, every request distinct. Per adapter, in one run: bare, service, bare again (the machine
 * is shared, its speed drifts), waiting between runs until the service's backlog is done.
 *
 *   pnpm exec tsx test/bench/webhook-intake.ts [--duration 10] [--warmup 3] [--connections 100]
 *       [--db postgres|sqlite] [--adapters prestashop,wex,billing-usage,clover] [--prestashop-batch 1] [--prestashop-processing off|on]
 *       [--settle-timeout 120] [--cpu-profile <dir>] [--json <file>]
 *
 * --cpu-profile writes a CPU profile of this process (the service, its background work) during
 * each service run, for Chrome DevTools or speedscope.
 *
 * Target on the 2-core machine: each adapter at least half the bare server's rate.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { destination, pino } from 'pino';
import { billing } from '@switchboard/billing';
import { commerce } from '@switchboard/commerce';
import { createSubgraphService, NatsEventBus, sha256Hex, type EventBus, type SubgraphDefinition, type SubgraphService } from '@switchboard/kit';
import { payments } from '@switchboard/payments';
import { startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { BillingUnderTest, registerApp, SIGNING_SECRET } from '../../subgraphs/billing/test/support/billing-harness.js';
import { fmt, JSON_OPTION, reportProblem, round, writeReport, type BenchReport, type BenchRow, type BenchTarget } from './support/bench-report.js';
import { startBareServer } from './support/bare-server.js';
import { exited, killOnExit, removeOnExit, spawnTs, stopChild, TSX_LOADER } from './support/child-processes.js';
import {
  ADAPTER_PATHS,
  ADAPTER_TITLES,
  ADAPTERS,
  bareAuthenticator,
  BILLING_SUBSCRIPTION_PREFIX,
  PRESTASHOP_SECRET,
  WEX_TOKEN,
  type AdapterName,
  type RequestOptions,
} from './support/intake-adapters.js';
import { meanOf, runIntakeLoad, type IntakeLoadResult } from './support/load-generators.js';
import { profiled } from './support/cpu-profile.js';
import { EventTemplates } from './support/prestashop-events.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
    db: { type: 'string', default: 'postgres' },
    adapters: { type: 'string', default: [...ADAPTERS, 'clover'].join(',') },
    'prestashop-batch': { type: 'string', default: '1' },
    'prestashop-processing': { type: 'string', default: 'off' },
    subscriptions: { type: 'string', default: '100' },
    'cpu-profile': { type: 'string' },
    'settle-timeout': { type: 'string', default: '120' },
    ...JSON_OPTION,
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const DB = values.db === 'sqlite' ? 'sqlite' : 'postgres';
const TARGET_RATIO = 0.5;
/** PostgreSQL publishes a backend's statistics at most once a second. */
const STATS_LAG_MS = 1_500;
/** How long to wait for the service's backlog after a run before reporting what is left. */
const SETTLE_TIMEOUT_MS = Number(values['settle-timeout']) * 1000;
const selected = values.adapters.split(',').map((name) => name.trim()).filter(Boolean);
for (const name of selected) {
  if (name !== 'clover' && !(ADAPTERS as readonly string[]).includes(name)) throw new Error(`--adapters: unknown adapter ${name} (known: ${[...ADAPTERS, 'clover'].join(', ')})`);
}

/** One adapter on its running service. */
interface AdapterUnderTest {
  url: string;
  requestOptions: Omit<RequestOptions, 'runId'>;
  bareAuth: Parameters<typeof startBareServer>[1];
  /** Rows the adapter stored (events, cards, usage records). */
  stored(): Promise<number>;
  /** Transactions committed or rolled back in the service's database so far (PostgreSQL only). */
  transactions(): Promise<number | undefined>;
  /** Work the service still has to do because of the load (unpublished events, pending processing…). */
  backlog(): Promise<number>;
  /** What that backlog is made of, for the report when it does not drain. */
  describeBacklog(): Promise<string>;
  stop(): Promise<void>;
}

interface Infrastructure {
  nats: NatsServerHandle;
  postgres?: PostgresHandle;
  dir: string;
  databaseUrl(name: string): Promise<string>;
}

/** PostgreSQL's own count of transactions in the service's database (its statistics lag by up to a second). */
const transactions = async (service: SubgraphService<any>): Promise<number | undefined> =>
  service.deps.db.dialect === 'postgresql'
    ? count(service, 'select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()')
    : undefined;

/** Statements this script ran itself (each one a transaction PostgreSQL counts): left out of the per-request figure. */
let ownStatements = 0;

const count = async (service: SubgraphService<any>, query: string): Promise<number> => {
  ownStatements++;
  const rows = (await service.deps.db.em().getConnection().execute(query)) as { n: number | string }[];
  return Number(rows[0]?.n ?? 0);
};

/** The service with production settings, info logging written to /dev/null, its own bus connection. */
async function startService<D extends SubgraphDefinition<any>>(definition: D, infra: Infrastructure, env: Record<string, string>): Promise<{ service: SubgraphService<any>; bus: EventBus }> {
  const bus = await NatsEventBus.connect({ servers: infra.nats.url, name: `intake-bench-${definition.name}`, logger: pino({ level: 'silent' }) });
  const service = await createSubgraphService(definition, {
    bus,
    logger: pino({ level: 'info' }, destination('/dev/null')),
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: await infra.databaseUrl(definition.name),
      NATS_URL: infra.nats.url,
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
  });
  await service.start();
  return { service, bus };
}

/** Distinct simulated events the PrestaShop requests draw their content from (ids are always new). */
const PRESTASHOP_DISTINCT_EVENTS = 5_000;

const OUTBOX_BACKLOG = "select count(*) as n from outbox_event where published_at is null";

async function startPrestashop(infra: Infrastructure): Promise<AdapterUnderTest> {
  const templateFile = join(infra.dir, 'prestashop-events.json');
  EventTemplates.generate(PRESTASHOP_DISTINCT_EVENTS).write(templateFile);
  const { service, bus } = await startService(commerce, infra, {
    PRESTASHOP_WEBHOOK_SECRET: PRESTASHOP_SECRET,
    // Off by default: an intake replica, as the Clover intake is measured (processing is measured by event-latency.ts).
    PRESTASHOP_PROCESSING_ENABLED: values['prestashop-processing'] === 'on' ? 'true' : 'false',
  });
  const processing = values['prestashop-processing'] === 'on';
  return {
    url: `${service.url()}${ADAPTER_PATHS.prestashop}`,
    requestOptions: { eventsPerBatch: Number(values['prestashop-batch']), templateFile },
    bareAuth: bareAuthenticator('prestashop'),
    stored: () => count(service, 'select count(*) as n from prestashop_event'),
    transactions: () => transactions(service),
    backlog: async () => (await count(service, OUTBOX_BACKLOG)) + (processing ? await count(service, "select count(*) as n from prestashop_event where status = 'pending'") : 0),
    describeBacklog: async () => `${await count(service, OUTBOX_BACKLOG)} unpublished events, ${await count(service, "select count(*) as n from prestashop_event where status = 'pending'")} events pending processing`,
    stop: async () => {
      await service.stop();
      await bus.close();
    },
  };
}

async function startWex(infra: Infrastructure): Promise<AdapterUnderTest> {
  // Odoo's webhook, where every issued card is delivered and then ACKed, in its own process.
  const odoo = spawnTs(new URL('./support/odoo-ack-receiver-process.ts', import.meta.url).pathname, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const odooUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    odoo.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
    });
    odoo.once('exit', (code) => reject(new Error(`Odoo receiver exited (${code})`)));
  });
  const { service, bus } = await startService(payments, infra, {
    ...PAYMENTS_PRODUCTION_ENV,
    AUTH_TOKEN: WEX_TOKEN,
    WEBHOOK_URL: `${odooUrl}/odoo/wex-webhook`,
    TEST_MODE: 'true',
    WEX_CARD_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  const configured = await fetch(`${odooUrl}/configure`, { method: 'POST', body: JSON.stringify({ ackUrl: `${service.url()}/ack`, token: WEX_TOKEN }) });
  if (configured.status !== 204) throw new Error(`Odoo receiver: /configure answered ${configured.status}`);
  // Done = published, attempted and acknowledged (a card still awaiting its ACK is work in progress).
  const open = "select count(*) as n from delivery where status in ('pending', 'in_flight', 'awaiting_ack')";
  return {
    url: `${service.url()}${ADAPTER_PATHS.wex}`,
    requestOptions: {},
    bareAuth: bareAuthenticator('wex'),
    stored: () => count(service, "select count(*) as n from wex_virtual_card where status = 'issued'"),
    transactions: () => transactions(service),
    backlog: async () => (await count(service, OUTBOX_BACKLOG)) + (await count(service, open)),
    describeBacklog: async () => {
      const rows = (await service.deps.db.em().getConnection().execute('select status, count(*) as n from delivery group by status')) as { status: string; n: number }[];
      return `${await count(service, OUTBOX_BACKLOG)} unpublished events; deliveries: ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}`;
    },
    stop: async () => {
      await service.stop();
      await bus.close();
      await stopChild(odoo);
    },
  };
}

async function startBillingUsage(infra: Infrastructure): Promise<AdapterUnderTest> {
  const { service, bus } = await startService(billing, infra, { BILLING_RATING_INTERVAL_MS: '3600000', BILLING_ENCRYPTION_KEY: `bench:${Buffer.alloc(32, 5).toString('base64')}` });
  const billingUnderTest = new BillingUnderTest(service);
  const app = await registerApp(billingUnderTest, 'benchapp');
  const subscriptions = Number(values.subscriptions);
  for (let s = 0; s < subscriptions; s++) {
    const customer = await billingUnderTest.api('POST', '/customers', { key: app.apiKey, body: { external_id: `bench-user-${s}`, email: `user${s}@bench.test` } });
    if (customer.status !== 201) throw new Error(`billing customer: ${customer.status} ${JSON.stringify(customer.body)}`);
    const created = await billingUnderTest.api('POST', '/subscriptions', {
      key: app.apiKey,
      body: { external_customer_id: `bench-user-${s}`, plan_code: 'p-1', external_id: `${BILLING_SUBSCRIPTION_PREFIX}${s}`, started_at: new Date(Date.now() - 86_400_000).toISOString() },
    });
    if (created.status !== 201) throw new Error(`billing subscription: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return {
    url: `${service.url()}${ADAPTER_PATHS['billing-usage']}`,
    requestOptions: { apiKey: app.apiKey, subscriptions },
    bareAuth: bareAuthenticator('billing-usage', { apiKeyHash: sha256Hex(app.apiKey) }),
    stored: () => count(service, 'select count(*) as n from billing_usage_record'),
    transactions: () => transactions(service),
    backlog: () => count(service, OUTBOX_BACKLOG),
    describeBacklog: async () => `${await count(service, OUTBOX_BACKLOG)} unpublished events`,
    stop: async () => {
      await billingUnderTest.stop();
      await bus.close();
    },
  };
}

/** What the payments service needs in production besides the WEX settings (the Clover areas). */
const PAYMENTS_PRODUCTION_ENV = {
  CLOVER_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  CLOVER_DISPATCHER_SECRET: 'bench-dispatcher-secret-00000000',
  CLOVER_WEBHOOK_APP_SECRET: 'bench-clover-app-secret-0123456789',
  CLOVER_WEBHOOK_PROCESSOR_ENABLED: 'false',
};

const STARTERS: Record<AdapterName, (infra: Infrastructure) => Promise<AdapterUnderTest>> = {
  prestashop: startPrestashop,
  wex: startWex,
  'billing-usage': startBillingUsage,
};

/** Waits until the service has done everything the load asked of it; returns how long that took. */
async function settle(adapter: AdapterUnderTest): Promise<{ ms: number; left: number }> {
  const started = Date.now();
  for (;;) {
    const left = await adapter.backlog();
    if (left === 0 || Date.now() - started > SETTLE_TIMEOUT_MS) return { ms: Date.now() - started, left };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let runs = 0;

interface AdapterOutcome {
  adapter: AdapterName;
  bareBefore: IntakeLoadResult;
  intake: IntakeLoadResult;
  bareAfter: IntakeLoadResult;
  stored: number;
  settledMs: number;
  left: number;
  leftDetail: string;
  /** Database transactions per request, the service's background work (relay, consumers, deliveries) included. */
  transactionsPerRequest: number;
  cpuUsPerRequest: number;
}

async function measure(name: AdapterName, infra: Infrastructure): Promise<AdapterOutcome> {
  process.stdout.write(`\n${ADAPTER_TITLES[name]}: starting the service… `);
  const adapter = await STARTERS[name](infra);
  const bare = await startBareServer(ADAPTER_PATHS[name], adapter.bareAuth);
  try {
    const load = (url: string, seconds: number) => runIntakeLoad({ adapter: name, url, connections: CONNECTIONS, durationSeconds: seconds, runId: ++runs, ...adapter.requestOptions });
    process.stdout.write('warming up… ');
    await load(bare.url, WARMUP);
    await load(adapter.url, WARMUP);
    await settle(adapter);
    const storedBefore = await adapter.stored();
    await new Promise((resolve) => setTimeout(resolve, STATS_LAG_MS));
    const transactionsBefore = await adapter.transactions();
    const ownBefore = ownStatements;
    process.stdout.write('bare… ');
    const bareBefore = await load(bare.url, DURATION);
    process.stdout.write('service… ');
    const cpu = process.cpuUsage();
    const intake = await profiled(values['cpu-profile'], `${name}-intake`, () => load(adapter.url, DURATION));
    const settled = await settle(adapter);
    const used = process.cpuUsage(cpu);
    const stored = (await adapter.stored()) - storedBefore;
    const leftDetail = settled.left > 0 ? await adapter.describeBacklog() : '';
    await new Promise((resolve) => setTimeout(resolve, STATS_LAG_MS));
    const transactionsAfter = await adapter.transactions();
    const own = ownStatements - ownBefore;
    process.stdout.write('bare again… ');
    const bareAfter = await load(bare.url, DURATION);
    console.log('done');
    return {
      adapter: name,
      bareBefore,
      intake,
      bareAfter,
      stored,
      settledMs: settled.ms,
      left: settled.left,
      leftDetail,
      transactionsPerRequest: transactionsBefore === undefined || transactionsAfter === undefined ? NaN : (transactionsAfter - transactionsBefore - own) / Math.max(intake.ok + intake.non2xx, 1),
      cpuUsPerRequest: (used.user + used.system) / Math.max(intake.ok + intake.non2xx, 1),
    };
  } finally {
    await bare.close();
    await adapter.stop();
  }
}

/** The Clover row: clover-webhook-intake.ts (another engineer's script) as a child, its --json read back. */
async function measureClover(): Promise<{ report?: BenchReport; problem?: string }> {
  console.log('\nClover webhook: running test/bench/clover-webhook-intake.ts…');
  const dir = mkdtempSync(join(tmpdir(), 'clover-intake-json-'));
  const removeDir = removeOnExit(dir);
  const file = join(dir, 'clover.json');
  try {
    const child = killOnExit(
      spawn(
        process.execPath,
        ['--import', TSX_LOADER, new URL('./clover-webhook-intake.ts', import.meta.url).pathname, '--duration', String(DURATION), '--warmup', String(WARMUP), '--connections', String(CONNECTIONS), '--db', DB, '--json', file],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      ),
      // It runs its own NATS and PostgreSQL: let it stop them.
      'SIGTERM',
    );
    const code = await exited(child);
    if (code !== 0) return { problem: `clover-webhook-intake.ts exited ${code}` };
    const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
    const problem = reportProblem(report);
    return problem ? { problem: `clover-webhook-intake.ts --json: ${problem}` } : { report };
  } catch (error) {
    return { problem: `clover-webhook-intake.ts wrote no readable --json file (${(error as Error).message})` };
  } finally {
    removeDir();
  }
}

function printTable(outcomes: AdapterOutcome[]): void {
  const pad = (s: string, n: number) => s.padStart(n);
  const line = (label: string, r: IntakeLoadResult, extra = '') =>
    `${label.padEnd(44)}${pad(fmt(r.rps), 9)}${pad(fmt(r.p50, 1), 9)}${pad(fmt(r.p99, 1), 9)}${pad(fmt(r.ok), 10)}${pad(fmt(r.non2xx + r.errors), 9)}${extra}`;
  console.log(`\nWebhook intake — ${CONNECTIONS} connections, ${DURATION} s per run, ${DB === 'postgres' ? 'PostgreSQL' : 'SQLite'} + NATS JetStream, ${cpus().length} cores, load average ${fmt(loadavg()[0]!, 1)}`);
  console.log(`${''.padEnd(44)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('2xx', 10)}${pad('failed', 9)}  vs bare`);
  for (const o of outcomes) {
    const bare = meanOf(o.bareBefore, o.bareAfter);
    console.log(line(`${o.adapter}: bare (before)`, o.bareBefore));
    console.log(line(`${o.adapter}: bare (after)`, o.bareAfter));
    console.log(line(`${o.adapter}: Switchboard`, o.intake, `  ${fmt(o.intake.rps / bare.rps, 2)} ×`));
    const failures = Object.entries(o.intake.statuses).map(([status, n]) => `${n} × ${status}`).join(', ');
    console.log(
      `${''.padEnd(4)}stored ${fmt(o.stored)} for ${fmt(o.intake.ok)} 2xx answers (${fmt(o.intake.records)} records sent)${failures ? `; non-2xx: ${failures}` : ''}; ` +
        `${o.left === 0 ? `backlog done ${fmt(o.settledMs / 1000, 1)} s after the load` : `backlog not done ${SETTLE_TIMEOUT_MS / 1000} s after the load: ${o.leftDetail}`}; ` +
        `per request, background work included: ${fmt(o.cpuUsPerRequest)} µs CPU of the service process${Number.isFinite(o.transactionsPerRequest) ? `, ${fmt(o.transactionsPerRequest, 2)} database transactions` : ''}`,
    );
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-intake-bench-'));
  const removeDir = removeOnExit(dir);
  let nats: NatsServerHandle | undefined;
  let postgres: PostgresHandle | undefined;
  const outcomes: AdapterOutcome[] = [];
  let clover: { report?: BenchReport; problem?: string } | undefined;
  try {
    const adapters = selected.filter((name): name is AdapterName => name !== 'clover');
    if (adapters.length > 0) {
      nats = await startNats();
      if (DB === 'postgres') postgres = await startPostgres();
      const infra: Infrastructure = {
        nats,
        postgres,
        dir,
        databaseUrl: async (name) => (postgres ? postgres.createDatabase(`intake_${name}`) : `sqlite:${join(dir, `${name}-${Date.now()}.sqlite`)}`),
      };
      for (const name of adapters) outcomes.push(await measure(name, infra));
    }
  } finally {
    await nats?.stop();
    await postgres?.stop();
  }
  // After the others: it starts its own NATS and PostgreSQL.
  if (selected.includes('clover')) clover = await measureClover();
  removeDir();

  printTable(outcomes);
  const rows: BenchRow[] = [];
  const targets: BenchTarget[] = [];
  for (const o of outcomes) {
    const bare = meanOf(o.bareBefore, o.bareAfter);
    const ratio = o.intake.rps / bare.rps;
    rows.push({ label: `${o.adapter}: bare (mean of before and after)`, rps: round(bare.rps), p50Ms: round(bare.p50), p99Ms: round(bare.p99) });
    rows.push({
      label: `${o.adapter}: Switchboard`,
      rps: round(o.intake.rps),
      p50Ms: round(o.intake.p50),
      p99Ms: round(o.intake.p99),
      ratioToBare: round(ratio, 2),
      ok: o.intake.ok,
      failed: o.intake.non2xx + o.intake.errors,
      stored: o.stored,
      backlogLeft: o.left,
      cpuUsPerRequest: round(o.cpuUsPerRequest, 0),
      transactionsPerRequest: Number.isFinite(o.transactionsPerRequest) ? round(o.transactionsPerRequest, 2) : null,
    });
    const failed = o.intake.non2xx + o.intake.errors;
    targets.push({
      label: `${ADAPTER_TITLES[o.adapter]} ≥ ${TARGET_RATIO} × bare`,
      met: ratio >= TARGET_RATIO && failed === 0,
      detail: `${fmt(ratio, 2)} × (${fmt(o.intake.rps)} vs ${fmt(bare.rps)} req/s; p50 ${fmt(o.intake.p50, 1)} ms, p99 ${fmt(o.intake.p99, 1)} ms${failed ? `; ${fmt(failed)} failed` : ''})`,
    });
  }
  if (clover?.report) {
    rows.push(...clover.report.rows.map((row) => ({ ...row, label: `clover: ${row.label}` })));
    targets.push(...clover.report.targets.map((target) => ({ ...target, label: `Clover webhook: ${target.label}` })));
  } else if (clover?.problem) {
    console.log(`\nClover: not measured — ${clover.problem}`);
    targets.push({ label: `Clover webhook ≥ ${TARGET_RATIO} × bare`, met: false, detail: `not measured: ${clover.problem}` });
  }
  console.log('');
  for (const target of targets) console.log(`${target.met ? 'met   ' : 'MISSED'}  ${target.label}: ${target.detail}`);
  writeReport(values.json, { name: 'webhook-intake', rows, targets });
}

await main();
