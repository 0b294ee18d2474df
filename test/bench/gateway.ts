/**
 * Gateway: the Customer-360 query (one customer from commerce with billing's account and invoices,
 * each invoice's tickets, payments' payments and helpdesk's tickets — four subgraphs, two hops)
 * sent, in one run, through
 *   1. Switchboard's gateway (the production bundle, its own process, production settings),
 *   2. Hive Gateway (`@graphql-hive/gateway`'s runtime on node:http, its own process, the same
 *      supergraph file, the same running subgraphs, the same JWT and signed identity headers),
 *   3. the commerce subgraph directly, with the part of the query it answers alone.
 * The subgraphs run as their own processes from the production bundle (NODE_ENV=production, real
 * NATS JetStream, SQLite files or PostgreSQL), seeded through their own APIs. Before measuring,
 * every customer's answer is fetched through both gateways and must be identical. The load comes
 * from autocannon in a separate process; the targets alternate round by round (A B C A B C…) so
 * the drift of a shared machine hits each of them alike.
 *
 *   pnpm exec tsx test/bench/gateway.ts [--duration 10] [--warmup 3] [--connections 50] [--rounds 3]
 *                                       [--customers 100] [--db sqlite|postgres] [--json <file>]
 *
 * Printed per target: req/s, p50 and p99 (means of the rounds), each gateway's peak RSS (the
 * kernel's high-water mark, VmHWM, over the whole run, start-up included) and the CPU time its
 * process spent per request (from /proc: on a shared machine it varies much less than req/s).
 * Switchboard's gateway runs with the Deployment's Node flags (`--enable-source-maps
 * --max-old-space-size=384`); Hive Gateway with the same heap ceiling and otherwise its defaults
 * (its in-flight request deduplication included) plus the JWT plugin and header propagation the
 * subgraphs require. Both log at `info`.
 *
 * Targets: Switchboard's gateway serves at least Hive Gateway's req/s, with at most 250 MB peak RSS.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { build } from 'esbuild';
import { issueDevToken } from '@switchboard/gateway';
import { IDENTITY_HEADER, signIdentity } from '@switchboard/kit';
import { freePort, registerProcessCleanup, startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { buildDist } from '../../scripts/build.js';
import {
  BENCH_AGENT_EMAIL,
  BENCH_JWT_SECRET,
  BENCH_ROLES,
  BENCH_SIGNING_SECRET,
  BENCH_SUBJECT,
  CUSTOMER_360,
  CUSTOMER_COMMERCE_PART,
  customerEmail,
  requestBodies,
} from './support/gateway-customer360.js';
import { startNodeProcess, type NodeProcess } from './support/gateway-processes.js';
import { seedCustomer360 } from './support/gateway-seed.js';
import { runGatewayLoad, type GatewayLoadSpec } from './support/load-generators.js';
import { productionSubgraphEnv } from './support/subgraph-env.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    customers: { type: 'string', default: '100' },
    db: { type: 'string', default: 'sqlite' },
    json: { type: 'string' },
  },
});
const DURATION = positive('duration');
const WARMUP = positive('warmup');
const CONNECTIONS = positive('connections');
const ROUNDS = positive('rounds');
const CUSTOMERS = positive('customers');
if (values.db !== 'sqlite' && values.db !== 'postgres') fail('--db must be sqlite or postgres');
// Hive Gateway merges identical subgraph requests in flight at the same moment (on by default). The
// load cycles through the customers, so with at least two per connection no two requests in flight
// ask for the same customer, as with real agents, and neither gateway is measured on a cache.
if (CUSTOMERS < 2 * CONNECTIONS) {
  process.stderr.write(`warning: --customers ${CUSTOMERS} < 2 × --connections: concurrent requests repeat the same customer, which Hive Gateway deduplicates\n`);
}
const TARGET_RSS_MB = 250;

const root = resolve(import.meta.dirname, '../..');
const SUPERGRAPH_PATH = join(root, 'supergraph.graphql');
const SUBGRAPH_NAMES = ['payments', 'commerce', 'billing', 'helpdesk'] as const;
/** What the k8s deployments run the services with (deploy/k8s/base/<service>/config.env). */
const PRODUCTION_NODE_ARGS = ['--enable-source-maps', '--max-old-space-size=384'];

