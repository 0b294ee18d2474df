import { eventually } from '@switchboard/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSubgraphService,
  Delivery,
  DeliveryAttempt,
  decideAfterAttempt,
  decideOnWake,
  exponentialSchedule,
  InProcessEventBus,
  OutboxEvent,
  type DeliveryKind,
  type EventBus,
  type SubgraphDefinition,
  type SubgraphService,
} from '../src/index.js';
import { TestInfrastructure, quietLogger, type BusKind, type DbKind } from './support/environments.js';
import { signedGraphql, SIGNING_SECRET } from './support/graphql.js';
import { startReceiver } from './support/receiver.js';

const acked: DeliveryKind = {
  name: 'test.acked',
  maxAttempts: 4,
  backoffMs: (n) => exponentialSchedule(100, 4)[n - 1]!,
  requiresAck: true,
  ackTimeoutMs: 150,
  timeoutMs: 2_000,
  prepare: (delivery, attempt) => ({
    body: JSON.stringify({ ...JSON.parse(delivery.body), _delivery_id: delivery.id, _delivery_attempt: attempt }),
    headers: { 'content-type': 'application/json' },
  }),
};
/** Same, with an ACK wait long enough for a loaded test machine to ACK in time. */
const ackedSlowly: DeliveryKind = { ...acked, name: 'test.acked-slowly', ackTimeoutMs: 1_500 };
const once: DeliveryKind = { name: 'test.once', maxAttempts: 1, backoffMs: () => 0, timeoutMs: 2_000 };
const plain: DeliveryKind = { name: 'test.plain', maxAttempts: 3, backoffMs: () => 100, timeoutMs: 2_000 };

const definition: SubgraphDefinition = {
  name: 'payments',
  domain: 'payments',
  defaultPort: 0,
  entities: [],
  migrations: [],
  schema: { resolvers: [] },
  createDeps: (runtime) => {
    for (const kind of [acked, ackedSlowly, once, plain]) runtime.deliveries.register(kind);
    return runtime;
  },
};

describe('delivery policy (pure)', () => {
  it('waits for the ACK, then the backoff; gives up after the last attempt', () => {
    const policy = { maxAttempts: 3, backoffMs: (n: number) => n * 1000, requiresAck: true, ackTimeoutMs: 10_000 };
    expect(decideAfterAttempt(policy, 1, { ok: true, statusCode: 200 })).toEqual({ status: 'awaiting_ack', retryInMs: 11_000 });
    expect(decideAfterAttempt(policy, 2, { ok: false, statusCode: 500, error: 'HTTP 500' })).toEqual({ status: 'pending', retryInMs: 2_000 });
    expect(decideAfterAttempt(policy, 3, { ok: true, statusCode: 200 })).toEqual({ status: 'awaiting_ack', retryInMs: 10_000 });
    expect(decideAfterAttempt(policy, 3, { ok: false, error: 'timeout' })).toEqual({ status: 'exhausted' });
    expect(decideAfterAttempt({ ...policy, requiresAck: false }, 1, { ok: true, statusCode: 204 })).toEqual({ status: 'delivered' });
  });

  it('on wake: done when final, wait until due, exhaust an unacknowledged last attempt', () => {
    const now = Date.now();
    const base = { attempts: 1, maxAttempts: 3, updatedAt: new Date(now) };
    expect(decideOnWake({ ...base, status: 'acknowledged' }, now)).toEqual({ action: 'done' });
    expect(decideOnWake({ ...base, status: 'awaiting_ack', nextAttemptAt: new Date(now + 5_000) }, now)).toEqual({ action: 'wait', ms: 5_000 });
    expect(decideOnWake({ ...base, status: 'awaiting_ack', attempts: 3, nextAttemptAt: new Date(now - 1) }, now)).toEqual({ action: 'exhaust' });
    expect(decideOnWake({ ...base, status: 'pending' }, now)).toEqual({ action: 'attempt' });
    expect(decideOnWake({ ...base, status: 'in_flight' }, now).action).toBe('wait');
    expect(decideOnWake({ ...base, status: 'in_flight', updatedAt: new Date(now - 120_000) }, now)).toEqual({ action: 'attempt' });
  });
});

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'sqlite'],
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
];

