/**
 * What the container image runs: `pnpm build` output started with plain `node`, from a directory
 * laid out like the image (/app/dist + /app/supergraph.graphql) outside the repository, so nothing
 * can quietly resolve from the workspace's node_modules or TypeScript sources.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueDevToken } from '@switchboard/gateway';
import { commerce as commerceDefinition } from '@switchboard/commerce';
import { IDENTITY_HEADER, KIT_MIGRATIONS, signIdentity } from '@switchboard/kit';
import { freePort, startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../../scripts/build.js';
import { runNode, type RunningProcess } from './support/process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SIGNING_SECRET = 'build-test-signing-secret-0123456789';
const JWT_SECRET = 'build-test-jwt-secret-0123456789abcdef';

let work: string;
let entrypoint: string;
let nats: NatsServerHandle;
const running: RunningProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchboard-image-'));
  const app = join(work, 'app');
  mkdirSync(app);
  await buildDist({ outdir: join(app, 'dist'), quiet: true });
  copyFileSync(join(root, 'supergraph.graphql'), join(app, 'supergraph.graphql'));
  entrypoint = join(app, 'dist', 'entrypoint.mjs');
  nats = await startNats();
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `node dist/entrypoint.mjs <service>` with a container-like environment. */
function start(service: string, env: Record<string, string>): RunningProcess {
  const cwd = mkdtempSync(join(work, 'cwd-'));
  const proc = runNode([entrypoint, service], { cwd, env: { NODE_ENV: 'production', LOG_LEVEL: 'info', ...env } });
  running.push(proc);
  return proc;
}

/** The JSON log line whose message is `msg`. */
function logLine(output: string, msg: string): Record<string, any> {
  const line = output.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
  if (!line) throw new Error(`no log line "${msg}" in:\n${output}`);
  return JSON.parse(line) as Record<string, any>;
}

describe('pnpm build', () => {
  it('writes one bundle per service, the entry point, and only native addons as packages', () => {
    const dist = join(work, 'app', 'dist');
    for (const name of ['entrypoint', 'gateway', 'payments', 'commerce', 'billing', 'helpdesk']) {
      expect(existsSync(join(dist, `${name}.mjs`)), `${name}.mjs`).toBe(true);
    }
    expect(readdirSync(join(dist, 'node_modules')).sort()).toEqual(['better-sqlite3', 'bindings', 'file-uri-to-path']);
  });

  it('the entry point refuses an unknown service and lists the valid ones', async () => {
    const proc = start('ledger', {});
    expect(await proc.exited).toBe(64);
    expect(proc.output()).toMatch(/unknown service "ledger".*gateway, payments, commerce, billing, helpdesk, migrate-payments/);
  });

  it('SERVICE works instead of an argument', async () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const proc = runNode([entrypoint], { cwd, env: { SERVICE: 'migrate-helpdesk', DATABASE_URL: `sqlite:${join(cwd, 'h.sqlite')}` } });
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toMatch(/"name":"migrate-helpdesk".*migrations applied/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('bundled services on %s', (dialect) => {
  let postgres: PostgresHandle | undefined;
  let databaseUrl: string;

  beforeAll(async () => {
    if (dialect === 'postgres') {
      postgres = await startPostgres();
      databaseUrl = await postgres.createDatabase('bundle');
    } else {
      databaseUrl = `sqlite:${join(mkdtempSync(join(work, 'db-')), 'commerce.sqlite')}`;
    }
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('migrate-commerce applies the migrations and exits 0; a second run finds nothing to do', async () => {
    const first = start('migrate-commerce', { DATABASE_URL: databaseUrl });
    expect(await first.exited, first.output()).toBe(0);
    // The kit's migrations first, then the service's, exactly as the service itself would apply them.
    expect(logLine(first.output(), 'migrations applied').applied).toEqual(
      [...KIT_MIGRATIONS, ...commerceDefinition.migrations].map((migration) => migration.name),
    );

    const second = start('migrate-commerce', { DATABASE_URL: databaseUrl });
    expect(await second.exited, second.output()).toBe(0);
    expect(logLine(second.output(), 'schema already current').applied).toEqual([]);
  });

  it('a migration run with a bad DATABASE_URL exits 1 naming the variable', async () => {
    const proc = start('migrate-commerce', { DATABASE_URL: 'mysql://nope' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/DATABASE_URL: must start with sqlite: or postgres:\/\//);
  });

  it('the commerce subgraph and the gateway run from dist/, serve GraphQL and stop cleanly on SIGTERM', async () => {
    const commercePort = await freePort();
    const commerce = start('commerce', {
      PORT: String(commercePort),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      NATS_URL: nats.url,
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      PRESTASHOP_WEBHOOK_SECRET: 'build-test-prestashop-secret-0123456789',
    });
    await commerce.waitFor(/commerce subgraph listening/);
    const commerceUrl = `http://127.0.0.1:${commercePort}`;
    expect((await fetch(`${commerceUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${commerceUrl}/metrics`)).text()).toMatch(/http_request_duration_seconds/);

    // Entities and GraphQL types keep their class names in the bundle (MikroORM, type-graphql).
    const email = `bundle-${dialect}@example.com`;
    const mutation = await fetch(`${commerceUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity({ sub: 'build-test', roles: ['ops'], via: 'jwt' }, SIGNING_SECRET),
      },
      body: JSON.stringify({
        query: 'mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { email name } }',
        variables: { input: { email, name: 'Bundled' } },
      }),
    });
    expect(await mutation.json()).toEqual({ data: { upsertCustomer: { email, name: 'Bundled' } } });

    const gatewayPort = await freePort();
    const gateway = start('gateway', {
      PORT: String(gatewayPort),
      HOST: '127.0.0.1',
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      JWT_SECRET,
      COMMERCE_URL: commerceUrl,
      // SUPERGRAPH_PATH unset: the entry point uses the supergraph shipped next to dist/.
    });
    await gateway.waitFor(/gateway listening/);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    expect((await fetch(`${gatewayUrl}/readyz`)).status).toBe(200);

    const token = await issueDevToken(JWT_SECRET, { sub: 'build-test', roles: ['support'] }, 300);
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': `build-${dialect}` },
      body: JSON.stringify({ query: '{ customer(email: "BUNDLE-' + dialect + '@example.com ") { email name } }' }),
    });
    expect(response.headers.get('x-request-id')).toBe(`build-${dialect}`);
    expect(await response.json()).toEqual({ data: { customer: { email, name: 'Bundled' } } });
    // The request id travels from the gateway to the subgraph's log lines.
    await commerce.waitFor(new RegExp(`"reqId":"build-${dialect}"`));

    expect(await gateway.stop()).toBe(0);
    expect(await commerce.stop()).toBe(0);
    expect(commerce.output()).toMatch(/commerce subgraph stopped/);
  });
});
