/**
 * What a rolling update does to a pod: SIGTERM while it is busy. A real subgraph process (its
 * production entry point) under steady GraphQL load and with events in flight is stopped; no
 * accepted request may fail and no committed event may be lost, and it must exit 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BillingAccount, billing } from '@switchboard/billing';
import { Customer, commerce } from '@switchboard/commerce';
import {
  createEvent,
  createLogger,
  DeadLetter,
  EVENT_ENTITIES,
  IDENTITY_HEADER,
  KIT_MIGRATIONS,
  NatsEventBus,
  openDatabase,
  OutboxEvent,
  ProcessedEvent,
  signIdentity,
  type Database,
  type EventEnvelope,
  type SubgraphDefinition,
} from '@switchboard/kit';
import { eventually, freePort, startNats, startPostgres, type NatsServerHandle, type PostgresHandle } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, type RunningProcess } from './support/process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = new URL('node_modules/tsx/dist/loader.mjs', new URL('../../', import.meta.url)).href;
const SIGNING_SECRET = 'sigterm-test-signing-secret-0123456789';
const logger = createLogger({ name: 'sigterm-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let work: string;
let nats: NatsServerHandle;
let postgres: PostgresHandle | undefined;
const running: RunningProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchboard-sigterm-'));
  nats = await startNats();
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await nats?.stop();
  await postgres?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A subgraph's production entry point (`src/main.ts`) as its own process, in production mode. */
function startSubgraph(name: string, env: Record<string, string>): RunningProcess {
  const proc = runNode(['--import', tsxLoader, join(root, `subgraphs/${name}/src/main.ts`)], {
    cwd: work,
    env: {
      TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json'),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      NATS_URL: nats.url,
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      SHUTDOWN_TIMEOUT_MS: '20000',
      ...env,
    },
  });
  running.push(proc);
  return proc;
}

/** The subgraph's own tables, read directly after the process is gone. */
function openServiceDatabase(url: string, definition: SubgraphDefinition<any>): Promise<Database> {
  return openDatabase({
    url,
    entities: [...EVENT_ENTITIES, ...definition.entities],
    migrations: [...KIT_MIGRATIONS, ...definition.migrations],
    logger,
  });
}

type Outcome =
  | { kind: 'ok'; email: string; startedAt: number; finishedAt: number }
  /** Never reached the service, or turned away unprocessed by a server that is closing. */
  | { kind: 'refused'; email: string; how: string }
  | { kind: 'failed'; email: string; how: string };

/** Fastify's answer to a request that arrives on a kept-alive connection once close() has begun. */
const CLOSING_BODY = '{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}';

async function upsertCustomer(baseUrl: string, email: string): Promise<Outcome> {
  const startedAt = Date.now();
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity({ sub: 'sigterm-test', roles: ['ops'], via: 'jwt' }, SIGNING_SECRET),
      },
      body: JSON.stringify({
        query: 'mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { email } }',
        variables: { input: { email, name: 'Under load' } },
      }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const how = cause?.code ?? cause?.message ?? (error as Error).message;
    // Connection refused, or a kept-alive socket the server closed as idle before reading this
    // request: either way the request never reached a handler (the database check below proves it).
    const refused = /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed/.test(how);
    return { kind: refused ? 'refused' : 'failed', email, how };
  }
  const text = await response.text();
  if (response.status === 503 && text === CLOSING_BODY) return { kind: 'refused', email, how: '503 while closing' };
  if (response.status !== 200) return { kind: 'failed', email, how: `${response.status} ${text}` };
  const body = JSON.parse(text) as { data?: { upsertCustomer?: { email: string } }; errors?: unknown[] };
  if (body.data?.upsertCustomer?.email !== email) return { kind: 'failed', email, how: `unexpected body ${text}` };
  return { kind: 'ok', email, startedAt, finishedAt: Date.now() };
}

