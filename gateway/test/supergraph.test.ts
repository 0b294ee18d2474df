import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, issueDevToken, loadGatewayConfig, type Gateway } from '../src/index.js';
import { JWT_SECRET, eventually, postGraphql, startGateway } from './fixtures/gateway.js';
import { SIGNING_SECRET, paymentsTypeDefs, startPaymentsFixture } from './fixtures/subgraph.js';
import { composeSupergraph, tempDir, writeSupergraph } from './fixtures/supergraph.js';

let subgraph: Awaited<ReturnType<typeof startPaymentsFixture>>;
let auth: Record<string, string>;

beforeAll(async () => {
  subgraph = await startPaymentsFixture();
  auth = { authorization: `Bearer ${await issueDevToken(JWT_SECRET, { sub: 'u-1', roles: ['ops'] }, 300)}` };
});
afterAll(async () => {
  await subgraph?.stop();
});

const supergraph = (withNewField: boolean, url = subgraph.url) =>
  composeSupergraph([{ name: 'payments', url, typeDefs: paymentsTypeDefs(withNewField) }]);

/**
 * The layout kubelet uses for a ConfigMap volume: the file is a symlink through `..data`, and an
 * update swaps `..data` atomically to a new timestamped directory.
 */
function configMapVolume(initial: string) {
  const dir = tempDir();
  let version = 0;
  const publish = (content: string) => {
    version += 1;
    const versionDir = `..v${version}`;
    mkdirSync(join(dir, versionDir));
    writeFileSync(join(dir, versionDir, 'supergraph.graphql'), content);
    symlinkSync(versionDir, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  publish(initial);
  symlinkSync(join('..data', 'supergraph.graphql'), join(dir, 'supergraph.graphql'));
  return { path: join(dir, 'supergraph.graphql'), publish };
}

describe('hot reload', () => {
  let gateway: Gateway;
  let volume: ReturnType<typeof configMapVolume>;

  beforeAll(async () => {
    volume = configMapVolume(supergraph(false));
    gateway = await startGateway({ SUPERGRAPH_PATH: volume.path });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('serves a new field after the file changes, without a restart', async () => {
    const before = await postGraphql(gateway, '{ newField }', auth);
    expect(before.status).toBe(400);
    expect(before.body.errors?.[0]?.message).toMatch(/Cannot query field "newField"/);

    volume.publish(supergraph(true));
    await eventually(async () => {
      const after = await postGraphql(gateway, '{ newField }', auth);
      expect(after.body).toEqual({ data: { newField: 'hello from the new field' } });
    });
  });

  it('keeps serving the previous schema when the new file is invalid', async () => {
    volume.publish('this is not a supergraph');
    await eventually(async () => {
      const metrics = await (await fetch(`${gateway.url()}/metrics`)).text();
      expect(metrics).toMatch(/gateway_supergraph_reloads_total\{outcome="error"[^}]*\} 1/);
    });
    const res = await postGraphql(gateway, '{ newField whoami { sub } }', auth);
    expect(res.body).toEqual({ data: { newField: 'hello from the new field', whoami: { sub: 'u-1' } } });
    expect((await fetch(`${gateway.url()}/readyz`)).status).toBe(200);
  });

  it('picks up a valid file again after an invalid one', async () => {
    volume.publish(supergraph(false));
    await eventually(async () => {
      const res = await postGraphql(gateway, '{ newField }', auth);
      expect(res.status).toBe(400);
    });
  });

  it('also follows in-place edits of a plain file', async () => {
    const path = writeSupergraph(supergraph(false));
    const plain = await startGateway({ SUPERGRAPH_PATH: path });
    try {
      writeFileSync(path, supergraph(true));
      await eventually(async () => {
        expect((await postGraphql(plain, '{ newField }', auth)).status).toBe(200);
      });
    } finally {
      await plain.stop();
    }
  });
});

describe('routing URL overrides', () => {
  it('PAYMENTS_URL replaces the routing URL written in the supergraph', async () => {
    const path = writeSupergraph(supergraph(false, 'http://127.0.0.1:9/graphql'));
    const gateway = await startGateway({ SUPERGRAPH_PATH: path, PAYMENTS_URL: subgraph.base });
    try {
      const res = await postGraphql(gateway, '{ whoami { sub } }', auth);
      expect(res.body).toEqual({ data: { whoami: { sub: 'u-1' } } });
    } finally {
      await gateway.stop();
    }
  });
});

describe('start-up failures', () => {
  const config = (path: string) =>
    loadGatewayConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SUPERGRAPH_PATH: path,
      GATEWAY_SIGNING_SECRET: SIGNING_SECRET,
      JWT_SECRET,
      LOG_LEVEL: 'silent',
    });

  it('a missing supergraph file stops start with a clear error', async () => {
    const gateway = createGateway(config(join(tempDir(), 'missing.graphql')));
    await expect(gateway.start()).rejects.toThrow(/cannot read supergraph .*missing\.graphql \(SUPERGRAPH_PATH\): file not found/);
    await gateway.stop();
  });

  it('an invalid supergraph file stops start with a clear error', async () => {
    const gateway = createGateway(config(writeSupergraph('type Query { a: String }')));
    await expect(gateway.start()).rejects.toThrow(/invalid supergraph .* \(SUPERGRAPH_PATH\)/);
    await gateway.stop();
  });

  it('is not ready before start', async () => {
    const gateway = createGateway(config(writeSupergraph(supergraph(false))));
    const res = await gateway.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ checks: { supergraph: 'supergraph not loaded' } });
    await gateway.stop();
  });
});
