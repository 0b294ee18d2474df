import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/kit';
import { loadGatewayConfig, type Gateway } from '../src/index.js';
import { postGraphql, startGateway } from './fixtures/gateway.js';
import { paymentsTypeDefs, startPaymentsFixture } from './fixtures/subgraph.js';
import { composeSupergraph, writeSupergraph } from './fixtures/supergraph.js';

const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/console/assets/index-AbC123xy.js"></script></head><body><div id="root"></div></body></html>';
const ASSET_JS = 'console.log("console app");';

/** A directory shaped like `vite build` output. */
function fakeConsoleBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'assets', 'index-AbC123xy.js'), ASSET_JS);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  return dir;
}

let subgraph: Awaited<ReturnType<typeof startPaymentsFixture>>;
let supergraphPath: string;
const dirs: string[] = [];

beforeAll(async () => {
  subgraph = await startPaymentsFixture();
  supergraphPath = writeSupergraph(composeSupergraph([{ name: 'payments', url: subgraph.url, typeDefs: paymentsTypeDefs(false) }]));
});
afterAll(async () => {
  await subgraph?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('console static files (GATEWAY_CONSOLE_DIR)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const dir = fakeConsoleBuild();
    dirs.push(dir);
    gateway = await startGateway({ SUPERGRAPH_PATH: supergraphPath, GATEWAY_CONSOLE_DIR: dir });
  });
  afterAll(async () => gateway?.stop());

  it('serves index.html at /console/ and /console, revalidated on every load, with a strict CSP', async () => {
    for (const path of ['/console/', '/console']) {
      const res = await fetch(`${gateway.url()}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(INDEX_HTML);
    }
  });

  it('answers deep links with the app (SPA fallback), so a reload on any page works', async () => {
    for (const path of ['/console/customers/ada%40example.com', '/console/helpdesk/42?tab=thread', '/console/billing/']) {
      // As a browser navigates (the e-mail in the first path looks like a file name otherwise).
      const res = await fetch(`${gateway.url()}${path}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX_HTML);
    }
  });

  it('caches hashed assets for a year and serves them with their type', async () => {
    const res = await fetch(`${gateway.url()}/console/assets/index-AbC123xy.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe(ASSET_JS);
    const unhashed = await fetch(`${gateway.url()}/console/favicon.svg`);
    expect(unhashed.status).toBe(200);
    expect(unhashed.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 404 for a missing file rather than the app, and never serves dot-files or paths outside the build', async () => {
    for (const accept of ['*/*', 'text/html']) {
      const missing = await fetch(`${gateway.url()}/console/assets/gone-12345678.js`, { headers: { accept } });
      expect(missing.status).toBe(404);
      expect(await missing.text()).not.toContain('<html');
    }
    expect((await fetch(`${gateway.url()}/console/logo.png`)).status).toBe(404);
    const dotfile = await fetch(`${gateway.url()}/console/.env`);
    expect(await dotfile.text()).not.toContain('SECRET');
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2fpackage.json']) {
      const res = await fetch(`${gateway.url()}${path}`);
      expect(await res.text(), path).not.toContain('"name"');
    }
  });

  it('leaves /graphql and the other routes alone', async () => {
    const res = await postGraphql(gateway, '{ whoami { sub } }');
    expect(res.status).toBe(401);
    expect((await fetch(`${gateway.url()}/healthz`)).status).toBe(200);
    expect((await fetch(`${gateway.url()}/elsewhere`)).status).toBe(404);
  });
});

describe('console not built', () => {
  it('answers /console with a 404 that says how to build it', async () => {
    const gateway = await startGateway({ SUPERGRAPH_PATH: supergraphPath, GATEWAY_CONSOLE_DIR: join(tmpdir(), 'no-such-console-dir') });
    try {
      for (const path of ['/console', '/console/customers']) {
        const res = await fetch(`${gateway.url()}${path}`);
        expect(res.status).toBe(404);
        expect(await res.text()).toMatch(/not built.*pnpm --filter @switchboard\/console build/);
      }
    } finally {
      await gateway.stop();
    }
  });
});

describe('dev sign-in (GATEWAY_DEV_LOGIN)', () => {
  it('is off by default: GET and POST answer 404, and no token is issued', async () => {
    const gateway = await startGateway({ SUPERGRAPH_PATH: supergraphPath });
    try {
      const get = await fetch(`${gateway.url()}/console/dev-login`);
      expect(get.status).toBe(404);
      const post = await fetch(`${gateway.url()}/console/dev-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin' }),
      });
      expect(post.status).toBe(404);
      expect(JSON.stringify(await post.json())).not.toMatch(/token/);
    } finally {
      await gateway.stop();
    }
  });

  describe('when enabled', () => {
    let gateway: Gateway;
    beforeAll(async () => {
      gateway = await startGateway({ SUPERGRAPH_PATH: supergraphPath, GATEWAY_DEV_LOGIN: 'true', GATEWAY_DEV_LOGIN_TTL_SECONDS: '120' });
    });
    afterAll(async () => gateway?.stop());

    const login = (body: unknown, contentType = 'application/json') =>
      fetch(`${gateway.url()}/console/dev-login`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('says so and lists the roles', async () => {
      const res = await fetch(`${gateway.url()}/console/dev-login`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ enabled: true, roles: ['admin', 'ops', 'finance', 'support'], ttlSeconds: 120 });
    });

    it('issues a short-lived JWT for the chosen role that the gateway accepts', async () => {
      const before = Date.now();
      const res = await login({ role: 'finance' });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { token: string; roles: string[]; expiresAt: string };
      expect(body.roles).toEqual(['finance']);
      const ttl = Date.parse(body.expiresAt) - before;
      expect(ttl).toBeGreaterThan(100_000);
      expect(ttl).toBeLessThanOrEqual(125_000);
      const claims = JSON.parse(Buffer.from(body.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims).toMatchObject({ sub: 'dev-finance', roles: ['finance'] });
      expect((claims.exp as number) - (claims.iat as number)).toBe(120);

      const whoami = await postGraphql(gateway, '{ whoami { sub roles via } }', { authorization: `Bearer ${body.token}` });
      expect(whoami.status).toBe(200);
      expect(whoami.body.data).toEqual({ whoami: { sub: 'dev-finance', roles: ['finance'], via: 'jwt' } });
    });

    it('refuses an unknown or missing role with 400 naming the field', async () => {
      for (const body of [{ role: 'root' }, {}, { role: ['admin'] }]) {
        const res = await login(body);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: 'role must be one of admin, ops, finance, support', field: 'role' });
      }
    });

    it('issues nothing to a form post or plain text (what a cross-site page could send)', async () => {
      const form = await login('role=admin', 'application/x-www-form-urlencoded');
      expect(form.status).toBe(415);
      const text = await login('{"role":"admin"}', 'text/plain');
      expect(text.status).toBe(400);
      expect(JSON.stringify(await text.json())).not.toMatch(/token/);
    });
  });

  it('is refused by configuration in production and without JWT_SECRET', () => {
    const base = { GATEWAY_SIGNING_SECRET: 'sixteen-chars-ok!', GATEWAY_DEV_LOGIN: 'true' };
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadGatewayConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problemsOf({ ...base, JWT_SECRET: 'x'.repeat(32), NODE_ENV: 'production' })).toEqual([
      { variable: 'GATEWAY_DEV_LOGIN', message: expect.stringMatching(/refused when NODE_ENV=production/) },
    ]);
    expect(problemsOf({ ...base, GATEWAY_API_KEYS: `svc:${'a'.repeat(64)}:ops` })).toEqual([
      { variable: 'GATEWAY_DEV_LOGIN', message: expect.stringMatching(/JWT_SECRET/) },
    ]);
    expect(loadGatewayConfig({ ...base, JWT_SECRET: 'x'.repeat(32) })).toMatchObject({ GATEWAY_DEV_LOGIN: true, GATEWAY_DEV_LOGIN_TTL_SECONDS: 3600 });
  });
});