describe.each(['sqlite', 'postgres'] as const)('SIGTERM on %s', (dialect) => {
  const databaseUrl = async (name: string) => {
    if (dialect === 'sqlite') return `sqlite:${join(mkdtempSync(join(work, `${name}-`)), `${name}.sqlite`)}`;
    postgres ??= await startPostgres();
    return postgres.createDatabase(name);
  };

  it('a subgraph under load finishes every accepted request, publishes every committed event and exits 0', async () => {
    const url = await databaseUrl('commerce');
    const port = await freePort();
    const service = startSubgraph('commerce', {
      DATABASE_URL: url,
      PORT: String(port),
      PRESTASHOP_WEBHOOK_SECRET: 'sigterm-test-prestashop-secret-0123456789',
    });
    await service.waitFor(/commerce subgraph listening/);
    const baseUrl = `http://127.0.0.1:${port}`;

    // Steady load: 16 concurrent callers, each sending mutations back to back (every one commits a
    // row and an outbox event), until the server turns them away. Bounded in count and time.
    const outcomes: Outcome[] = [];
    let sequence = 0;
    let stopLoad = false;
    const loadDeadline = Date.now() + 30_000;
    const caller = async (worker: number) => {
      while (!stopLoad && Date.now() < loadDeadline && sequence < 20_000) {
        const outcome = await upsertCustomer(baseUrl, `load-${dialect}-${worker}-${sequence++}@example.com`);
        outcomes.push(outcome);
        if (outcome.kind !== 'ok') return; // this caller sees the server going away
      }
    };
    const callers = Array.from({ length: 16 }, (_, worker) => caller(worker));

    await eventually(async () => outcomes.length, (count) => count >= 100, { timeoutMs: 30_000 });
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    const exitCode = await service.exited;
    stopLoad = true;
    await Promise.all(callers);

    expect(exitCode, service.output()).toBe(0);
    expect(service.output()).toMatch(/commerce subgraph stopped/);

    const failed = outcomes.filter((o) => o.kind === 'failed');
    expect(failed, 'requests that failed instead of completing or being refused').toEqual([]);
    const ok = outcomes.filter((o): o is Extract<Outcome, { kind: 'ok' }> => o.kind === 'ok');
    const refused = outcomes.filter((o) => o.kind === 'refused');
    // The stop happened mid-load: requests in flight at SIGTERM were finished, not dropped.
    const drained = ok.filter((o) => o.startedAt < signalledAt && o.finishedAt > signalledAt);
    expect(drained.length, 'requests in flight at SIGTERM that completed').toBeGreaterThan(0);
    expect(refused.length, 'callers turned away once the server closed').toBeGreaterThan(0);

    // Accepted ⇔ committed: every 2xx is in the database, nothing refused left a trace.
    const db = await openServiceDatabase(url, commerce);
    try {
      const em = db.em();
      const stored = (await em.find(Customer, { email: { $like: `load-${dialect}-%` } })).map((c) => c.email).sort();
      expect(stored).toEqual(ok.map((o) => o.email).sort());
      // Every committed event left the outbox before the process exited.
      expect(await em.count(OutboxEvent, { publishedAt: null })).toBe(0);
    } finally {
      await db.close();
    }

    // …and every one of them is in JetStream.
    const bus = await NatsEventBus.connect({ servers: nats.url, name: 'sigterm-check', logger });
    const published = new Set<string>();
    const subscription = await bus.subscribe(
      { durable: `sigterm-check-${dialect}`, subjects: ['commerce.customer.upserted'] },
      async (delivery) => {
        const email = (delivery.event.data as { email: string }).email;
        if (email.startsWith(`load-${dialect}-`)) published.add(email);
        delivery.ack();
      },
    );
    try {
      const expected = new Set(ok.map((o) => o.email));
      await eventually(async () => published.size, (size) => size >= expected.size, { timeoutMs: 20_000 });
      expect([...published].filter((email) => !expected.has(email))).toEqual([]);
      expect([...expected].filter((email) => !published.has(email))).toEqual([]);
    } finally {
      await subscription.stop();
      await bus.close();
    }
  }, 120_000);

  it('a consumer stopped mid-stream loses no event and applies none twice after it restarts', async () => {
    const url = await databaseUrl('billing');
    const port = await freePort();
    const env = {
      DATABASE_URL: url,
      PORT: String(port),
      BILLING_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    };
    const total = 300;
    const run = `${dialect}-${Date.now()}`;

    const bus = await NatsEventBus.connect({ servers: nats.url, name: 'sigterm-publisher', logger });
    const events: EventEnvelope[] = Array.from({ length: total }, (_, i) =>
      createEvent({
        type: 'commerce.customer.upserted',
        source: 'commerce',
        subject: `consumer-${run}-${i}@example.com`,
        data: { email: `consumer-${run}-${i}@example.com`, name: `Customer ${i}`, created: true },
      }),
    );
    for (const event of events) await bus.publish(event);
    await bus.close();

    // Read side for the test (SQLite in WAL mode lets it read while the service writes).
    const db = await openServiceDatabase(url, billing);
    const accountsOpened = () => db.em().count(BillingAccount, { email: { $like: `consumer-${run}-%` } });
    try {
      const first = startSubgraph('billing', env);
      await first.waitFor(/billing subgraph listening/);
      // Stop it once it is busy applying the backlog.
      await eventually(accountsOpened, (count) => count >= 20, { timeoutMs: 20_000, intervalMs: 10 });
      first.child.kill('SIGTERM');
      expect(await first.exited, first.output()).toBe(0);
      expect(await accountsOpened(), 'the stop happened mid-stream').toBeLessThan(total);

      const second = startSubgraph('billing', env);
      await second.waitFor(/billing subgraph listening/);
      // Whatever the first pod had pulled but not applied comes back after the ack wait (30 s).
      await eventually(accountsOpened, (count) => count === total, { timeoutMs: 60_000, intervalMs: 250 });
      const em = db.em();
      expect(await em.count(ProcessedEvent, { eventId: { $in: events.map((e) => e.id) } })).toBe(total);
      expect(await em.count(DeadLetter, {})).toBe(0);
      expect(await second.stop()).toBe(0);
    } finally {
      await db.close();
    }
  }, 150_000);
});
