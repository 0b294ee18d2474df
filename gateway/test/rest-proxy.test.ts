import { createHash, createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_REST_ROUTES, type Gateway } from '../src/index.js';
import { startGateway } from './fixtures/gateway.js';
import { paymentsTypeDefs } from './fixtures/subgraph.js';
import { composeSupergraph, writeSupergraph } from './fixtures/supergraph.js';

interface Seen {
  method: string;
  url: string;
  sha256: string;
  headers: Record<string, unknown>;
}

/** A legacy-style REST adapter that reports exactly what bytes and headers reached it. */
async function startRestFixture(): Promise<{ app: FastifyInstance; base: string }> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.all('/*', async (request): Promise<Seen> => ({
    method: request.method,
    url: request.url,
    sha256: createHash('sha256').update((request.body as Buffer | undefined) ?? Buffer.alloc(0)).digest('hex'),
    headers: request.headers,
  }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base };
}

describe('REST proxy (GATEWAY_REST_PROXY=true)', () => {
  let payments: Awaited<ReturnType<typeof startRestFixture>>;
  let billing: Awaited<ReturnType<typeof startRestFixture>>;
  let gateway: Gateway;

  beforeAll(async () => {
    payments = await startRestFixture();
    billing = await startRestFixture();
    // payments is found through the supergraph's routing URL, billing through BILLING_URL.
    const path = writeSupergraph(
      composeSupergraph([{ name: 'payments', url: `${payments.base}/graphql`, typeDefs: paymentsTypeDefs(false) }]),
    );
    gateway = await startGateway({ SUPERGRAPH_PATH: path, GATEWAY_REST_PROXY: 'true', BILLING_URL: billing.base });
  });
  afterAll(async () => {
    await gateway?.stop();
    await payments?.app.close();
    await billing?.app.close();
  });

  it('forwards a POST with its raw bytes, path, query and signature header intact', async () => {
    // Odd spacing and key order: any re-serialisation would change the bytes and break the HMAC.
    const body = Buffer.from('{ "b":1,  "a" : [1.0, 2e3],"é":"\\u00e9" }\n');
    const signature = createHmac('sha256', 'webhook-secret').update(body).digest('hex');
    const res = await fetch(`${gateway.url()}/proxy/charge?x=1&y=a%20b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature, 'x-request-id': 'rest-1' },
      body,
    });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as Seen;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/proxy/charge?x=1&y=a%20b');
    expect(seen.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(seen.headers['x-signature']).toBe(signature);
    expect(seen.headers['x-request-id']).toBe('rest-1');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('forwards binary and form bodies unchanged, beyond the GraphQL body limit logic', async () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
    const res = await fetch(`${gateway.url()}/api/billing/import`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: binary,
    });
    const seen = (await res.json()) as Seen;
    expect(seen.sha256).toBe(createHash('sha256').update(binary).digest('hex'));
    const form = await fetch(`${gateway.url()}/proxy`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=a%2Bb&amount=1.50',
    });
    expect(((await form.json()) as Seen).sha256).toBe(createHash('sha256').update('token=a%2Bb&amount=1.50').digest('hex'));
  });

  it('never passes a caller-supplied identity header through', async () => {
    const res = await fetch(`${gateway.url()}/ack`, { method: 'POST', headers: { 'x-switchboard-identity': 'forged.sig' } });
    const seen = (await res.json()) as Seen;
    expect(seen.headers['x-switchboard-identity']).toBeUndefined();
  });

  it('leaves prefixes of subgraphs without a known URL unrouted', async () => {
    expect((await fetch(`${gateway.url()}/api/helpdesk/tickets`)).status).toBe(404);
    expect(GATEWAY_REST_ROUTES.helpdesk).toContain('/api/helpdesk');
  });

  it('keeps /graphql on the gateway', async () => {
    const res = await fetch(`${gateway.url()}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });
});

describe('REST proxy disabled (default)', () => {
  it('does not route adapter paths', async () => {
    const payments = await startRestFixture();
    const path = writeSupergraph(
      composeSupergraph([{ name: 'payments', url: `${payments.base}/graphql`, typeDefs: paymentsTypeDefs(false) }]),
    );
    const gateway = await startGateway({ SUPERGRAPH_PATH: path });
    try {
      expect((await fetch(`${gateway.url()}/proxy`, { method: 'POST', body: 'x' })).status).toBe(404);
    } finally {
      await gateway.stop();
      await payments.app.close();
    }
  });
});
