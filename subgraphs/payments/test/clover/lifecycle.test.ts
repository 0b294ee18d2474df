import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { CloverConnection } from '../../src/clover/index.js';
import {
  authorize,
  CARDS,
  CloverTestEnvironment,
  COLLECT,
  CONNECTION_FIELDS,
  createConnection,
  key,
  REFUND,
  type CloverTestService,
  type DbKind,
} from './support.js';

/**
 * The seed's "Payment lifecycle PROVEN" table, row by row, against the Clover emulator, through
 * the payments service's GraphQL API, on SQLite and PostgreSQL.
 */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover payment lifecycle on %s', (db) => {
  const env = new CloverTestEnvironment();
  let client: CloverTestService;
  let connectionId: string;

  beforeAll(async () => {
    await env.start();
    client = await env.service(await env.databaseUrl(db));
    connectionId = await createConnection(client, env.emulator);
  });
  afterAll(() => env.stop());

  it('OAuth v2 handshake: authorize on the UI host, code exchanged on the API host, tokens stored sealed', async () => {
    const link = await client.graphql(`mutation($id: ID!) { cloverConnectUrl(connectionId: $id) { url state expiresAt } }`, { id: connectionId });
    const url = new URL(link.body.data.cloverConnectUrl.url);
    expect(url.origin).toBe(env.emulator.urls.ui);
    expect(url.pathname).toBe('/oauth/v2/authorize');
    expect(url.searchParams.get('client_id')).toBe(env.emulator.app.id);

    env.emulator.control.reset();
    await authorize(client, connectionId);
    const exchanges = env.emulator.control.requests({ path: '/oauth/v2/token' });
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.host).toBe('api');
    expect(exchanges[0]!.status).toBe(200);

    const result = await client.graphql(`query($id: ID!) { cloverConnection(id: $id) { ${CONNECTION_FIELDS} } }`, { id: connectionId });
    expect(result.body.data.cloverConnection).toMatchObject({ status: 'connected', oauthConnected: true, merchantId: env.emulator.merchant.id, merchantName: 'Test Merc 2' });

    // At rest: sealed values only, naming the key that sealed them.
    const row = await client.service.deps.db.em().findOneOrFail(CloverConnection, { id: connectionId });
    const issued = [...env.emulator.state.accessTokens.values()].filter((t) => t.merchantId === env.emulator.merchant.id).at(-1)!;
    expect(row.accessTokenSealed).toMatch(/^v1\.test1\./);
    expect(row.accessTokenSealed).not.toContain(issued.token);
    expect(row.appSecretSealed).not.toContain(env.emulator.app.secret);
    expect(row.secretsKeyId).toBe('test1');
  });

  it('PAKMS fetch via OAuth from the ecommerce host, then server-side tokenization with the apikey header', async () => {
    env.emulator.control.reset();
    const result = await client.graphql(COLLECT, {
      input: { connectionId, idempotencyKey: key('tok'), amount: '1.00', card: CARDS.visa, invoiceId: 'INV-1' },
    });
    expect(result.body.errors).toBeUndefined();
    const pakms = env.emulator.control.requests({ path: '/pakms/apikey' });
    expect(pakms).toHaveLength(1);
    expect(pakms[0]).toMatchObject({ host: 'ecommerce', status: 200 });
    const bearer = pakms[0]!.headers['authorization']!.replace('Bearer ', '');
    expect(env.emulator.state.accessTokens.has(bearer)).toBe(true); // the OAuth token, not a private key
    const tokenize = env.emulator.control.requests({ path: '/v1/tokens' });
    expect(tokenize).toHaveLength(1);
    expect(tokenize[0]).toMatchObject({ host: 'token', status: 200 });
    expect(tokenize[0]!.headers['apikey']).toBe(env.emulator.merchant.ecommercePublicKey);
    expect((tokenize[0]!.body as any).card.brand).toBe('VISA');
  });

  it('charge creation: $1.00 succeeds, recorded as a Payment and announced with the invoice reference', async () => {
    const result = await client.graphql(COLLECT, {
      input: { connectionId, idempotencyKey: key('charge'), amount: '1.00', card: CARDS.visa, invoiceId: 'INV-1001', customerEmail: 'Ada@Example.com' },
    });
    const payment = result.body.data.collectPayment;
    expect(payment).toMatchObject({
      kind: 'charge',
      provider: 'clover',
      status: 'succeeded',
      amount: { amount: '1.00', currency: 'USD' },
      invoiceId: 'INV-1001',
      customerEmail: 'ada@example.com',
      cardBrand: 'VISA',
      cardLast4: '4242',
      method: 'card',
    });
    const charge = env.emulator.state.charges.get(payment.providerPaymentId)!;
    expect(charge).toMatchObject({ amount: 100, status: 'succeeded', captured: true, merchantId: env.emulator.merchant.id, ecomind: 'moto' });

    // The same charge is a payment of the Platform API (what webhooks point at).
    const connection = await client.service.deps.db.em().findOneOrFail(CloverConnection, { id: connectionId });
    const platform = await client.service.deps.clover.platform.payment(connection, payment.providerPaymentId);
    expect(platform).toMatchObject({ id: payment.providerPaymentId, amount: 100, result: 'SUCCESS', cardTransaction: { last4: '4242' } });
    const elsewhere = env.emulator.control.createPayment(env.emulator.merchant.id, { amount: 2500 });
    expect(await client.service.deps.clover.platform.payment(connection, elsewhere.id)).toMatchObject({ id: elsewhere.id, amount: 2500, result: 'SUCCESS' });

    const [event] = await eventually(async () => env.eventsFor(payment.id), (events) => events.length === 1);
    expect(event!.type).toBe('payments.charge.succeeded');
    expect(event!.data).toMatchObject({ paymentId: payment.id, kind: 'charge', provider: 'clover', amount: '1.00', currency: 'USD', invoiceId: 'INV-1001', customerEmail: 'ada@example.com' });
    expect(Date.parse(event!.data.occurredAt)).not.toBeNaN();
  });

  it('full refund: POST /v1/refunds with only {charge}; $2.00 refunded and announced against the invoice', async () => {
    const charged = await client.graphql(COLLECT, { input: { connectionId, idempotencyKey: key('c2'), amount: '2.00', card: CARDS.visa, orderId: 'ORD-7' } });
    const charge = charged.body.data.collectPayment;
    env.emulator.control.reset();
    const result = await client.graphql(REFUND, { input: { paymentId: charge.id, idempotencyKey: key('r') } });
    expect(result.body.errors).toBeUndefined();
    const refund = result.body.data.refundPayment;
    expect(refund).toMatchObject({ kind: 'refund', status: 'succeeded', amount: { amount: '2.00' }, parentPaymentId: charge.id, orderId: 'ORD-7' });

    const calls = env.emulator.control.requests({ method: 'POST', path: '/v1/refunds' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual({ charge: charge.providerPaymentId });
    expect(calls[0]!.status).toBe(200);
    expect(env.emulator.state.charges.get(charge.providerPaymentId)!.amountRefunded).toBe(200);

    const after = await client.graphql(`query($id: ID!) { payment(id: $id) { status refundedAmount { amount } refunds { id } } }`, { id: charge.id });
    expect(after.body.data.payment).toMatchObject({ status: 'refunded', refundedAmount: { amount: '2.00' }, refunds: [{ id: refund.id }] });
    const [event] = await eventually(async () => env.eventsFor(refund.id), (events) => events.length === 1);
    expect(event!.type).toBe('payments.refund.succeeded');
    expect(event!.data).toMatchObject({ paymentId: refund.id, kind: 'refund', chargeId: charge.id, amount: '2.00', orderId: 'ORD-7', provider: 'clover' });
  });

  it('Platform API auth: GET /v3/merchants/{mId} returns "Test Merc 2"', async () => {
    const result = await client.graphql(`mutation($id: ID!) { testCloverConnection(id: $id) { ok merchantName message } }`, { id: connectionId });
    expect(result.body.data.testCloverConnection).toEqual({ ok: true, merchantName: 'Test Merc 2', message: 'Test Connection successful. Merchant: Test Merc 2' });
  });

  it('OAuth refresh: a new token pair is issued, stored together, and authenticates', async () => {
    const em = client.service.deps.db.em();
    const before = await em.findOneOrFail(CloverConnection, { id: connectionId });
    // Within the 60 s margin: the next call refreshes first (layer 1).
    await client.service.deps.db.em().nativeUpdate(CloverConnection, { id: connectionId }, { accessTokenExpiresAt: new Date(Date.now() + 30_000) });
    env.emulator.control.reset();
    const result = await client.graphql(`mutation($id: ID!) { testCloverConnection(id: $id) { ok } }`, { id: connectionId });
    expect(result.body.data.testCloverConnection.ok).toBe(true);
    expect(env.emulator.control.refreshAttempts).toBe(1);
    const after = await client.service.deps.db.em().findOneOrFail(CloverConnection, { id: connectionId });
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(after.refreshTokenSealed).not.toBe(before.refreshTokenSealed);
    expect(after.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    const secrets = client.service.deps.clover.secrets;
    const access = secrets.open(connectionId, 'access_token', after.accessTokenSealed!);
    const refresh = secrets.open(connectionId, 'refresh_token', after.refreshTokenSealed!);
    expect(env.emulator.state.accessTokens.get(access)?.expiresAt).toBeGreaterThan(Date.now());
    expect(env.emulator.state.refreshTokens.get(refresh)?.used).toBe(false); // the live one is the one stored
    const platformCall = env.emulator.control.requests({ path: `/v3/merchants/${env.emulator.merchant.id}` }).at(-1)!;
    expect(platformCall.headers['authorization']).toBe(`Bearer ${access}`);
    expect(platformCall.status).toBe(200);
  });
});
