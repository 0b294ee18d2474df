import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@switchboard/testkit';
import { IDENTITY_HEADER, verifyIdentity } from '@switchboard/kit';
import { IdentitySigner } from '../src/subgraph-data-source.js';
import { subgraphFetcher } from '../src/subgraph-fetcher.js';

/** A subgraph stand-in whose answer each test scripts; it records what it was sent. */
let handler: (request: IncomingMessage, response: ServerResponse, body: string) => void;
let server: Server;
let url: string;
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => handler(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterEach(() => {
  handler = (_request, response) => response.writeHead(500).end();
});
afterAll(async () => {
  await dispatcher.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const fetcherFor = (target: string, timeoutMs = 1_000) => subgraphFetcher({ name: 'payments', url: target, timeoutMs, dispatcher });

describe('subgraph fetcher', () => {
  it('sends the method, headers and body, and answers like a Fetch API response', async () => {
    let seen: { method?: string; path?: string; auth?: string; body?: string } = {};
    handler = (request, response, body) => {
      seen = { method: request.method, path: request.url, auth: request.headers['x-test'] as string, body };
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, max-age=0' });
      response.end('{"data":{"ok":true,"name":"Zoë"}}');
    };
    const response = await fetcherFor(url)(url, { method: 'POST', headers: { 'x-test': 'yes', 'content-type': 'application/json' }, body: '{"query":"{ ok }"}' });
    expect(seen).toEqual({ method: 'POST', path: '/graphql', auth: 'yes', body: '{"query":"{ ok }"}' });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.url).toBe(url);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('private, max-age=0');
    expect(response.headers.get('x-missing')).toBeNull();
    const copy = response.clone();
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ data: { ok: true, name: 'Zoë' } });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(await copy.text()).toBe('{"data":{"ok":true,"name":"Zoë"}}');
  });

  it('hands a non-2xx answer over with its body, for Apollo to turn into an error', async () => {
    handler = (_request, response) => response.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"message":"invalid gateway identity signature"}]}');
    const response = await fetcherFor(url)(url, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errors: [{ message: 'invalid gateway identity signature' }] });
  });

  it('gives up when no answer comes within the timeout', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    await expect(fetcherFor(url, 200)(url, { method: 'POST', body: '{}' })).rejects.toThrow('subgraph payments did not respond within 200 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up when the body stalls after the headers', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":');
    };
    const response = await fetcherFor(url, 200)(url, { method: 'POST', body: '{}' });
    await expect(response.json()).rejects.toThrow('subgraph payments did not respond within 200 ms');
  });

  it('names the subgraph and the reason when it cannot connect', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/graphql`;
    await expect(fetcherFor(closed)(closed, { method: 'POST', body: '{}' })).rejects.toThrow('subgraph payments unreachable: ECONNREFUSED');
  });

  it('reuses kept-alive connections rather than opening one per call', async () => {
    const ports: number[] = [];
    handler = (request, response) => {
      ports.push(request.socket.remotePort!);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}');
    };
    const pool = new Agent({ keepAliveTimeout: 30_000 });
    const fetcher = subgraphFetcher({ name: 'payments', url, timeoutMs: 1_000, dispatcher: pool });
    for (let i = 0; i < 6; i++) await (await fetcher(url, { method: 'POST', body: '{}' })).json();
    await pool.close();
    // The next call can start a moment before the previous connection is back in the pool, so a
    // second connection may open; after that they alternate.
    expect(ports).toHaveLength(6);
    expect(new Set(ports).size).toBeLessThanOrEqual(2);
  });
});

describe('identity signer', () => {
  const SECRET = 'test-signing-secret-0123456789';

  it('signs once per request, however many subgraph calls the plan makes', () => {
    const signer = new IdentitySigner(SECRET);
    const context = { identity: { sub: 'u-1', email: 'ada@example.com', roles: ['ops'], via: 'jwt' as const } };
    const first = signer.headerFor(context);
    expect(signer.headerFor(context)).toBe(first);
    const check = verifyIdentity(first, SECRET);
    expect(check).toEqual({ ok: true, identity: context.identity });
    expect(IDENTITY_HEADER).toBe('x-switchboard-identity');
  });

  it('signs each request for its own caller, and nothing without one', () => {
    const signer = new IdentitySigner(SECRET);
    const ada = signer.headerFor({ identity: { sub: 'ada', roles: [], via: 'jwt' } });
    const grace = signer.headerFor({ identity: { sub: 'grace', roles: ['admin'], via: 'api-key' } });
    expect(verifyIdentity(ada, SECRET)).toMatchObject({ ok: true, identity: { sub: 'ada' } });
    expect(verifyIdentity(grace, SECRET)).toMatchObject({ ok: true, identity: { sub: 'grace', roles: ['admin'] } });
    expect(signer.headerFor({})).toBeUndefined();
  });
});
