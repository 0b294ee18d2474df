import { describe, expect, it } from 'vitest';
import type { ConfigError } from '@switchboard/kit';
import { signState, verifyState } from '../../src/clover/index.js';
import { loadDispatcherConfig } from '../../src/dispatcher/config.js';
import { callbackAnswer, launchAnswer } from '../../src/dispatcher/oauth-fanout.js';
import {
  buildRoutingTable,
  customerCallbackUrl,
  forwardedCallbackUrl,
  hostAllowed,
  normalizeHost,
  routeWebhook,
  verificationTargets,
} from '../../src/dispatcher/routing-rules.js';

const SECRET = 'dispatcher-secret-0123456789';
const config = {
  appId: 'APPCONFIG0001',
  allowedHosts: ['erp.westin.test', '*.customers.test'],
  webhookUrls: { MA: 'https://erp.westin.test/payment/clover/webhook', MB: 'https://b.customers.test/payment/clover/webhook', MC: 'https://b.customers.test/payment/clover/webhook' },
  baseUrls: { MA: 'https://erp.westin.test', MD: 'https://evil.example' },
};
const table = buildRoutingTable(config, { hosts: [], merchants: [] });

describe('routing tables (pure)', () => {
  it('overlays admin edits on configuration: replace, hide, allow, disallow, app id', () => {
    const edited = buildRoutingTable(config, {
      appId: 'APPADMIN00001',
      hosts: [{ host: 'erp.westin.test', allowed: false }, { host: 'new.example', allowed: true }],
      merchants: [
        { merchantId: 'MA', webhookUrl: 'https://new.example/hook', baseUrl: null, customer: 'New', removed: false },
        { merchantId: 'MB', removed: true },
        { merchantId: 'ME', webhookUrl: 'https://new.example/e', removed: false },
      ],
    });
    expect(edited.appId).toBe('APPADMIN00001');
    expect(edited.appIdSource).toBe('admin');
    expect(edited.allowedHosts).toEqual([{ host: '*.customers.test', source: 'config' }, { host: 'new.example', source: 'admin' }]);
    expect(edited.merchants.get('MA')).toEqual({ merchantId: 'MA', webhookUrl: 'https://new.example/hook', customer: 'New', source: 'admin' });
    expect(edited.merchants.has('MB')).toBe(false);
    expect(edited.merchants.get('ME')?.source).toBe('admin');
    expect(edited.merchants.get('MC')?.source).toBe('config');
    expect(buildRoutingTable({ ...config, appId: undefined }, { hosts: [], merchants: [] }).appId).toBeUndefined();
  });

  it('host allow-list: exact, with port, or any sub-domain of a wildcard (not the bare domain)', () => {
    const allowed = ['erp.westin.test', 'odoo.test:8443', '*.customers.test'];
    const ok = (url: string) => hostAllowed(new URL(url), allowed);
    expect(ok('https://erp.westin.test/cb')).toBe(true);
    expect(ok('https://ERP.WESTIN.TEST/cb')).toBe(true);
    expect(ok('https://odoo.test:8443/cb')).toBe(true);
    expect(ok('https://odoo.test/cb')).toBe(false);
    expect(ok('https://a.b.customers.test/cb')).toBe(true);
    expect(ok('https://customers.test/cb')).toBe(false);
    expect(ok('https://evilcustomers.test/cb')).toBe(false);
    expect(ok('https://erp.westin.test.evil.example/cb')).toBe(false);
  });

  it('normalizes host names and refuses anything else', () => {
    expect(normalizeHost(' ERP.Westin.test ')).toBe('erp.westin.test');
    expect(normalizeHost('*.Customers.test')).toBe('*.customers.test');
    expect(() => normalizeHost('https://erp.westin.test')).toThrow(/not a host name/);
    expect(() => normalizeHost('erp.westin.test/path')).toThrow();
    expect(() => normalizeHost('*')).toThrow();
  });

  it('routes 1001 merchant ids: one forward per distinct URL, the unknown reported', () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`M${i}`, `https://c${i % 3}.customers.test/hook`]));
    const big = buildRoutingTable({ ...config, webhookUrls: many }, { hosts: [], merchants: [] });
    const { targets, unrouted } = routeWebhook([...Object.keys(many), 'UNKNOWN'], big);
    expect(targets.map((t) => [t.url, t.merchantIds.length])).toEqual([
      ['https://c0.customers.test/hook', 334],
      ['https://c1.customers.test/hook', 333],
      ['https://c2.customers.test/hook', 333],
    ]);
    expect(unrouted).toEqual(['UNKNOWN']);
  });

  it('sends the verification challenge to every distinct customer URL', () => {
    expect(verificationTargets(table)).toEqual(['https://erp.westin.test/payment/clover/webhook', 'https://b.customers.test/payment/clover/webhook']);
  });

  it('forwards every query parameter, keeping the target’s own', () => {
    const query = new URLSearchParams('code=C&merchant_id=M&state=S&x=1&x=2');
    expect(forwardedCallbackUrl('https://erp.westin.test/cb?tenant=w', query)).toBe('https://erp.westin.test/cb?tenant=w&code=C&merchant_id=M&state=S&x=1&x=2');
    expect(customerCallbackUrl('https://erp.westin.test/')).toBe('https://erp.westin.test/payment/clover/oauth/callback');
  });
});

