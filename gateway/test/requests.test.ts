import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDevToken, type Gateway } from '../src/index.js';
import { JWT_SECRET, postGraphql, postRaw, startGateway } from './fixtures/gateway.js';
import { paymentsTypeDefs, startPaymentsFixture } from './fixtures/subgraph.js';
import { composeSupergraph, writeSupergraph } from './fixtures/supergraph.js';

let subgraph: Awaited<ReturnType<typeof startPaymentsFixture>>;
let gateway: Gateway;
let auth: Record<string, string>;

beforeAll(async () => {
  subgraph = await startPaymentsFixture();
  const supergraphPath = writeSupergraph(
    composeSupergraph([{ name: 'payments', url: subgraph.url, typeDefs: paymentsTypeDefs(false) }]),
  );
  gateway = await startGateway({
    SUPERGRAPH_PATH: supergraphPath,
    GATEWAY_MAX_DEPTH: '4',
    GATEWAY_MAX_ALIASES: '3',
    GATEWAY_MAX_COST: '30',
    GATEWAY_BODY_LIMIT_BYTES: '2048',
    GATEWAY_SUBGRAPH_TIMEOUT_MS: '300',
  });
  auth = { authorization: `Bearer ${await issueDevToken(JWT_SECRET, { sub: 'u-1', roles: ['ops'] }, 300)}` };
});
afterAll(async () => {
  await gateway?.stop();
  await subgraph?.stop();
});

describe('query limits', () => {
  it('allows a query at the depth limit', async () => {
    const res = await postGraphql(gateway, '{ node { child { child { value } } } }', auth);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ node: { child: { child: { value: 1 } } } });
  });

  it('refuses a query deeper than GATEWAY_MAX_DEPTH with 400', async () => {
    const res = await postGraphql(gateway, '{ node { child { child { child { value } } } } }', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toMatchObject({
      message: 'Query depth limit of 4 exceeded, found 5.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('refuses more aliases than GATEWAY_MAX_ALIASES with 400', async () => {
    const res = await postGraphql(gateway, '{ a: node { value } b: node { value } c: node { value } d: node { value } }', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toMatchObject({
      message: 'Aliases limit of 3 exceeded, found 4.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('refuses a query over GATEWAY_MAX_COST with 400, even within depth and alias limits', async () => {
    const cheap = await postGraphql(gateway, '{ node { child { value } } }', auth);
    expect(cheap.status).toBe(200);
    const wide = '{ a: node { child { child { value } } } b: node { child { child { value } } } c: node { child { child { value } } } }';
    const res = await postGraphql(gateway, wide, auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/Query Cost limit of 30 exceeded, found \d+\./),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('still allows introspection (depth limit ignores __schema)', async () => {
    const res = await postGraphql(gateway, '{ __schema { queryType { fields { name type { kind ofType { name } } } } } }', auth);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body.data)).toContain('whoami');
  });

  it('refuses a body over GATEWAY_BODY_LIMIT_BYTES with 413', async () => {
    const res = await postGraphql(gateway, `{ whoami { sub } } # ${'x'.repeat(4096)}`, auth);
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.errors?.[0]?.message).toBe('request body is larger than the 2048-byte limit');
  });
});

describe('malformed requests get 400, never 500', () => {
  it('GraphQL syntax error', async () => {
    const res = await postGraphql(gateway, '{ whoami { sub ', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });

  it('unknown field', async () => {
    const res = await postGraphql(gateway, '{ nope }', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
  });

  it('body that is not JSON', async () => {
    const res = await postRaw(gateway, '{"query": "{ whoami { sub } }"', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(res.body.errors?.[0]?.message).toMatch(/not valid JSON/);
  });

  it('empty body', async () => {
    const res = await postRaw(gateway, '', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/empty/);
  });

  it('JSON without a query', async () => {
    const res = await postRaw(gateway, '{"variables":{}}', auth);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/query/);
  });

  it('JSON that is not an object', async () => {
    const res = await postRaw(gateway, '[1,2]', auth);
    expect(res.status).toBe(400);
  });

  it('variables of the wrong type', async () => {
    const res = await postGraphql(gateway, 'query($ms: Int!) { slow(ms: $ms) }', auth, { ms: 'soon' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/\$ms/);
  });
});

describe('subgraph calls', () => {
  it('gives up on a slow subgraph after GATEWAY_SUBGRAPH_TIMEOUT_MS', async () => {
    const started = Date.now();
    const res = await postGraphql(gateway, '{ slow(ms: 2000) }', auth);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.body.errors?.[0]?.message).toMatch(/subgraph payments did not respond within 300 ms/);
  });

  it('reuses connections (keep-alive) across requests', async () => {
    const ports = new Set<unknown>();
    for (let i = 0; i < 5; i += 1) {
      const res = await postGraphql(gateway, '{ peerPort }', auth);
      ports.add(res.body.data?.peerPort);
    }
    expect(ports.size).toBe(1);
  });
});

describe('GET /graphql and service endpoints', () => {
  it('GET queries need credentials too', async () => {
    const url = `${gateway.url()}/graphql?query=${encodeURIComponent('{ whoami { sub } }')}`;
    const anonymous = await fetch(url, { headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(401);
    const authed = await fetch(url, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
    expect(authed.status).toBe(200);
    expect(await authed.json()).toEqual({ data: { whoami: { sub: 'u-1' } } });
  });

  it('serves the landing page to a browser outside production', async () => {
    const res = await fetch(`${gateway.url()}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('reports health, readiness and metrics', async () => {
    expect((await fetch(`${gateway.url()}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { supergraph: 'ok' } });
    const metrics = await (await fetch(`${gateway.url()}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds');
  });
});

describe('production mode', () => {
  it('serves no landing page and answers every unauthenticated method with 401', async () => {
    const supergraphPath = writeSupergraph(
      composeSupergraph([{ name: 'payments', url: subgraph.url, typeDefs: paymentsTypeDefs(false) }]),
    );
    const production = await startGateway({ SUPERGRAPH_PATH: supergraphPath, NODE_ENV: 'production' });
    try {
      const browser = await fetch(`${production.url()}/graphql`, { headers: { accept: 'text/html' } });
      expect(browser.status).toBe(401);
      const head = await fetch(`${production.url()}/graphql`, { method: 'HEAD' });
      expect(head.status).toBe(401);
      const res = await postGraphql(production, '{ whoami { sub } }', auth);
      expect(res.body).toEqual({ data: { whoami: { sub: 'u-1' } } });
    } finally {
      await production.stop();
    }
  });
});
