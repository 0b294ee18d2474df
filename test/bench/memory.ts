/**
 * Memory: the resident set size (RSS) of each service — the four subgraphs and the gateway, each its
 * own process run from the production bundle with the deployment's Node flags, production settings,
 * SQLite files (or --db postgres) and NATS JetStream — idle after start, and at its peak under a short
 * load, one phase after the other:
 *   1. the Customer-360 query through the gateway (all four subgraphs answer),
 *   2. PrestaShop webhooks on commerce (stored and processed),
 *   3. WEX /proxy on payments (cards issued, delivered to an Odoo stand-in that ACKs them),
 *   4. usage events on billing's REST API,
 * each from autocannon in a separate process. RSS is read from /proc every 100 ms; the kernel's
 * high-water mark (VmHWM: the whole life of the process, start-up included) is printed too.
 *
 *   pnpm exec tsx test/bench/memory.ts [--duration 10] [--settle 5] [--connections 50] [--customers 20]
 *                                      [--db sqlite|postgres] [--json <file>]
 *
 * Targets: the gateway's peak ≤ 250 MB (issue #13); each subgraph idle within its Kubernetes memory
 * request and at its peak within its limit (deploy/k8s/base/<service>/deployment.yaml).
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { issueDevToken } from '@switchboard/gateway';
import { InProcessEventBus } from '@switchboard/kit';
import { freePort, startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { buildDist } from '../../scripts/build.js';
import { BillingUnderTest, registerApp, startBilling } from '../../subgraphs/billing/test/support/billing-harness.js';
import { fmt, JSON_OPTION, round, writeReport, type BenchRow, type BenchTarget } from './support/bench-report.js';
import { removeOnExit, spawnTs, stopChild } from './support/child-processes.js';
import { BENCH_AGENT_EMAIL, BENCH_JWT_SECRET, BENCH_ROLES, BENCH_SIGNING_SECRET, BENCH_SUBJECT, CUSTOMER_360, requestBodies } from './support/gateway-customer360.js';
import { startNodeProcess, type NodeProcess } from './support/gateway-processes.js';
import { seedCustomer360 } from './support/gateway-seed.js';
import { BILLING_SUBSCRIPTION_PREFIX, PRESTASHOP_SECRET, WEX_TOKEN, type AdapterName, type RequestOptions } from './support/intake-adapters.js';
import { runGatewayLoad, runIntakeLoad } from './support/load-generators.js';
import { EventTemplates } from './support/prestashop-events.js';
import { productionSubgraphEnv } from './support/subgraph-env.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    settle: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    customers: { type: 'string', default: '20' },
    subscriptions: { type: 'string', default: '50' },
    // SQLite by default, like gateway.ts whose seeding this reuses: on PostgreSQL that seeding races
    // billing's own account creation (POST /customers while commerce's customer.upserted opens the
    // same account) and gets a 500.
    db: { type: 'string', default: 'sqlite' },
    ...JSON_OPTION,
  },
});
const DURATION = Number(values.duration);
const SETTLE_SECONDS = Number(values.settle);
const CONNECTIONS = Number(values.connections);
const CUSTOMERS = Number(values.customers);
const SUBSCRIPTIONS = Number(values.subscriptions);
const DB = values.db === 'sqlite' ? 'sqlite' : 'postgres';
/** Issue #13: at most 250 MB peak RSS for the gateway. */
const GATEWAY_TARGET_MB = 250;
const SAMPLE_MS = 100;
const MIB = 1024 * 1024;

const root = resolve(import.meta.dirname, '../..');
const SUBGRAPHS = ['payments', 'commerce', 'billing', 'helpdesk'] as const;
const SERVICES = ['gateway', ...SUBGRAPHS] as const;
type ServiceName = (typeof SERVICES)[number];
/** What the Deployments run the services with (deploy/k8s/base/<service>/config.env, NODE_OPTIONS). */
const PRODUCTION_NODE_ARGS = ['--enable-source-maps', '--max-old-space-size=384'];

/** The memory request and limit of a service's container, in bytes, from its Deployment. */
function kubernetesMemory(service: ServiceName): { request: number; limit: number } {
  const manifest = parseYaml(readFileSync(join(root, 'deploy/k8s/base', service, 'deployment.yaml'), 'utf8')) as {
    spec: { template: { spec: { containers: { resources: { requests: { memory: string }; limits: { memory: string } } }[] } } };
  };
  const { resources } = manifest.spec.template.spec.containers[0]!;
  return { request: bytes(resources.requests.memory), limit: bytes(resources.limits.memory) };
}

function bytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity.trim());
  if (!match) throw new Error(`unreadable memory quantity ${quantity}`);
  const unit = { Ki: 1024, Mi: MIB, Gi: 1024 * MIB, K: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

/** Samples every process's RSS while a phase runs; returns the highest reading per process. */
async function sampled<T>(processes: Map<ServiceName, NodeProcess>, work: () => Promise<T>): Promise<{ result: T; peakMb: Map<ServiceName, number> }> {
  const peakMb = new Map<ServiceName, number>([...processes.keys()].map((name) => [name, 0]));
  const sample = () => {
    for (const [name, process] of processes) peakMb.set(name, Math.max(peakMb.get(name)!, process.rssMb() || 0));
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const result = await work();
    sample();
    return { result, peakMb };
  } finally {
    clearInterval(timer);
  }
}

/** GraphQL load through the gateway (the gateway benchmark's load generator). */
async function gatewayLoad(url: string, token: string): Promise<string> {
  const report = await runGatewayLoad({ url, connections: CONNECTIONS, durationSeconds: DURATION, bodies: requestBodies(CUSTOMER_360, CUSTOMERS), headers: { authorization: `Bearer ${token}` } });
  const r = report.figures;
  return `${fmt(r.rps)} req/s, p99 ${fmt(r.p99, 1)} ms${report.failed ? `, ${fmt(report.failed)} failed (${report.firstFailure})` : ''}`;
}

async function intakeLoad(adapter: AdapterName, url: string, options: Omit<RequestOptions, 'runId'>, runId: number): Promise<string> {
  const r = await runIntakeLoad({ adapter, url, connections: CONNECTIONS, durationSeconds: DURATION, runId, ...options });
  const failed = r.non2xx + r.errors;
  return `${fmt(r.rps)} req/s, p99 ${fmt(r.p99, 1)} ms${failed ? `, ${fmt(failed)} failed (${JSON.stringify(r.statuses)})` : ''}`;
}

function subgraphEnv(name: string, port: number, databaseUrl: string, natsUrl: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...productionSubgraphEnv({ port, databaseUrl, natsUrl, signingSecret: BENCH_SIGNING_SECRET }),
    // Production refuses the development defaults of these secrets.
    ...(name === 'payments'
      ? {
          CLOVER_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
          CLOVER_DISPATCHER_SECRET: 'bench-dispatcher-secret-00000000',
          AUTH_TOKEN: WEX_TOKEN,
          TEST_MODE: 'true',
          WEX_CARD_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
          OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
        }
      : {}),
    ...(name === 'billing' ? { BILLING_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 5).toString('base64')}` } : {}),
    ...(name === 'commerce' ? { PRESTASHOP_WEBHOOK_SECRET: PRESTASHOP_SECRET } : {}),
    ...extra,
  };
}

/** An app on billing with subscriptions, registered before the billing process starts (same database). */
async function registerBillingApp(databaseUrl: string): Promise<string> {
  const bus = new InProcessEventBus();
  const billing: BillingUnderTest = await startBilling({ databaseUrl, bus });
  try {
    const app = await registerApp(billing, 'memorybench');
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: `memory-user-${s}`, email: `memory-user${s}@bench.test` } });
      const created = await billing.api('POST', '/subscriptions', {
        key: app.apiKey,
        body: { external_customer_id: `memory-user-${s}`, plan_code: 'p-1', external_id: `${BILLING_SUBSCRIPTION_PREFIX}${s}`, started_at: new Date(Date.now() - 86_400_000).toISOString() },
      });
      if (created.status !== 201) throw new Error(`billing subscription: ${created.status} ${JSON.stringify(created.body)}`);
    }
    return app.apiKey;
  } finally {
    await billing.stop();
    await bus.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'memory-bench-'));
  const removeDir = removeOnExit(dir);
  const processes = new Map<ServiceName, NodeProcess>();
  let nats: NatsServerHandle | undefined;
  let postgres: PostgresHandle | undefined;
  let odoo: ReturnType<typeof spawnTs> | undefined;
  try {
    console.log(`Memory — each service its own process (production bundle, ${PRODUCTION_NODE_ARGS.join(' ')}), ${DB === 'postgres' ? 'PostgreSQL' : 'SQLite'} + NATS JetStream, ${cpus().length} cores`);
    process.stdout.write('bundling… ');
    const dist = join(dir, 'dist');
    await buildDist({ outdir: dist, quiet: true });
    nats = await startNats();
    const databaseUrls: Record<string, string> = {};
    for (const name of SUBGRAPHS) {
      if (DB === 'postgres') {
        postgres ??= await startPostgres();
        databaseUrls[name] = await postgres.createDatabase(`memory_${name}`);
      } else {
        databaseUrls[name] = `sqlite:${join(dir, `${name}.sqlite`)}`;
      }
    }
    process.stdout.write('seeding… ');
    await seedCustomer360({ databaseUrl: (name) => databaseUrls[name]!, customers: CUSTOMERS });
    const apiKey = await registerBillingApp(databaseUrls.billing!);
    const templateFile = join(dir, 'prestashop-events.json');
    EventTemplates.generate(2_000).write(templateFile);

    // Odoo's webhook for the WEX cards (answers and ACKs), started before payments needs its URL.
    odoo = spawnTs(join(import.meta.dirname, 'support/odoo-ack-receiver-process.ts'), [], { stdio: ['ignore', 'pipe', 'inherit'] });
    const odooUrl = await new Promise<string>((resolvePromise, reject) => {
      let out = '';
      odoo!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolvePromise((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
      });
      odoo!.once('exit', (code) => reject(new Error(`Odoo receiver exited (${code})`)));
    });

    process.stdout.write('starting the services… ');
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    const urls: Record<string, string> = {};
    for (const name of SUBGRAPHS) {
      const port = await freePort();
      urls[name] = `http://127.0.0.1:${port}`;
      const extra: Record<string, string> = name === 'payments' ? { WEBHOOK_URL: `${odooUrl}/odoo/wex-webhook` } : {};
      processes.set(
        name,
        await startNodeProcess({
          name,
          script: join(dist, `${name}.mjs`),
          nodeArgs: PRODUCTION_NODE_ARGS,
          env: subgraphEnv(name, port, databaseUrls[name]!, nats.url, extra),
          readyUrl: `${urls[name]}/readyz`,
          logDir,
        }),
      );
    }
    const gatewayPort = await freePort();
    urls.gateway = `http://127.0.0.1:${gatewayPort}`;
    processes.set(
      'gateway',
      await startNodeProcess({
        name: 'gateway',
        script: join(dist, 'gateway.mjs'),
        nodeArgs: PRODUCTION_NODE_ARGS,
        env: {
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(gatewayPort),
          LOG_LEVEL: 'info',
          SUPERGRAPH_PATH: join(root, 'supergraph.graphql'),
          JWT_SECRET: BENCH_JWT_SECRET,
          GATEWAY_SIGNING_SECRET: BENCH_SIGNING_SECRET,
          GATEWAY_REST_PROXY: 'false',
          ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, urls[name]!])),
        },
        readyUrl: `${urls.gateway}/readyz`,
        logDir,
      }),
    );
    const configured = await fetch(`${odooUrl}/configure`, { method: 'POST', body: JSON.stringify({ ackUrl: `${urls.payments}/ack`, token: WEX_TOKEN }) });
    if (configured.status !== 204) throw new Error(`Odoo receiver: /configure answered ${configured.status}`);
    console.log('ready');

    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    const idleMb = new Map([...processes].map(([name, process]) => [name, process.rssMb()]));

    const token = await issueDevToken(BENCH_JWT_SECRET, { sub: BENCH_SUBJECT, email: BENCH_AGENT_EMAIL, roles: BENCH_ROLES }, 3600);
    const phases: { label: string; run: () => Promise<string> }[] = [
      { label: 'Customer-360 through the gateway', run: () => gatewayLoad(`${urls.gateway}/graphql`, token) },
      { label: 'PrestaShop webhooks on commerce', run: () => intakeLoad('prestashop', `${urls.commerce}/prestashop/webhook`, { templateFile }, 1) },
      { label: 'WEX /proxy on payments', run: () => intakeLoad('wex', `${urls.payments}/proxy`, {}, 2) },
      { label: 'usage events on billing', run: () => intakeLoad('billing-usage', `${urls.billing}/api/billing/v1/usage`, { apiKey, subscriptions: SUBSCRIPTIONS }, 3) },
    ];
    const peakMb = new Map<ServiceName, number>(SERVICES.map((name) => [name, idleMb.get(name)!]));
    const phaseNotes: string[] = [];
    for (const phase of phases) {
      process.stdout.write(`load: ${phase.label}… `);
      const { result, peakMb: phasePeak } = await sampled(processes, phase.run);
      for (const [name, mb] of phasePeak) peakMb.set(name, Math.max(peakMb.get(name)!, mb));
      console.log(result);
      phaseNotes.push(`${phase.label}: ${result}`);
      for (const [name, process] of processes) {
        if (!(process.rssMb() > 0)) throw new Error(`${name} is gone after "${phase.label}":\n${process.logTail()}`);
      }
    }
    const afterMb = new Map([...processes].map(([name, process]) => [name, process.rssMb()]));
    const hwmMb = new Map([...processes].map(([name, process]) => [name, process.peakRssMb()]));

    console.log(`\n${'service'.padEnd(10)}${'idle'.padStart(9)}${'peak'.padStart(9)}${'after'.padStart(10)}${'VmHWM'.padStart(10)}${'k8s request / limit'.padStart(22)}   (MiB)`);
    const rows: BenchRow[] = [];
    const targets: BenchTarget[] = [];
    for (const name of SERVICES) {
      const k8s = kubernetesMemory(name);
      const idle = idleMb.get(name)!;
      const peak = peakMb.get(name)!;
      console.log(
        `${name.padEnd(10)}${fmt(idle).padStart(9)}${fmt(peak).padStart(9)}${fmt(afterMb.get(name)!).padStart(10)}${fmt(hwmMb.get(name)!).padStart(10)}${`${fmt(k8s.request / MIB)} / ${fmt(k8s.limit / MIB)}`.padStart(22)}`,
      );
      rows.push({ label: name, idleMiB: round(idle), peakMiB: round(peak), afterLoadMiB: round(afterMb.get(name)!), vmHwmMiB: round(hwmMb.get(name)!), requestMiB: k8s.request / MIB, limitMiB: k8s.limit / MIB });
      if (name === 'gateway') {
        // Judged in MiB, as gateway.ts judges the same target, so the two scripts cannot disagree.
        targets.push({ label: `gateway peak RSS ≤ ${GATEWAY_TARGET_MB} MiB under load`, met: peak <= GATEWAY_TARGET_MB, detail: `peak ${fmt(peak)} MiB, idle ${fmt(idle)} MiB` });
      } else {
        targets.push({ label: `${name} idle RSS ≤ its memory request (${fmt(k8s.request / MIB)} MiB)`, met: idle * MIB <= k8s.request, detail: `idle ${fmt(idle)} MiB` });
        targets.push({ label: `${name} peak RSS under load ≤ its memory limit (${fmt(k8s.limit / MIB)} MiB)`, met: peak * MIB <= k8s.limit, detail: `peak ${fmt(peak)} MiB (VmHWM ${fmt(hwmMb.get(name)!)} MiB)` });
      }
    }
    console.log(`\nRSS as /proc reports it (VmRSS; VmHWM = the process's peak since it started). Idle: ${SETTLE_SECONDS} s after every service was ready. Peak: highest reading during the loads (${DURATION} s each, ${CONNECTIONS} connections):`);
    for (const note of phaseNotes) console.log(`  ${note}`);
    console.log(`load average ${fmt(loadavg()[0]!, 1)}`);
    console.log('');
    for (const target of targets) console.log(`${target.met ? 'met   ' : 'MISSED'}  ${target.label}: ${target.detail}`);
    writeReport(values.json, { name: 'memory', rows, targets });
  } catch (error) {
    for (const [name, process] of processes) console.error(`\n${name} log (tail):\n${process.logTail(10)}`);
    throw error;
  } finally {
    for (const process of [...processes.values()].reverse()) await process.stop().catch(() => undefined);
    if (odoo) await stopChild(odoo);
    await nats?.stop();
    await postgres?.stop();
    removeDir();
  }
}

await main();
