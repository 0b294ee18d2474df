import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloverConnection } from '../../src/clover/index.js';
import { CloverTestEnvironment, connected, corruptTokens, type CloverTestService, type DbKind } from './support.js';

const TEST = `mutation($id: ID!) { testCloverConnection(id: $id) { ok merchantName message } }`;
const SYNC = `mutation($id: ID!) { syncCloverTerminals(connectionId: $id) { id serial } }`;

/**
 * OAuth token freshness in three layers, refresh tokens that are single-use and rotate, and
 * replicas sharing one connection — against the emulator, on SQLite and PostgreSQL.
 */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover OAuth token lifecycle on %s', (db) => {
  const env = new CloverTestEnvironment({ bus: 'in-process' });
  let databaseUrl: string;
  let first: CloverTestService;
  let second: CloverTestService;

  beforeAll(async () => {
    await env.start();
    databaseUrl = await env.databaseUrl(db);
    first = await env.service(databaseUrl);
    // A second replica of the payments service on the same database.
    second = await env.service(databaseUrl);
  });
  afterAll(() => env.stop());

  const row = (id: string) => first.service.deps.db.em().findOneOrFail(CloverConnection, { id });
  const platformCalls = (merchantId: string) => env.emulator.control.requests({ path: `/v3/merchants/${merchantId}` });

  it('layer 1: a token with more than 60 s left is used as is; within 60 s of expiry it is refreshed first', async () => {
    const { id, merchant } = await connected(first, env.emulator);
    env.emulator.control.reset();
    expect((await first.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
    expect(env.emulator.control.refreshAttempts).toBe(0);

    await first.service.deps.db.em().nativeUpdate(CloverConnection, { id }, { accessTokenExpiresAt: new Date(Date.now() + 59_000) });
    expect((await first.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
    expect(env.emulator.control.refreshAttempts).toBe(1);
    // The refresh happened before the call: no 401 was ever seen.
    expect(platformCalls(merchant.id).map((call) => call.status)).toEqual([200, 200]);
  });

  it('layer 2: a 401 is answered by one refresh and one retry', async () => {
    const { id, merchant } = await connected(first, env.emulator);
    env.emulator.control.expireAccessTokens(); // Clover says expired; our row still thinks it is fresh
    env.emulator.control.reset();
    expect((await first.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
    expect(env.emulator.control.refreshAttempts).toBe(1);
    expect(platformCalls(merchant.id).map((call) => call.status)).toEqual([401, 200]);
  });

  it('layer 2: when the refreshed token is refused too, the call fails — never a second refresh or retry', async () => {
    const { id, merchant } = await connected(first, env.emulator);
    env.emulator.control.reset();
    env.emulator.control.failNext({ path: `/v3/merchants/${merchant.id}/devices`, status: 401, body: { message: '401 Unauthorized' }, times: 5 });
    const result = await first.graphql(SYNC, { id });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('CLOVER_REJECTED');
    expect(result.body.errors?.[0]?.extensions?.cloverStatus).toBe(401);
    expect(env.emulator.control.refreshAttempts).toBe(1);
    expect(env.emulator.control.requests({ path: /\/devices$/ })).toHaveLength(2);
  });

  it('both tokens corrupt: fails cleanly after exactly one refresh attempt, well under a second, and stays failed without hammering Clover', async () => {
    const { id } = await connected(first, env.emulator);
    await corruptTokens(first, id);
    env.emulator.control.reset();
    const started = performance.now();
    const result = await first.graphql(SYNC, { id });
    const elapsedMs = performance.now() - started;

    expect(result.body.errors?.[0]?.extensions?.code).toBe('CLOVER_REAUTHORIZATION_REQUIRED');
    expect(result.body.errors?.[0]?.message).toMatch(/re-authorized.*Invalid refresh token/);
    expect(env.emulator.control.refreshAttempts).toBe(1);
    expect(env.emulator.control.requests({ path: /\/devices$/ })).toHaveLength(1);
    // The seed measured 0.77 s; the bound here is loose for a loaded machine (figures: test/clover/bench).
    expect(elapsedMs).toBeLessThan(3_000);
    const after = await row(id);
    expect(after.status).toBe('needs_reauthorization');
    expect(after.lastError).toMatch(/Invalid refresh token/);

    // Every later call fails at once: no more refresh attempts, no more calls to Clover.
    const again = await first.graphql(SYNC, { id });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CLOVER_REAUTHORIZATION_REQUIRED');
    expect(env.emulator.control.refreshAttempts).toBe(1);
    expect(env.emulator.control.requests({ path: /\/devices$/ })).toHaveLength(1);
    const collect = await first.graphql(
      `mutation($input: CollectPaymentInput!) { collectPayment(input: $input) { id } }`,
      { input: { connectionId: id, idempotencyKey: 'after-dead', amount: '1.00', cardToken: 'clv_whatever', invoiceId: 'INV-9' } },
    );
    expect(collect.body.errors?.[0]?.extensions?.reason).toBe('reauthorization_required');

    // The merchant authorizes again: the connection comes back.
    const link = await first.graphql(`mutation($id: ID!) { cloverConnectUrl(connectionId: $id) { url } }`, { id });
    const consent = await fetch(link.body.data.cloverConnectUrl.url, { redirect: 'manual' });
    const location = new URL(consent.headers.get('location')!);
    await first.service.deps.clover.oauth.completeAuthorization({
      state: location.searchParams.get('state')!,
      code: location.searchParams.get('code')!,
      merchantId: location.searchParams.get('merchant_id')!,
    });
    expect((await first.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
  });

  it('rotation: every refresh stores the new refresh token with the new access token; the old one is dead at Clover', async () => {
    const { id } = await connected(first, env.emulator);
    const secrets = first.service.deps.clover.secrets;
    const spent: string[] = [];
    for (let round = 0; round < 3; round++) {
      spent.push(secrets.open(id, 'refresh_token', (await row(id)).refreshTokenSealed!));
      env.emulator.control.expireAccessTokens();
      expect((await first.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
    }
    // Reusing any earlier refresh token is refused, as Clover does.
    for (const token of spent) {
      const reuse = await fetch(`${env.emulator.urls.api}/oauth/v2/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: env.emulator.app.id, refresh_token: token }),
      });
      expect(reuse.status).toBe(401);
      expect(await reuse.json()).toEqual({ message: 'Invalid refresh token' });
    }
    expect((await row(id)).status).toBe('connected');
  });

  it('two service instances hitting a 401 at the same moment spend the single-use refresh token once and both succeed', async () => {
    const { id } = await connected(first, env.emulator);
    const before = await row(id);
    for (let round = 0; round < 3; round++) {
      env.emulator.control.expireAccessTokens();
      env.emulator.control.reset();
      // A slow refresh widens the window in which the other replica must wait instead of spending.
      env.emulator.control.failNext({ path: '/oauth/v2/refresh', hangMs: 250 });
      const calls = [...Array(6)].map((_, index) => (index % 2 === 0 ? first : second).graphql(TEST, { id }));
      const results = await Promise.all(calls);
      for (const result of results) expect(result.body.data?.testCloverConnection?.ok, JSON.stringify(result.body)).toBe(true);
      expect(env.emulator.control.refreshAttempts).toBe(1);
      expect(env.emulator.control.requests({ path: '/oauth/v2/refresh' }).map((r) => r.status)).toEqual([200]);
    }
    const after = await row(id);
    expect(after.status).toBe('connected');
    expect(after.tokenVersion).toBe(before.tokenVersion + 3);
    expect(after.refreshLeaseOwner).toBeNull();
  });

  it('two service instances refreshing proactively at the same moment: one refresh, the connection stays alive', async () => {
    const { id } = await connected(first, env.emulator);
    await first.service.deps.db.em().nativeUpdate(CloverConnection, { id }, { accessTokenExpiresAt: new Date(Date.now() + 10_000) });
    env.emulator.control.reset();
    env.emulator.control.failNext({ path: '/oauth/v2/refresh', hangMs: 250 });
    const results = await Promise.all([first.graphql(TEST, { id }), second.graphql(TEST, { id }), second.graphql(TEST, { id }), first.graphql(TEST, { id })]);
    for (const result of results) expect(result.body.data.testCloverConnection.ok).toBe(true);
    expect(env.emulator.control.refreshAttempts).toBe(1);
    // And the stored refresh token is the live one: the next forced refresh works.
    env.emulator.control.expireAccessTokens();
    expect((await second.graphql(TEST, { id })).body.data.testCloverConnection.ok).toBe(true);
    expect(env.emulator.control.refreshAttempts).toBe(2);
  });

  it('disconnect clears the tokens; a refresh in flight at that moment cannot bring them back', async () => {
    const { id } = await connected(first, env.emulator);
    env.emulator.control.expireAccessTokens();
    env.emulator.control.reset();
    env.emulator.control.failNext({ path: '/oauth/v2/refresh', hangMs: 400 });
    const inFlight = second.graphql(TEST, { id });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const result = await first.graphql(`mutation($id: ID!) { disconnectCloverConnection(id: $id) { status oauthConnected accessTokenExpiresAt } }`, { id });
    expect(result.body.data.disconnectCloverConnection).toEqual({ status: 'disconnected', oauthConnected: false, accessTokenExpiresAt: null });
    const after = await row(id);
    expect(after.accessTokenSealed).toBeNull();
    expect(after.refreshTokenSealed).toBeNull();
    const sync = await first.graphql(SYNC, { id });
    expect(sync.body.errors?.[0]?.extensions?.code).toBe('CLOVER_NOT_CONNECTED');

    expect((await inFlight).body.data.testCloverConnection).toMatchObject({ ok: false, message: expect.stringMatching(/disconnected during the token refresh/) });
    expect(env.emulator.control.requests({ path: '/oauth/v2/refresh' }).map((r) => r.status)).toEqual([200]);
    const final = await row(id);
    expect(final).toMatchObject({ status: 'disconnected', accessTokenSealed: null, refreshTokenSealed: null });
  });
});
