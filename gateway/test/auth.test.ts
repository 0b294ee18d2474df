import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@switchboard/kit';
import { issueDevToken, type Gateway } from '../src/index.js';
import { JWT_SECRET, postGraphql, startGateway } from './fixtures/gateway.js';
import { paymentsTypeDefs, startPaymentsFixture } from './fixtures/subgraph.js';
import { composeSupergraph, writeSupergraph } from './fixtures/supergraph.js';

const WHOAMI = '{ whoami { sub email roles via requestId traceparent } }';
const API_KEY = 'sbk_live_0123456789abcdef';
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let subgraph: Awaited<ReturnType<typeof startPaymentsFixture>>;
let supergraphPath: string;

beforeAll(async () => {
  subgraph = await startPaymentsFixture();
  supergraphPath = writeSupergraph(
    composeSupergraph([{ name: 'payments', url: subgraph.url, typeDefs: paymentsTypeDefs(false) }]),
  );
});
afterAll(async () => {
  await subgraph?.stop();
});

describe('HS256 JWT and API keys', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({
      SUPERGRAPH_PATH: supergraphPath,
      GATEWAY_API_KEYS: `importer:${sha256Hex(API_KEY)}:finance|ops,reader:${sha256Hex('other-key')}:`,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('forwards a signed identity, the request id and traceparent to the subgraph', async () => {
    const token = await issueDevToken(JWT_SECRET, { sub: 'u-1', email: 'ada@example.com', roles: ['ops', 'finance'] }, 60);
    const res = await postGraphql(gateway, WHOAMI, {
      authorization: `Bearer ${token}`,
      'x-request-id': 'req-123',
      traceparent: TRACEPARENT,
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.whoami).toEqual({
      sub: 'u-1',
      email: 'ada@example.com',
      roles: ['ops', 'finance'],
      via: 'jwt',
      requestId: 'req-123',
      traceparent: TRACEPARENT,
    });
    expect(res.headers.get('x-request-id')).toBe('req-123');
  });

  it('refuses an expired token', async () => {
    const token = await new SignJWT({ roles: ['ops'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'token expired', extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await issueDevToken('attacker-secret-0123456789-abcdefghij', { sub: 'admin', roles: ['admin'] }, 60);
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toBe('invalid token signature');
  });

  it('refuses a token whose payload was edited', async () => {
    const token = await issueDevToken(JWT_SECRET, { sub: 'u-1', roles: ['support'] }, 60);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'u-1', roles: ['admin'], exp: 9_999_999_999 })).toString('base64url');
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${header}.${payload}.${signature}` });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toBe('invalid token signature');
  });

  it('refuses alg "none" and tokens without exp', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    const none = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${unsigned}` });
    expect(none.status).toBe(401);
    expect(none.body.errors?.[0]?.message).toMatch(/algorithm/);

    const noExp = await new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('u')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${noExp}` });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toBe('token has no exp claim');
  });

  it('refuses malformed role claims', async () => {
    const token = await new SignJWT({ roles: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u')
      .setExpirationTime('1m').sign(new TextEncoder().encode(JWT_SECRET));
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toBe('token claim roles must be an array of strings');
  });

  it('refuses requests without credentials or with an unknown scheme', async () => {
    const missing = await postGraphql(gateway, WHOAMI);
    expect(missing.status).toBe(401);
    expect(missing.body.errors?.[0]).toEqual({
      message: 'missing credentials: send Authorization: Bearer <token> or X-Api-Key: <key>',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const basic = await postGraphql(gateway, WHOAMI, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.status).toBe(401);
    expect(basic.body.errors?.[0]?.message).toMatch(/expected Bearer/);
  });

  it('accepts a valid API key in X-Api-Key and as a Bearer token', async () => {
    const variants: Record<string, string>[] = [{ 'x-api-key': API_KEY }, { authorization: `Bearer ${API_KEY}` }];
    for (const headers of variants) {
      const res = await postGraphql(gateway, WHOAMI, headers);
      expect(res.status).toBe(200);
      expect(res.body.data?.whoami).toMatchObject({ sub: 'api-key:importer', roles: ['finance', 'ops'], via: 'api-key' });
    }
  });

  it('refuses an unknown API key', async () => {
    const variants: Record<string, string>[] = [{ 'x-api-key': 'sbk_wrong' }, { authorization: 'Bearer sbk_wrong' }];
    for (const headers of variants) {
      const res = await postGraphql(gateway, WHOAMI, headers);
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.message).toBe('invalid API key');
    }
  });

  it('refuses ambiguous credentials', async () => {
    const token = await issueDevToken(JWT_SECRET, { sub: 'u-1', roles: [] }, 60);
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${token}`, 'x-api-key': API_KEY });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toMatch(/not both/);
  });

  it('counts refusals in /metrics', async () => {
    const metrics = await (await fetch(`${gateway.url()}/metrics`)).text();
    expect(metrics).toMatch(/gateway_auth_failures_total\{reason="invalid API key"[^}]*\} \d+/);
  });
});

describe('JWKS', () => {
  let gateway: Gateway;
  let jwksServer: Server;
  let privateKey: PrivateKey;
  let jwksAvailable = true;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      if (!jwksAvailable) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    gateway = await startGateway({
      SUPERGRAPH_PATH: supergraphPath,
      JWT_SECRET: undefined,
      JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      JWT_ISSUER: 'https://idp.example.com/',
      JWT_AUDIENCE: 'switchboard',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  const rs256 = (key: PrivateKey, claims: { iss?: string; aud?: string } = {}) =>
    new SignJWT({ email: 'grace@example.com', roles: ['support'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setSubject('u-2')
      .setIssuer(claims.iss ?? 'https://idp.example.com/')
      .setAudience(claims.aud ?? 'switchboard')
      .setExpirationTime('5m')
      .sign(key);

  it('accepts an RS256 token verified against the JWKS', async () => {
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${await rs256(privateKey)}` });
    expect(res.status).toBe(200);
    expect(res.body.data?.whoami).toMatchObject({ sub: 'u-2', email: 'grace@example.com', roles: ['support'], via: 'jwt' });
  });

  it('refuses the wrong issuer or audience', async () => {
    const iss = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${await rs256(privateKey, { iss: 'https://evil/' })}` });
    expect(iss.status).toBe(401);
    expect(iss.body.errors?.[0]?.message).toBe('token issuer not accepted');
    const aud = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${await rs256(privateKey, { aud: 'other' })}` });
    expect(aud.status).toBe(401);
    expect(aud.body.errors?.[0]?.message).toBe('token audience not accepted');
  });

  it('refuses a token signed by a key that is not in the JWKS', async () => {
    const other = await generateKeyPair('RS256');
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${await rs256(other.privateKey)}` });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toBe('invalid token signature');
  });

  it('refuses HS256 tokens when only JWKS is configured', async () => {
    const token = await issueDevToken(JWT_SECRET, { sub: 'u', roles: ['admin'] }, 60);
    const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toBe('token algorithm HS256 is not accepted');
  });
});

describe('JWKS endpoint down', () => {
  it('answers 503 rather than blaming the caller', async () => {
    const gateway = await startGateway({
      SUPERGRAPH_PATH: supergraphPath,
      JWT_SECRET: undefined,
      JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    });
    try {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setSubject('u')
        .setExpirationTime('1m').sign(privateKey);
      const res = await postGraphql(gateway, WHOAMI, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(503);
      expect(res.body.errors?.[0]).toEqual({
        message: 'cannot verify token: signing keys are unavailable',
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    } finally {
      await gateway.stop();
    }
  });
});
