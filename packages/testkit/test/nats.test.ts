import { existsSync } from 'node:fs';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { natsServerAvailable, startNats, type NatsServerHandle } from '../src/index.js';

// On CI nats-server must be there (.ci/run installs it): never skip silently.
const skip = !natsServerAvailable() && !process.env['CI'];

describe.skipIf(skip)('startNats', () => {
  let nats: NatsServerHandle;
  const connections: NatsConnection[] = [];

  async function client(): Promise<NatsConnection> {
    const nc = await connect({ servers: nats.url, reconnect: false });
    connections.push(nc);
    return nc;
  }

  beforeAll(async () => {
    nats = await startNats();
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it('serves JetStream on 127.0.0.1 and a JetStream message survives restart()', async () => {
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    const nc = await client();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    const js = jetstream(nc);
    const ack = await js.publish('orders.created', JSON.stringify({ id: 'o-1' }));
    expect(ack.stream).toBe('ORDERS');
    expect(ack.seq).toBe(1);

    // Read it back through a durable pull consumer.
    await jsm.consumers.add('ORDERS', { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get('ORDERS', 'reader');
    const msg = await consumer.next({ expires: 5000 });
    expect(msg?.subject).toBe('orders.created');
    expect(msg?.json()).toEqual({ id: 'o-1' });
    msg?.ack();
    await nc.flush();
    await nc.close();

    const { port, storeDir } = nats;
    const pidBefore = nats.pid;
    await nats.restart();
    expect(nats.port).toBe(port);
    expect(nats.storeDir).toBe(storeDir);
    expect(nats.pid).toBeDefined();
    expect(nats.pid).not.toBe(pidBefore);

    const nc2 = await client();
    const jsm2 = await jetstreamManager(nc2);
    const info = await jsm2.streams.info('ORDERS');
    expect(info.state.messages).toBe(1);
    const stored = await jsm2.streams.getMessage('ORDERS', { seq: 1 });
    expect(stored?.subject).toBe('orders.created');
    expect(stored?.json()).toEqual({ id: 'o-1' });
  });

  it('kill() is a crash: the server is gone until restart(), and the data is kept', async () => {
    const nc = await client();
    const js = jetstream(nc);
    await js.publish('orders.paid', 'second');
    await nc.close();

    await nats.kill();
    expect(nats.pid).toBeUndefined();
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 1000 })).rejects.toThrow();

    await nats.restart();
    const nc2 = await client();
    const jsm = await jetstreamManager(nc2);
    expect((await jsm.streams.info('ORDERS')).state.messages).toBe(2);
    const stored = await jsm.streams.getMessage('ORDERS', { last_by_subj: 'orders.paid' });
    expect(stored?.string()).toBe('second');
  });

  it('stop() terminates the server and removes its store dir', async () => {
    const other = await startNats();
    expect(other.port).not.toBe(nats.port);
    expect(existsSync(other.storeDir)).toBe(true);
    await other.stop();
    expect(other.pid).toBeUndefined();
    expect(existsSync(other.storeDir)).toBe(false);
    await other.stop(); // idempotent
    await expect(other.restart()).rejects.toThrow(/stopped/);
  });
});

describe('startNats without a binary', () => {
  it('fails with an install hint', async () => {
    const saved = process.env['NATS_SERVER_BIN'];
    process.env['NATS_SERVER_BIN'] = '/nonexistent/nats-server';
    try {
      expect(natsServerAvailable()).toBe(false);
      await expect(startNats()).rejects.toThrow('nats-server not installed: apt-get install -y nats-server');
    } finally {
      if (saved === undefined) delete process.env['NATS_SERVER_BIN'];
      else process.env['NATS_SERVER_BIN'] = saved;
    }
  });
});
