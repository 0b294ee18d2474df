import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import {
  createEvent,
  EVENT_ENTITIES,
  KIT_MIGRATIONS,
  openDatabase,
  OutboxEvent,
  OutboxRelay,
  type Database,
  type EventBus,
  type EventEnvelope,
} from '../src/index.js';
import { quietLogger, TestInfrastructure, type BusKind, type DbKind } from './support/environments.js';

/** A real bus whose publish of chosen event ids fails, as a NATS timeout would, until healed. */
function flakyBus(bus: EventBus, failing: Set<string>): EventBus {
  return new Proxy(bus, {
    get(target, property, receiver) {
      if (property !== 'publish') return Reflect.get(target, property, receiver);
      return async (event: EventEnvelope) => {
        // Fail after the others of the batch were sent: the failure is not first in line.
        if (failing.has(event.id)) throw await Promise.resolve(new Error(`publish timed out for ${event.id}`));
        return target.publish(event);
      };
    },
  });
}

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
];

describe.each(MATRIX)('outbox relay on %s bus with %s', (busKind, dbKind) => {
  const infra = new TestInfrastructure();
  const databases: Database[] = [];
  afterAll(async () => {
    for (const db of databases) await db.close();
    await infra.stop();
  });

  async function setUp(entity: string, count: number) {
    const db = await openDatabase({ url: await infra.databaseUrl(dbKind), entities: EVENT_ENTITIES, migrations: KIT_MIGRATIONS });
    databases.push(db);
    const bus = await infra.bus(busKind);
    const events = Array.from({ length: count }, (_, i) => createEvent({ type: `helpdesk.${entity}.happened`, source: 'test', data: { i } }));
    const em = db.em();
    // Distinct creation times: the relay publishes in (createdAt, id) order.
    const base = Date.now();
    events.forEach((event, i) => em.persist(Object.assign(OutboxEvent.of(event), { createdAt: new Date(base + i) })));
    await em.flush();
    const seen: number[] = [];
    await bus.subscribe({ durable: `relay-${entity}`, subjects: [`helpdesk.${entity}.happened`], concurrency: 1 }, async (delivery) => {
      seen.push((delivery.event.data as { i: number }).i);
      delivery.ack();
    });
    return { db, bus, events, seen };
  }

  it('publishes a whole batch pipelined, in outbox order, and marks every row', async () => {
    const entity = `pipelined${busKind.replace('-', '')}${dbKind}`;
    const { db, bus, seen } = await setUp(entity, 500);
    const relay = new OutboxRelay(db, bus, quietLogger, { batchSize: 200 });
    expect(await relay.flush()).toBe(500);
    await eventually(async () => seen.length, (n) => n === 500);
    expect(seen).toEqual([...Array(500).keys()]);
    expect(await db.em().count(OutboxEvent, { publishedAt: null })).toBe(0);
    expect(await relay.flush()).toBe(0);
  });

  it('a failed publish in the middle of a batch: the rest go out, the failed one on the next pass, each once', async () => {
    const entity = `partial${busKind.replace('-', '')}${dbKind}`;
    const failing = new Set<string>();
    const { db, bus, events, seen } = await setUp(entity, 10);
    failing.add(events[3]!.id);
    const relay = new OutboxRelay(db, flakyBus(bus, failing), quietLogger);
    await expect(relay.flush()).rejects.toThrow(`publish timed out for ${events[3]!.id}`);

    const stuck = await db.em().find(OutboxEvent, { publishedAt: null });
    expect(stuck.map((row) => row.id)).toEqual([events[3]!.id]);
    expect(stuck[0]).toMatchObject({ publishAttempts: 1, lastError: `publish timed out for ${events[3]!.id}` });
    await eventually(async () => seen.length, (n) => n === 9);

    failing.clear();
    expect(await relay.flush()).toBe(1);
    await eventually(async () => seen.length, (n) => n === 10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    const healed = await db.em().findOneOrFail(OutboxEvent, { id: events[3]!.id });
    expect(healed).toMatchObject({ publishAttempts: 2, lastError: null });
    expect(healed.publishedAt).toBeInstanceOf(Date);
  });
});
