import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signState } from '../../src/clover/index.js';
import { CloverConnection } from '../../src/clover/index.js';
import { CloverTestEnvironment, createConnection, separateInstallation, stopInstallations, type CloverTestService } from '../clover-webhooks/support.js';
import { CALLBACK_URL, STATE_SECRET } from '../clover/support.js';

const CUSTOMER_HOST = new URL(CALLBACK_URL).host; // payments.example.test
const DISPATCHER_CALLBACK = 'https://oauth.dispatcher.test/clover/callback';

/**
 * The OAuth fan-out: `/clover/launch` (Clover's Alternate Launch Path) → Clover's authorize page →
 * `/clover/callback` on the dispatcher → the customer installation's
 * `/payment/clover/oauth/callback`, which re-verifies the state and exchanges the code. Both
 * services are real; Clover is the emulator; browsers are simulated by following redirects.
 */
describe('Clover OAuth through the dispatcher', () => {
  const env = new CloverTestEnvironment({ bus: 'in-process' });
  let dispatcher: CloverTestService;
  let customer: CloverTestService;

  beforeAll(async () => {
    await env.start();
    dispatcher = await env.service(await env.databaseUrl('sqlite'), {
      CLOVER_DISPATCHER_ALLOWED_HOSTS: `${CUSTOMER_HOST},*.customers.test`,
      CLOVER_DISPATCHER_MERCHANT_BASE_URLS: JSON.stringify({ [env.emulator.merchant.id]: `https://${CUSTOMER_HOST}`, ELSEWHERE0001: 'https://evil.example' }),
      CLOVER_DISPATCHER_APP_ID: env.emulator.app.id,
      CLOVER_DISPATCHER_CALLBACK_URL: DISPATCHER_CALLBACK,
    });
    customer = await separateInstallation(env, await env.databaseUrl('sqlite'));
  });
  afterAll(async () => {
    await stopInstallations();
    await env.stop();
  });

  const get = (service: CloverTestService, url: string, accept = 'application/json') => service.service.app.inject({ method: 'GET', url, headers: { accept } });
  const pathOf = (location: string) => {
    const url = new URL(location);
    return `${url.pathname}${url.search}`;
  };
  const cloverParams = (state: string) => new URLSearchParams({ code: 'CODE123', merchant_id: 'MERCHANT00001', employee_id: 'EMP0000000001', client_id: 'APP0000000001', state });

  it('redirects a verified callback to the customer with every query parameter Clover sent', async () => {
    const state = signState({ redirect_to: `https://erp.acme.customers.test/payment/clover/oauth/callback?tenant=acme` }, STATE_SECRET);
    const reply = await get(dispatcher, `/clover/callback?${cloverParams(state)}`);
    expect(reply.statusCode).toBe(302);
    const location = new URL(reply.headers.location as string);
    expect(location.origin + location.pathname).toBe('https://erp.acme.customers.test/payment/clover/oauth/callback');
    expect(Object.fromEntries(location.searchParams)).toEqual({ tenant: 'acme', ...Object.fromEntries(cloverParams(state)) });
  });

  it('refuses forged, tampered, expired and foreign-bound states with 403 and a missing one with 400', async () => {
    const forged = signState({ redirect_to: CALLBACK_URL }, 'not-the-dispatcher-secret-0000');
    const valid = signState({ redirect_to: CALLBACK_URL }, STATE_SECRET);
    const tampered = `${Buffer.from(JSON.stringify({ redirect_to: 'https://evil.example/cb', nonce: 'a'.repeat(32), iat: Math.floor(Date.now() / 1000) })).toString('base64url')}.${valid.split('.')[1]}`;
    const expired = signState({ redirect_to: CALLBACK_URL }, STATE_SECRET, Date.now() - 3601_000);
    const disallowed = signState({ redirect_to: 'https://evil.example/payment/clover/oauth/callback' }, STATE_SECRET);
    const cases: [string, number, string][] = [
      [forged, 403, 'bad_signature'],
      [tampered, 403, 'bad_signature'],
      [expired, 403, 'expired'],
      [disallowed, 403, 'redirect_not_allowed'],
      ['not-a-state', 403, 'malformed'],
    ];
    for (const [state, status, reason] of cases) {
      const reply = await get(dispatcher, `/clover/callback?${cloverParams(state)}`);
      expect([reply.statusCode, reply.json().reason]).toEqual([status, reason]);
      expect(reply.headers.location).toBeUndefined();
    }
    const missing = await get(dispatcher, '/clover/callback?code=x&merchant_id=y');
    expect([missing.statusCode, missing.json().reason]).toEqual([400, 'missing_state']);
  });

  it('launch: refuses unknown merchants, missing ids and hosts taken off the allow-list', async () => {
    expect((await get(dispatcher, '/clover/launch')).json()).toMatchObject({ reason: 'missing_merchant_id' });
    expect((await get(dispatcher, '/clover/launch?merchant_id=NOBODY0000001')).statusCode).toBe(404);
    const foreign = await get(dispatcher, '/clover/launch?merchant_id=ELSEWHERE0001');
    expect([foreign.statusCode, foreign.json().reason]).toEqual([403, 'redirect_not_allowed']);
  });

  it('App Market Connect end to end: launch → Clover authorize → dispatcher callback → customer callback → tokens stored', async () => {
    // The customer created its connection for the app; the merchant is not known to it yet.
    const connectionId = await createConnection(customer, env.emulator);
    env.emulator.control.loginAs(env.emulator.merchant.id);

    const launch = await get(dispatcher, `/clover/launch?merchant_id=${env.emulator.merchant.id}`);
    expect(launch.statusCode).toBe(302);
    const authorize = new URL(launch.headers.location as string);
    expect(authorize.origin).toBe(env.emulator.urls.ui); // the UI host, not the API host (quirk 1)
    expect(authorize.pathname).toBe('/oauth/v2/authorize'); // v2 (quirk 2)
    expect(authorize.searchParams.get('client_id')).toBe(env.emulator.app.id);
    expect(authorize.searchParams.get('redirect_uri')).toBe(DISPATCHER_CALLBACK);

    // The merchant consents at Clover, which sends the browser to the dispatcher's callback.
    const consent = await fetch(authorize, { redirect: 'manual' });
    const atDispatcher = new URL(consent.headers.get('location')!);
    expect(atDispatcher.origin + atDispatcher.pathname).toBe(DISPATCHER_CALLBACK);

    const fanned = await get(dispatcher, pathOf(atDispatcher.toString()));
    expect(fanned.statusCode).toBe(302);
    const atCustomer = new URL(fanned.headers.location as string);
    expect(atCustomer.origin + atCustomer.pathname).toBe(CALLBACK_URL);

    const page = await get(customer, pathOf(atCustomer.toString()), 'text/html');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Clover connected');
    const row = await customer.service.deps.db.em().findOneOrFail(CloverConnection, { id: connectionId });
    expect(row).toMatchObject({ status: 'connected', merchantId: env.emulator.merchant.id });
    expect(row.accessTokenSealed).toMatch(/^v1\./);

    // The same callback again: Clover refuses the spent code; nothing changes.
    const replay = await get(customer, pathOf(atCustomer.toString()));
    expect(replay.statusCode).toBe(409);
    expect(replay.json()).toMatchObject({ ok: false, reason: 'invalid_code' });
  });

  it('customer callback: a state our own connect URL signed completes that connection; bad ones are refused', async () => {
    const merchant = env.emulator.control.createMerchant({ name: 'Second shop' });
    env.emulator.control.loginAs(merchant.id);
    const connectionId = await createConnection(customer, env.emulator);
    const link = await customer.graphql(`mutation($id: ID!) { cloverConnectUrl(connectionId: $id) { url } }`, { id: connectionId });
    const consent = await fetch(link.body.data.cloverConnectUrl.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);

    const forged = new URL(callback);
    forged.searchParams.set('state', signState({ redirect_to: CALLBACK_URL, connection: connectionId }, 'forged-secret-0000000000'));
    const refused = await get(customer, pathOf(forged.toString()));
    expect([refused.statusCode, refused.json().reason]).toEqual([403, 'bad_signature']);
    const noCode = new URL(callback);
    noCode.searchParams.delete('code');
    const incomplete = await get(customer, pathOf(noCode.toString()));
    expect([incomplete.statusCode, incomplete.json().field]).toEqual([400, 'code']);

    const done = await get(customer, pathOf(callback.toString()));
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ ok: true, connectionId, merchantId: merchant.id });
  });

  it('customer callback: a launched state for a merchant the installation has no connection for is a clear 404', async () => {
    const state = signState({ redirect_to: CALLBACK_URL }, STATE_SECRET);
    const reply = await get(customer, `/payment/clover/oauth/callback?code=x&merchant_id=STRANGER00001&client_id=OTHERAPP00001&state=${state}`);
    expect(reply.statusCode).toBe(404);
    expect(reply.json().message).toMatch(/no Clover connection of app OTHERAPP00001 for merchant STRANGER00001/);
  });
});
