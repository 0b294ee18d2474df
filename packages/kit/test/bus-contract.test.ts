import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { createEvent, type BusMessage, type EventBus } from '../src/index.js';
import { TestInfrastructure, type BusKind } from './support/environments.js';

/** The contract both buses promise; the same assertions run against each. */
describe.each<BusKind>(['nats', 'in-process'])('event bus contract: %s', (kind) => {
  const infra = new TestInfrastructure();
  let bus: EventBus;
  let n = 0;
  const unique = () => `contract${++n}x${Date.now()}`;

  beforeAll(async () => {
    bus = await infra.bus(kind);
  });
  afterAll(() => infra.stop());

  const event = (entity: string, data: unknown = {}, id?: string) =>
    createEvent({ type: `helpdesk.${entity}.happened`, source: 'test', data, id });

  it('delivers events published before a durable consumer subscribed, in order', async () => {
    const entity = unique();
    for (const i of [1, 2, 3]) await bus.publish(event(entity, { i }));
    const seen: number[] = [];
    const sub = await bus.subscribe({ durable: unique(), subjects: [`helpdesk.${entity}.*`], concurrency: 1 }, async (d) => {
      seen.push((d.event.data as { i: number }).i);
      d.ack();
    });
    await eventually(async () => seen.length, (len) => len === 3);
    expect(seen).toEqual([1, 2, 3]);
    await sub.stop();
  });

  it('de-duplicates a re-published event id', async () => {
    const entity = unique();
    const once = event(entity, { x: 1 });
    await bus.publish(once);
    await bus.publish(once);
    await bus.publish(event(entity, { x: 2 }));
    const ids: string[] = [];
    const sub = await bus.subscribe({ durable: unique(), subjects: [`helpdesk.${entity}.happened`] }, async (d) => {
      ids.push(d.event.id);
      d.ack();
    });
    await eventually(async () => ids.length, (len) => len >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    await sub.stop();
  });

  it('redelivers after nak with the requested delay and counts attempts', async () => {
    const entity = unique();
    const seen: { attempt: number; at: number }[] = [];
    const sub = await bus.subscribe({ durable: unique(), subjects: [`helpdesk.${entity}.happened`] }, async (d: BusMessage) => {
      seen.push({ attempt: d.attempt, at: Date.now() });
      if (d.attempt < 3) d.nak(d.attempt * 150);
      else d.ack();
    });
    await bus.publish(event(entity));
    await eventually(async () => seen.length, (len) => len === 3);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(140);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(290);
    await sub.stop();
  });

  it('redelivers a delivery nobody settles once the ack wait passes', async () => {
    const entity = unique();
    const attempts: number[] = [];
    const sub = await bus.subscribe({ durable: unique(), subjects: [`helpdesk.${entity}.happened`], ackWaitMs: 1_000 }, async (d) => {
      attempts.push(d.attempt);
      if (d.attempt >= 2) d.ack(); // first delivery: a crashed worker that never answers
    });
    await bus.publish(event(entity));
    await eventually(async () => attempts, (a) => a.length === 2, { timeoutMs: 8_000 });
    expect(attempts).toEqual([1, 2]);
    await sub.stop();
  });

  it('shares one durable consumer between replicas: each event is handled by one of them', async () => {
    const entity = unique();
    const durable = unique();
    const byReplica = { a: [] as string[], b: [] as string[] };
    const handler = (replica: 'a' | 'b') => async (d: BusMessage) => {
      byReplica[replica].push(d.event.id);
      d.ack();
    };
    const a = await bus.subscribe({ durable, subjects: [`helpdesk.${entity}.happened`] }, handler('a'));
    const b = await bus.subscribe({ durable, subjects: [`helpdesk.${entity}.happened`] }, handler('b'));
    for (let i = 0; i < 20; i++) await bus.publish(event(entity, { i }));
    await eventually(async () => byReplica.a.length + byReplica.b.length, (total) => total >= 20);
    await new Promise((r) => setTimeout(r, 200));
    const all = [...byReplica.a, ...byReplica.b];
    expect(all).toHaveLength(20);
    expect(new Set(all).size).toBe(20);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('refuses event types outside the known domains', async () => {
    await expect(bus.publish({ ...event('x'), type: 'marketing.thing.done' })).rejects.toThrow(/no known domain|no responders|stream/i);
  });
});