describe('OAuth fan-out (pure)', () => {
  const now = Date.UTC(2026, 3, 29, 12);
  const settings = { secret: SECRET, ttlSeconds: 3600, now };
  const query = (state: string) => new URLSearchParams({ code: 'C', merchant_id: 'MA', state });

  it('callback: 302 with the parameters for a valid state, 403 for forged / expired / foreign, 400 without one', () => {
    const good = signState({ redirect_to: 'https://erp.westin.test/payment/clover/oauth/callback' }, SECRET, now - 60_000);
    const answer = callbackAnswer(query(good), table, settings);
    expect(answer).toMatchObject({ status: 302, merchantId: 'MA' });
    expect(answer.status === 302 && new URL(answer.location).searchParams.get('state')).toBe(good);
    expect(callbackAnswer(query(signState({ redirect_to: 'https://erp.westin.test/cb' }, 'other-secret-000000', now)), table, settings)).toMatchObject({ status: 403, reason: 'bad_signature' });
    expect(callbackAnswer(query(signState({ redirect_to: 'https://erp.westin.test/cb' }, SECRET, now - 3_601_000)), table, settings)).toMatchObject({ status: 403, reason: 'expired' });
    expect(callbackAnswer(query(signState({ redirect_to: 'https://evil.example/cb' }, SECRET, now)), table, settings)).toMatchObject({ status: 403, reason: 'redirect_not_allowed' });
    expect(callbackAnswer(query(signState({ redirect_to: 'javascript://erp.westin.test/x' }, SECRET, now)), table, settings)).toMatchObject({ status: 403, reason: 'redirect_not_allowed' });
    expect(callbackAnswer(new URLSearchParams('code=C'), table, settings)).toMatchObject({ status: 400, reason: 'missing_state' });
  });

  it('launch: a fresh state for the merchant’s installation and Clover’s v2 authorize URL', () => {
    const answer = launchAnswer(new URLSearchParams('merchant_id=MA'), table, { ...settings, oauthHost: 'https://sandbox.dev.clover.com', callbackUrl: 'https://oauth.nexa.test/clover/callback' });
    expect(answer.status).toBe(302);
    const url = new URL(answer.status === 302 ? answer.location : '');
    expect(url.origin + url.pathname).toBe('https://sandbox.dev.clover.com/oauth/v2/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: 'APPCONFIG0001', redirect_uri: 'https://oauth.nexa.test/clover/callback', response_type: 'code', merchant_id: 'MA' });
    const state = verifyState(url.searchParams.get('state')!, SECRET, { maxAgeSeconds: 3600, redirectAllowed: () => true, now });
    expect(state).toMatchObject({ ok: true, payload: { redirect_to: 'https://erp.westin.test/payment/clover/oauth/callback', iat: now / 1000 } });
    expect(state.ok && state.payload.nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('launch: 400 / 404 / 403 / 503 say what is missing', () => {
    const launch = (q: string, t = table) => launchAnswer(new URLSearchParams(q), t, { ...settings, oauthHost: 'https://x', callbackUrl: 'https://y/clover/callback' });
    expect(launch('')).toMatchObject({ status: 400, reason: 'missing_merchant_id' });
    expect(launch('merchant_id=../x')).toMatchObject({ status: 400, reason: 'bad_merchant_id' });
    expect(launch('merchant_id=MB')).toMatchObject({ status: 404, reason: 'unknown_merchant' });
    expect(launch('merchant_id=MD')).toMatchObject({ status: 403, reason: 'redirect_not_allowed' });
    expect(launch('merchant_id=MA', buildRoutingTable({ ...config, appId: undefined }, { hosts: [], merchants: [] }))).toMatchObject({ status: 503, reason: 'no_app_id' });
  });
});

describe('CLOVER_DISPATCHER_… configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadDispatcherConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
    }
  };
  it('reads the seed Worker’s settings under our prefix', () => {
    const loaded = loadDispatcherConfig({
      CLOVER_DISPATCHER_ALLOWED_HOSTS: 'ERP.westin.test, *.customers.test',
      CLOVER_DISPATCHER_MERCHANT_ROUTING: '{"E2DYXYRBT52K1": "https://erp.westin.test/payment/clover/webhook"}',
      CLOVER_DISPATCHER_MERCHANT_BASE_URLS: '{"E2DYXYRBT52K1": "https://erp.westin.test"}',
      CLOVER_DISPATCHER_APP_ID: '2965A1TH3KG32',
    });
    expect(loaded.routes).toEqual({
      appId: '2965A1TH3KG32',
      allowedHosts: ['erp.westin.test', '*.customers.test'],
      webhookUrls: { E2DYXYRBT52K1: 'https://erp.westin.test/payment/clover/webhook' },
      baseUrls: { E2DYXYRBT52K1: 'https://erp.westin.test' },
    });
    expect(loaded).toMatchObject({ environment: 'sandbox', callbackUrl: 'http://localhost:4000/clover/callback', forward: { maxAttempts: 8 } });
  });
  it('names the variable that is wrong', () => {
    expect(problems({ CLOVER_DISPATCHER_MERCHANT_ROUTING: '{not json' })).toEqual([expect.stringMatching(/^CLOVER_DISPATCHER_MERCHANT_ROUTING: must be a JSON object/)]);
    expect(problems({ CLOVER_DISPATCHER_MERCHANT_ROUTING: '["x"]' })).toEqual([expect.stringMatching(/^CLOVER_DISPATCHER_MERCHANT_ROUTING:/)]);
    expect(problems({ CLOVER_DISPATCHER_MERCHANT_BASE_URLS: '{"M1": "ftp://x"}' })).toEqual([expect.stringMatching(/^CLOVER_DISPATCHER_MERCHANT_BASE_URLS: .*must be http or https/)]);
    expect(problems({ CLOVER_DISPATCHER_ALLOWED_HOSTS: 'ok.test, https://bad' })).toEqual([expect.stringMatching(/^CLOVER_DISPATCHER_ALLOWED_HOSTS: .*not a host name/)]);
    expect(problems({ CLOVER_DISPATCHER_ENVIRONMENT: 'staging' })).toEqual([expect.stringMatching(/^CLOVER_DISPATCHER_ENVIRONMENT:/)]);
  });
});
