/**
 * `pnpm start`: the whole of Switchboard on one machine with embedded defaults — four subgraphs
 * and the gateway, SQLite under ./data, a local nats-server when one is installed (else the
 * in-process bus), demo data. Prints the URLs and a ready-to-paste query with a dev token.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueDevToken } from '@switchboard/gateway';
import { seedCommerceDemo } from '@switchboard/commerce';
import { seedHelpdeskDemo } from '@switchboard/helpdesk';
import {
  ConfigError,
  createLogger,
  initTracing,
  InProcessEventBus,
  NatsEventBus,
  runUntilSignal,
  type EventBus,
  type Runnable,
} from '@switchboard/kit';
import { seedPaymentsDemo } from '@switchboard/payments';
import { startDemoEmulators, type DemoEmulators } from './lib/demo-emulators.js';
import { installedNatsServer, startLocalNats } from './lib/local-nats.js';
import { createSystem } from './lib/system.js';

const DEV_JWT_SECRET = 'switchboard-dev-jwt-secret-not-for-production';
const DEV_SIGNING_SECRET = 'switchboard-dev-signing-secret-not-for-production';
// Demo credentials of our own REST adapters, printed in the banner.
const DEMO_PRESTASHOP_SECRET = 'switchboard-demo-prestashop-secret';
const DEMO_INVENTORY_KEY = 'switchboard-demo-inventory-key';

const dataDir = resolve(process.env.SWITCHBOARD_DATA_DIR ?? './data');
const env: Record<string, string | undefined> = {
  JWT_SECRET: DEV_JWT_SECRET,
  GATEWAY_SIGNING_SECRET: DEV_SIGNING_SECRET,
  // Demo mode: the ops console offers a sign-in by role (POST /console/dev-login).
  GATEWAY_DEV_LOGIN: 'true',
  PRESTASHOP_WEBHOOK_SECRET: DEMO_PRESTASHOP_SECRET,
  INVENTORY_API_KEYS: `demo:${createHash('sha256').update(DEMO_INVENTORY_KEY).digest('hex')}`,
  LOG_LEVEL: 'warn',
  ...process.env,
};
if (env.NODE_ENV === 'production') {
  process.stderr.write('pnpm start is the demo launcher; in production run each service on its own (see deploy/k8s).\n');
  process.exit(1);
}
const logger = createLogger({ name: 'launcher', level: 'info' });

// A fresh clone has no console bundle yet: build it once (about 10 s) so /console/ works at once.
const consoleDir = env.GATEWAY_CONSOLE_DIR ?? fileURLToPath(new URL('../console/dist', import.meta.url));
if (!env.GATEWAY_CONSOLE_DIR && !existsSync(join(consoleDir, 'index.html'))) {
  logger.info('building the ops console (first start)…');
  const build = spawnSync('pnpm', ['--filter', '@switchboard/console', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) logger.warn('the ops console did not build: /console answers 404 (pnpm --filter @switchboard/console build)');
}
initTracing({ serviceName: 'switchboard', env });
const runnables: Runnable[] = [];

let bus: EventBus;
let busLabel: string;
if (env.NATS_URL) {
  bus = await NatsEventBus.connect({ servers: env.NATS_URL, name: 'switchboard', logger });
  busLabel = `NATS at ${env.NATS_URL}`;
} else {
  const binary = installedNatsServer();
  if (binary) {
    const nats = await startLocalNats(binary, dataDir);
    runnables.push({ name: 'nats-server', start: async () => {}, stop: async () => void nats.process.kill('SIGTERM') });
    bus = await NatsEventBus.connect({ servers: nats.url, name: 'switchboard', logger });
    busLabel = `local nats-server at ${nats.url} (JetStream data in ${dataDir}/nats)`;
  } else {
    bus = new InProcessEventBus();
    busLabel = 'in-process bus (install nats-server for durable JetStream)';
  }
}
runnables.push({ name: 'bus', start: async () => {}, stop: () => bus.close() });

// Demo mode: emulated third parties on local ports (SWITCHBOARD_DEMO_EMULATORS=false to go without).
let emulators: DemoEmulators | undefined;
if (env.SWITCHBOARD_DEMO_EMULATORS !== 'false') {
  emulators = await startDemoEmulators(env);
  Object.assign(env, { ...emulators.env, ...stripUndefined(env) });
  runnables.push({ name: 'emulators', start: async () => {}, stop: () => emulators!.stop() });
}

let system: Awaited<ReturnType<typeof createSystem>> | undefined;
try {
  system = await createSystem({
    bus,
    env,
    ports: 'default',
    restProxy: true,
    databaseUrl: (name) => env[`${name.toUpperCase()}_DATABASE_URL`] ?? `sqlite:${dataDir}/${name}.sqlite`,
    logger: (name) => createLogger({ name, level: env.LOG_LEVEL }),
  });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
runnables.push(system);

await runUntilSignal(runnables, logger, {
  onStarted: () => void announce(),
});

async function announce(): Promise<void> {
  const services = system!.services;
  emulators?.connectPayments(services.payments!.url());
  await seedCommerceDemo(services.commerce!.deps);
  await seedPaymentsDemo(services.payments!.deps);
  await seedHelpdeskDemo(services.helpdesk!.deps);
  const token = await issueDevToken(env.JWT_SECRET!, { sub: 'dev-admin', email: 'admin@example.com', roles: ['admin'] }, 12 * 3600);
  const gateway = system!.gatewayUrl();
  const consoleLine = existsSync(join(consoleDir, 'index.html'))
    ? `${gateway}/console/   (ops console; demo sign-in by role)`
    : `${gateway}/console/   (not built yet: pnpm --filter @switchboard/console build, then reload)`;
  const demo = demoLines(gateway);
  const query = '{ customer(email: \\"ada@example.com\\") { email name billingAccount { number balance { amount currency } } payments { id kind status amount { amount currency } } tickets { reference subject stage } openTicketCount } }';
  process.stdout.write(`
Switchboard is running (${busLabel}; SQLite under ${dataDir}).

  gateway     ${gateway}/graphql
  console     ${consoleLine}
${Object.values(services).map((s) => `  ${s.name.padEnd(11)} ${s.url()}   (health ${s.url()}/readyz)`).join('\n')}

${demo.map((line) => `${line}\n`).join('')}${demo.length ? '\n' : ''}Dev token (role admin, 12 h):
  ${token}

Try it:
  curl -s ${gateway}/graphql -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${token}' \\
    -d '{"query":"${query}"}'

Ctrl-C stops everything.
`);
}

/** How to reach the demo adapters: our own demo credentials, then the emulated third parties. */
function demoLines(gateway: string): string[] {
  const lines: string[] = [];
  if (env.PRESTASHOP_WEBHOOK_SECRET === DEMO_PRESTASHOP_SECRET) lines.push(`PrestaShop webhooks: POST ${gateway}/prestashop/webhook, signed with ${DEMO_PRESTASHOP_SECRET}`);
  if (env.INVENTORY_API_KEYS?.startsWith('demo:')) lines.push(`Inventory API: ${gateway}/api/odoo/sync/…, Authorization: Bearer ${DEMO_INVENTORY_KEY}`);
  if (emulators) {
    if (lines.length) lines.push('');
    lines.push("Emulated third parties (demo mode; set an adapter's variables to use a real system):", ...emulators.describe().map((line) => `  ${line}`));
  }
  return lines;
}

function stripUndefined(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
