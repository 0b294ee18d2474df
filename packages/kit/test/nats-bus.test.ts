import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { createEvent, type BusMessage } from '../src/index.js';
import { TestInfrastructure } from './support/environments.js';

describe('NATS bus: the unacknowledged allowance of a durable consumer', () => {
  const infra = new TestInfrastructure();
  afterAll(() => infra.stop());

  it('hands out at most maxAckPending deliveries not yet acknowledged, and a later subscription can raise it', async () => {
    const bus = await infra.bus('nats');
    const entity = `pending${Date.now()}`;
    for (let i = 0; i < 10; i++) await bus.publish(createEvent({ type: `helpdesk.${entity}.happened`, source: 'test', data: { i } }));
    const held: BusMessage[] = [];
    const spec = { durable: `held-${entity}`, subjects: [`helpdesk.${entity}.happened`], concurrency: 20, ackWaitMs: 60_000 };
    const first = await bus.subscribe({ ...spec, maxAckPending: 3 }, async (message) => void held.push(message));
    await eventually(async () => held.length, (n) => n === 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(held).toHaveLength(3);
    await first.stop();

    // The same durable with a larger allowance (a new release): the rest comes.
    const second = await bus.subscribe({ ...spec, maxAckPending: 50 }, async (message) => void held.push(message));
    await eventually(async () => new Set(held.map((m) => m.event.id)).size, (n) => n === 10, { timeoutMs: 15_000 });
    for (const message of held) message.ack();
    await second.stop();
  });
});