interface Target {
  key: 'switchboard' | 'hive' | 'direct';
  label: string;
  url: string;
  headers: Record<string, string>;
  bodies: string[];
  signAs?: GatewayLoadSpec['signAs'];
  /** The measured server process (the gateway; for the direct target, the commerce subgraph). */
  process: NodeProcess;
  isGateway: boolean;
}

interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
  firstFailure?: string;
  /** CPU time the measured process spent per answered request. */
  cpuMicrosPerRequest: number;
}

function positive(name: keyof typeof values): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`gateway bench: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const unregisterDir = registerProcessCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const processes: NodeProcess[] = [];
  let nats: NatsServerHandle | undefined;
  let postgres: PostgresHandle | undefined;
  try {
    console.log(`Gateway benchmark — Customer-360 over four subgraphs; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s per target (+${WARMUP} s warm-up), ${values.db === 'postgres' ? 'PostgreSQL' : 'SQLite'} + NATS JetStream, ${cpus().length} cores`);

    process.stdout.write('bundling the services and Hive Gateway… ');
    const dist = join(dir, 'dist');
    await buildDist({ outdir: dist, quiet: true });
    const hiveScript = await bundleHiveGateway(join(dir, 'hive'));
    console.log('done');

    nats = await startNats();
    const databaseUrls: Record<string, string> = {};
    for (const name of SUBGRAPH_NAMES) {
      if (values.db === 'postgres') {
        postgres ??= await startPostgres();
        databaseUrls[name] = await postgres.createDatabase(name);
      } else {
        databaseUrls[name] = `sqlite:${join(dir, `${name}.sqlite`)}`;
      }
    }
    process.stdout.write(`seeding ${CUSTOMERS} customers… `);
    const seeded = await seedCustomer360({ databaseUrl: (name) => databaseUrls[name]!, customers: CUSTOMERS });
    console.log(`${seeded.invoices} invoices, ${seeded.payments} payments, ${seeded.tickets} tickets`);

    process.stdout.write('starting the subgraphs and both gateways… ');
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    const subgraphUrls: Record<string, string> = {};
    const started = await Promise.allSettled(
      SUBGRAPH_NAMES.map(async (name) => {
        const port = await freePort();
        subgraphUrls[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${port}`;
        return startNodeProcess({
          name,
          script: join(dist, `${name}.mjs`),
          nodeArgs: PRODUCTION_NODE_ARGS,
          env: subgraphEnv(port, databaseUrls[name]!, nats!.url),
          readyUrl: `http://127.0.0.1:${port}/readyz`,
          logDir,
        });
      }),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') processes.push(outcome.value);
    const notStarted = started.find((outcome) => outcome.status === 'rejected');
    if (notStarted) throw notStarted.reason;
    const commerce = (started[SUBGRAPH_NAMES.indexOf('commerce')] as PromiseFulfilledResult<NodeProcess>).value;

    const switchboardPort = await freePort();
    const switchboard = await startNodeProcess({
      name: 'switchboard-gateway',
      script: join(dist, 'gateway.mjs'),
      nodeArgs: PRODUCTION_NODE_ARGS,
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(switchboardPort),
        LOG_LEVEL: 'info',
        SUPERGRAPH_PATH,
        JWT_SECRET: BENCH_JWT_SECRET,
        GATEWAY_SIGNING_SECRET: BENCH_SIGNING_SECRET,
        GATEWAY_REST_PROXY: 'false',
        ...subgraphUrls,
      },
      readyUrl: `http://127.0.0.1:${switchboardPort}/readyz`,
      logDir,
    });
    processes.push(switchboard);

    const hivePort = await freePort();
    const hive = await startNodeProcess({
      name: 'hive-gateway',
      script: hiveScript,
      // The same heap ceiling as the deployment gives Switchboard's gateway.
      nodeArgs: ['--max-old-space-size=384'],
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(hivePort),
        SUPERGRAPH_PATH,
        JWT_SECRET: BENCH_JWT_SECRET,
        GATEWAY_SIGNING_SECRET: BENCH_SIGNING_SECRET,
        ...subgraphUrls,
      },
      readyUrl: `http://127.0.0.1:${hivePort}/readiness`,
      logDir,
    });
    processes.push(hive);
    console.log('ready');

    const token = await issueDevToken(BENCH_JWT_SECRET, { sub: BENCH_SUBJECT, email: BENCH_AGENT_EMAIL, roles: BENCH_ROLES }, 6 * 3600);
    const bearer = { authorization: `Bearer ${token}` };
    const gatewayBodies = requestBodies(CUSTOMER_360, CUSTOMERS);
    const targets: Target[] = [
      { key: 'switchboard', label: "Switchboard's gateway", url: `http://127.0.0.1:${switchboardPort}/graphql`, headers: bearer, bodies: gatewayBodies, process: switchboard, isGateway: true },
      { key: 'hive', label: 'Hive Gateway', url: `http://127.0.0.1:${hivePort}/graphql`, headers: bearer, bodies: gatewayBodies, process: hive, isGateway: true },
      {
        key: 'direct',
        label: 'commerce subgraph direct (its part only)',
        url: `${subgraphUrls.COMMERCE_URL}/graphql`,
        headers: {},
        bodies: requestBodies(CUSTOMER_COMMERCE_PART, CUSTOMERS),
        signAs: { identity: { sub: BENCH_SUBJECT, email: BENCH_AGENT_EMAIL, roles: BENCH_ROLES, via: 'jwt' }, secret: BENCH_SIGNING_SECRET },
        process: commerce,
        isGateway: false,
      },
    ];

    const verified = await verifyAnswers(targets);
    console.log(`answers verified: ${CUSTOMERS} customers identical through both gateways (${verified.bytes} bytes each on average; ${verified.invoices} invoices, ${verified.payments} payments, ${verified.tickets} tickets in all), commerce's part identical direct`);

    process.stdout.write('warming up… ');
    for (const target of targets) await load(target, WARMUP);
    console.log('done');

    const results = new Map<Target['key'], RoundResult[]>(targets.map((t) => [t.key, []]));
    const loadBefore = loadavg()[0]!;
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const target of targets) {
        const result = await load(target, DURATION);
        results.get(target.key)!.push(result);
        line.push(`${target.key} ${fmt(result.rps)} req/s`);
      }
      console.log(`round ${round}/${ROUNDS}: ${line.join(' · ')}`);
    }
    const loadAfter = loadavg()[0]!;
    // Still the same answers after the load.
    await verifyAnswers(targets);

    const rows = targets.map((target) => summarize(target, results.get(target.key)!));
    printTable(rows);
    const verdict = verdicts(rows);
    console.log('');
    for (const t of verdict) console.log(`${t.met ? 'met   ' : 'MISSED'}  ${t.label}: ${t.detail}`);
    console.log(`\nload average ${fmt(loadBefore, 1)} → ${fmt(loadAfter, 1)} on ${cpus().length} cores (autocannon, both gateways, four subgraphs${values.db === 'postgres' ? ', PostgreSQL' : ''} and NATS share them; only one target is under load at a time)`);

    if (values.json) {
      const json = {
        name: 'gateway',
        rows: rows.map((r) => ({ target: r.label, rps: round1(r.rps), p50: round1(r.p50), p99: round1(r.p99), rssPeakMb: r.rssPeakMb === undefined ? null : round1(r.rssPeakMb) })),
        targets: verdict,
      };
      mkdirSync(dirname(resolve(values.json)), { recursive: true });
      writeFileSync(values.json, `${JSON.stringify(json, null, 2)}\n`);
      console.log(`figures written to ${values.json}`);
    }
  } finally {
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
    await nats?.stop().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    unregisterDir();
  }
}

