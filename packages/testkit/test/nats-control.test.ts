import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsServerAvailable, startNats, stopNatsServer, type NatsServerHandle } from '../src/index.js';

// On CI nats-server must be there (.ci/run installs it): never skip silently.
const skip = !natsServerAvailable() && !process.env['CI'];

describe.skipIf(skip)('stopNatsServer', () => {
  let nats: NatsServerHandle;

  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('takes the server down and keeps it down; restart() brings it back on the same port with the stream', async () => {
    const nc = await connect({ servers: nats.url, reconnect: false });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'OUTAGE', subjects: ['outage.>'] });
    await jetstream(nc).publish('outage.before', 'kept');
    await nc.close();

    await stopNatsServer(nats);
    expect(nats.pid).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Still down: nothing brought it back.
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 1000 })).rejects.toThrow();
    await stopNatsServer(nats); // already down: nothing to do

    const port = nats.port;
    await nats.restart();
    expect(nats.port).toBe(port);
    const again = await connect({ servers: nats.url, reconnect: false });
    try {
      const stored = await (await jetstreamManager(again)).streams.getMessage('OUTAGE', { last_by_subj: 'outage.before' });
      expect(stored?.string()).toBe('kept');
    } finally {
      await again.close();
    }
  });
});