describe.each(MATRIX)('deliveries on %s bus with %s', (busKind, dbKind) => {
  const infra = new TestInfrastructure();
  let bus: EventBus;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const running: SubgraphService[] = [];

  beforeAll(async () => {
    bus = await infra.bus(busKind);
    receiver = await startReceiver();
  });
  // Services of different tests share one bus but not one database: never leave one running.
  afterEach(async () => {
    for (const service of running.splice(0)) await service.stop().catch(() => undefined);
  });
  afterAll(async () => {
    await receiver.stop();
    await infra.stop();
  });

  async function start(url: string, ownBus = bus) {
    const service = await createSubgraphService(definition, {
      bus: ownBus,
      logger: quietLogger,
      env: { DATABASE_URL: url, GATEWAY_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', HOST: '127.0.0.1' },
    });
    await service.start();
    running.push(service);
    return service;
  }

  const enqueue = (service: SubgraphService, kind: string, payload: object, reference: string) =>
    service.deps.transaction(async (tx) => service.deps.deliveries.enqueue(tx, { kind, url: receiver.url, body: JSON.stringify(payload), reference }).id);
  const received = (reference: string) => receiver.received.filter((r) => JSON.parse(r.body).ref === reference);

  it('retries an unacknowledged delivery with growing gaps and a stable id, then reports it exhausted', async () => {
    const service = await start(await infra.databaseUrl(dbKind));
    const ref = `exhaust-${busKind}-${dbKind}`;
    const id = await enqueue(service, 'test.acked', { ref }, ref);
    await eventually(() => service.deps.db.em().findOneOrFail(Delivery, { id }), (d) => d.status === 'exhausted', { timeoutMs: 15_000 });
    const hits = received(ref);
    expect(hits.map((h) => JSON.parse(h.body)._delivery_attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(hits.map((h) => JSON.parse(h.body)._delivery_id))).toEqual(new Set([id]));
    // Each gap is at least the ACK wait plus that attempt's backoff (100, 200, 400 ms): the
    // minimum grows with every attempt. (A loaded machine can only make gaps longer.)
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
    const minimums = [1, 2, 3].map((n) => 150 + acked.backoffMs(n));
    expect(minimums).toEqual([250, 350, 550]);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(minimums[i]! - 15));
    const attempts = await service.deps.db.em().find(DeliveryAttempt, { deliveryId: id }, { orderBy: { attempt: 'asc' } });
    expect(attempts.map((a) => [a.attempt, a.statusCode])).toEqual([[1, 200], [2, 200], [3, 200], [4, 200]]);
    const exhausted = await service.deps.db.em().find(OutboxEvent, { type: 'payments.delivery.exhausted' });
    const data = exhausted.map((e) => JSON.parse(e.envelope)).find((e) => e.data.deliveryId === id);
    expect(data.data).toMatchObject({ reference: ref, attempts: 4, summary: expect.stringMatching(/never acknowledged/) });
    expect(data.subject).toBe(`payments:test.acked:${new URL(receiver.url).origin}`);
    await service.stop();
  });

  it('stops at once when acknowledged after attempt 2', async () => {
    const service = await start(await infra.databaseUrl(dbKind));
    const ref = `ack-${busKind}-${dbKind}`;
    const id = await enqueue(service, 'test.acked-slowly', { ref }, ref);
    await eventually(async () => received(ref).length, (n) => n === 2, { timeoutMs: 10_000 });
    await service.deps.transaction(({ em }) => service.deps.deliveries.acknowledge(em, id));
    await service.deps.transaction(({ em }) => service.deps.deliveries.acknowledge(em, id)); // idempotent
    await new Promise((r) => setTimeout(r, 2_500)); // past the ACK wait and the backoff
    expect(received(ref)).toHaveLength(2);
    expect((await service.deps.db.em().findOneOrFail(Delivery, { id })).status).toBe('acknowledged');
    await service.stop();
  });

  it('records failures with status and latency, retries, and delivers once the receiver recovers', async () => {
    const service = await start(await infra.databaseUrl(dbKind));
    const ref = `recover-${busKind}-${dbKind}`;
    receiver.respondWith(503);
    const id = await enqueue(service, 'test.plain', { ref }, ref);
    await eventually(async () => received(ref).length, (n) => n === 1);
    receiver.respondWith(200);
    const done = await eventually(() => service.deps.db.em().findOneOrFail(Delivery, { id }), (d) => d.status === 'delivered');
    expect(done.attempts).toBe(2);
    const listed = await signedGraphql(service.app, `{ paymentsDeliveries(reference: "${ref}") { status attempts attemptLog { attempt statusCode latencyMs error } } }`, {}, ['ops']);
    expect(listed.body.data.paymentsDeliveries).toEqual([
      {
        status: 'delivered',
        attempts: 2,
        attemptLog: [
          { attempt: 1, statusCode: 503, latencyMs: expect.any(Number), error: 'HTTP 503' },
          { attempt: 2, statusCode: 200, latencyMs: expect.any(Number), error: null },
        ],
      },
    ]);
    await service.stop();
  });

  it('sends a one-shot delivery exactly once, even when it fails', async () => {
    const service = await start(await infra.databaseUrl(dbKind));
    const ref = `once-${busKind}-${dbKind}`;
    receiver.respondWith(500);
    const id = await enqueue(service, 'test.once', { ref }, ref);
    await eventually(() => service.deps.db.em().findOneOrFail(Delivery, { id }), (d) => d.status === 'exhausted');
    await new Promise((r) => setTimeout(r, 500));
    expect(received(ref)).toHaveLength(1);
    receiver.respondWith(200);
    await service.stop();
  });

  it('wakes a delivery whose wake-up was lost once it is long overdue, and attempts it once', async () => {
    const service = await start(await infra.databaseUrl(dbKind));
    const ref = `overdue-${busKind}-${dbKind}`;
    const id = `overdue-${busKind}-${dbKind}`;
    // Due a minute ago, with no wake-up on the bus (its consumer died holding it).
    await service.deps.transaction(async ({ em }) => {
      em.create(Delivery, {
        id, kind: 'test.plain', reference: ref, targetUrl: receiver.url, method: 'POST', body: JSON.stringify({ ref }),
        maxAttempts: 3, nextAttemptAt: new Date(Date.now() - 60_000), createdAt: new Date(Date.now() - 70_000),
      });
    });
    expect(await service.deps.deliveries.requeueOverdue()).toBe(1);
    expect(await service.deps.deliveries.requeueOverdue()).toBe(0); // not again right away
    const row = await eventually(() => service.deps.db.em().findOneOrFail(Delivery, { id }), (d) => d.status === 'delivered');
    expect(row.attempts).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(received(ref)).toHaveLength(1);
  });

  it('continues a retry sequence after the process stops mid-way', async () => {
    const url = await infra.databaseUrl(dbKind);
    const first = await start(url);
    const ref = `restart-${busKind}-${dbKind}`;
    const id = await enqueue(first, 'test.acked', { ref }, ref);
    await eventually(async () => received(ref).length, (n) => n === 1);
    await first.stop();
    // A real restart of an in-process deployment starts with an empty bus; NATS keeps its messages.
    const second = await start(url, busKind === 'in-process' ? new InProcessEventBus() : bus);
    await eventually(() => second.deps.db.em().findOneOrFail(Delivery, { id }), (d) => d.status === 'exhausted', { timeoutMs: 15_000 });
    const attempts = received(ref).map((h) => JSON.parse(h.body)._delivery_attempt);
    expect(attempts).toEqual([1, 2, 3, 4]);
    await second.stop();
  });
});

describe('outbound URL policy', () => {
  it('refuses private targets when private networks are not allowed, and records why', async () => {
    const infra = new TestInfrastructure();
    const service = await createSubgraphService(definition, {
      bus: await infra.bus('in-process'),
      logger: quietLogger,
      env: { DATABASE_URL: await infra.databaseUrl('sqlite'), GATEWAY_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'false' },
    });
    await service.start();
    const id = await service.deps.transaction(async (tx) =>
      service.deps.deliveries.enqueue(tx, { kind: 'test.once', url: 'http://127.0.0.1:9/hook', body: '{}' }).id,
    );
    const row = await eventually(() => service.deps.db.em().findOneOrFail(Delivery, { id }), (d) => d.status === 'exhausted');
    expect(row.lastError).toMatch(/refused-url: host 127.0.0.1 resolves to a private or loopback address/);
    await service.stop();
    await infra.stop();
  });
});