function subgraphEnv(port: number, databaseUrl: string, natsUrl: string): Record<string, string> {
  return {
    // The subgraphs are the fixture here, not the subject: keep their logs to warnings.
    ...productionSubgraphEnv({ port, databaseUrl, natsUrl, signingSecret: BENCH_SIGNING_SECRET, logLevel: 'warn' }),
    // Production refuses the development defaults of these secrets.
    CLOVER_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    CLOVER_DISPATCHER_SECRET: 'bench-dispatcher-secret-00000000',
    BILLING_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
    PRESTASHOP_WEBHOOK_SECRET: 'bench-prestashop-secret-000000',
  };
}

/**
 * Bundles the Hive Gateway runner (our code only; its packages stay external) and links the test
 * package's node_modules beside it so `@graphql-hive/gateway` resolves from the temp dir.
 */
async function bundleHiveGateway(outdir: string): Promise<string> {
  const outfile = join(outdir, 'gateway-hive.mjs');
  await build({
    absWorkingDir: root,
    entryPoints: [join(import.meta.dirname, 'support/gateway-hive.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'warning',
    // The runner loads Hive Gateway by a computed name (see its header): resolved at run time.
    logOverride: { 'unsupported-dynamic-import': 'silent' },
  });
  symlinkSync(join(root, 'test/node_modules'), join(outdir, 'node_modules'), 'dir');
  return outfile;
}

async function post(target: Target, body: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...target.headers };
  if (target.signAs) headers[IDENTITY_HEADER] = signIdentity(target.signAs.identity, target.signAs.secret);
  const response = await fetch(target.url, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/**
 * Every customer through every target: both gateways must answer the same JSON, with no errors
 * and the seeded nested data; the subgraph alone must answer the same commerce part.
 */
async function verifyAnswers(targets: Target[]): Promise<{ bytes: number; invoices: number; payments: number; tickets: number }> {
  const [switchboard, hive, direct] = targets as [Target, Target, Target];
  let bytes = 0;
  const totals = { invoices: 0, payments: 0, tickets: 0 };
  for (let i = 0; i < CUSTOMERS; i++) {
    const answers = await Promise.all([switchboard, hive, direct].map((t) => post(t, t.bodies[i]!)));
    const [a, b, c] = answers.map((answer, n) => {
      const parsed = JSON.parse(answer.text) as { data?: any; errors?: unknown };
      if (answer.status !== 200 || parsed.errors || !parsed.data?.customer) {
        throw new Error(`${targets[n]!.label} answered ${customerEmail(i)} with ${answer.status} ${answer.text.slice(0, 500)}`);
      }
      return parsed.data.customer;
    });
    if (!isDeepStrictEqual(a, b)) {
      throw new Error(`the gateways disagree on ${customerEmail(i)}:\n  Switchboard: ${JSON.stringify(a)}\n  Hive:        ${JSON.stringify(b)}`);
    }
    if (!isDeepStrictEqual(c, { email: a.email, name: a.name, createdAt: a.createdAt })) {
      throw new Error(`commerce alone disagrees with the gateways on ${customerEmail(i)}: ${JSON.stringify(c)}`);
    }
    if (!a.billingAccount || a.invoices.length === 0 || a.payments.length === 0 || a.tickets.length === 0 || !a.invoices.some((inv: any) => inv.tickets.length > 0)) {
      throw new Error(`${customerEmail(i)} came back without its seeded nested data: ${JSON.stringify(a)}`);
    }
    bytes += Buffer.byteLength(answers[0]!.text);
    totals.invoices += a.invoices.length;
    totals.payments += a.payments.length;
    totals.tickets += a.tickets.length;
  }
  return { bytes: Math.round(bytes / CUSTOMERS), ...totals };
}

/** One autocannon run in its own process against one target. */
async function load(target: Target, durationSeconds: number): Promise<RoundResult> {
  const spec: GatewayLoadSpec = { url: target.url, connections: CONNECTIONS, durationSeconds, bodies: target.bodies, headers: target.headers, signAs: target.signAs };
  const cpuBefore = cpuMicros(target.process.pid);
  const report = await runGatewayLoad(spec);
  const cpu = cpuMicros(target.process.pid) - cpuBefore;
  const r = report.figures;
  const requests = r.ok + r.non2xx;
  return {
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    requests,
    failed: report.failed + r.errors,
    firstFailure: report.firstFailure,
    cpuMicrosPerRequest: cpu / Math.max(requests, 1),
  };
}

/** User + system CPU time of a process so far, from /proc (µs). */
function cpuMicros(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

interface Row {
  key: Target['key'];
  label: string;
  rps: number;
  p50: number;
  p99: number;
  roundsRps: number[];
  cpuMicrosPerRequest: number;
  failed: number;
  firstFailure?: string;
  rssPeakMb?: number;
}

function summarize(target: Target, rounds: RoundResult[]): Row {
  const mean = (f: (r: RoundResult) => number) => rounds.reduce((sum, r) => sum + f(r), 0) / rounds.length;
  const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  return {
    key: target.key,
    label: target.label,
    rps: mean((r) => r.rps),
    p50: mean((r) => r.p50),
    p99: mean((r) => r.p99),
    roundsRps: rounds.map((r) => r.rps),
    cpuMicrosPerRequest: rounds.reduce((sum, r) => sum + r.cpuMicrosPerRequest * r.requests, 0) / Math.max(requests, 1),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
    firstFailure: rounds.find((r) => r.firstFailure)?.firstFailure,
    rssPeakMb: target.isGateway ? target.process.peakRssMb() : undefined,
  };
}

function printTable(rows: Row[]): void {
  console.log('');
  console.log('| target | req/s | p50 ms | p99 ms | peak RSS MB | CPU ms/req (server process) | failed | req/s per round |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const rss = r.rssPeakMb === undefined ? '—' : fmt(r.rssPeakMb);
    console.log(`| ${r.label} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${rss} | ${fmt(r.cpuMicrosPerRequest / 1000, 2)} | ${fmt(r.failed)} | ${r.roundsRps.map((x) => fmt(x)).join(' / ')} |`);
  }
  for (const r of rows.filter((row) => row.firstFailure)) console.log(`\n${r.label}: first failed answer: ${r.firstFailure}`);
}

function verdicts(rows: Row[]): { label: string; met: boolean; detail: string }[] {
  const switchboard = rows.find((r) => r.key === 'switchboard')!;
  const hive = rows.find((r) => r.key === 'hive')!;
  const ratio = switchboard.rps / hive.rps;
  const clean = switchboard.failed === 0 && hive.failed === 0;
  return [
    {
      label: "Switchboard's gateway at least as fast as Hive Gateway",
      met: clean && switchboard.rps >= hive.rps,
      detail:
        `${fmt(switchboard.rps)} vs ${fmt(hive.rps)} req/s (${fmt(ratio, 2)}×), p99 ${fmt(switchboard.p99, 1)} vs ${fmt(hive.p99, 1)} ms, ` +
        `${fmt(switchboard.cpuMicrosPerRequest / 1000, 2)} vs ${fmt(hive.cpuMicrosPerRequest / 1000, 2)} CPU ms per request` +
        (clean ? '' : `; failed answers: Switchboard ${switchboard.failed}, Hive ${hive.failed}`),
    },
    {
      label: `Switchboard's gateway peak RSS at most ${TARGET_RSS_MB} MB`,
      met: (switchboard.rssPeakMb ?? Infinity) <= TARGET_RSS_MB,
      detail: `${fmt(switchboard.rssPeakMb ?? NaN)} MB peak (Hive Gateway ${fmt(hive.rssPeakMb ?? NaN)} MB)`,
    },
  ];
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');
const round1 = (n: number) => Math.round(n * 10) / 10;

await main();
