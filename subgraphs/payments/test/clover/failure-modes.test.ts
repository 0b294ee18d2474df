import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { OutboxEvent } from '@switchboard/kit';
import { Payment } from '../../src/payments/payment.js';
import { CloverConnection, OAuthStateRejected, signState } from '../../src/clover/index.js';
import {
  CALLBACK_URL,
  CARDS,
  CloverTestEnvironment,
  COLLECT,
  connected,
  freshVisa,
  key,
  logLines,
  STATE_SECRET,
  type CloverTestService,
  type Connected,
  type DbKind,
} from './support.js';

/**
 * The seed's "Failure-mode handling PROVEN" table, row by row, against the emulator — plus what
 * a careful reader of it expects: nothing reaches Clover that our own checks can refuse, and the
 * card number never lands in a log or a table.
 */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover failure modes on %s', (db) => {
  const env = new CloverTestEnvironment();
  let client: CloverTestService;
  let other: CloverTestService;
  let merchant: Connected;

  beforeAll(async () => {
    await env.start();
    const url = await env.databaseUrl(db);
    client = await env.service(url);
    other = await env.service(url);
    merchant = await connected(client, env.emulator);
  });
  afterAll(() => env.stop());

  const collect = (input: Record<string, unknown>, via = client) =>
    via.graphql(COLLECT, { input: { connectionId: merchant.id, idempotencyKey: key(), amount: '5.00', invoiceId: 'INV-F', ...input } });
  const chargesAtClover = () => [...env.emulator.state.charges.values()].filter((charge) => charge.merchantId === merchant.merchant.id);

  it.each([
    ['Visa decline 4264281511117771', CARDS.visaDecline, 'VISA'],
    ['Mastercard decline 5424180273333333', CARDS.mcDecline, 'MC'],
  ])('%s: 402 surfaces as a failed payment with code card_declined, announced as payments.charge.failed', async (_label, card, brand) => {
    env.emulator.control.reset();
    const result = await collect({ card, customerEmail: 'grace@example.com' });
    expect(result.body.errors).toBeUndefined();
    const payment = result.body.data.collectPayment;
    expect(payment).toMatchObject({ status: 'failed', failureCode: 'card_declined', failureMessage: 'DECLINED', cardBrand: brand });
    const charge = env.emulator.control.requests({ path: '/v1/charges' });
    expect(charge.map((c) => c.status)).toEqual([402]);
    expect((charge[0]!.body as any).source).toMatch(/^clv_/);
    const [event] = await eventually(async () => env.eventsFor(payment.id), (events) => events.length === 1);
    expect(event!.type).toBe('payments.charge.failed');
    expect(event!.data).toMatchObject({ paymentId: payment.id, kind: 'charge', amount: '5.00', invoiceId: 'INV-F', failureCode: 'card_declined' });
  });

  it.each([
    ['bad-Luhn card 4242424242424241', CARDS.badLuhn, 'card.number', /card number is not valid/, 'Please provide valid card number'],
    ['invalid month 13', { ...CARDS.visa, expMonth: '13' }, 'card.expMonth', /expiry month must be 1 to 12/, 'Please provide valid expiry month'],
    ['2-digit CVV', { ...CARDS.visa, cvv: '12' }, 'card.cvv', /CVV must be 3 digits/, 'Please provide valid cvv value'],
  ])('%s: refused before any call to Clover, as Clover itself would refuse it (400)', async (_label, card, field, ours, theirs) => {
    env.emulator.control.reset();
    const result = await collect({ card });
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(result.body.errors?.[0]?.message).toMatch(ours);
    expect(env.emulator.control.requests()).toHaveLength(0); // not even PAKMS
    expect(await client.service.deps.db.em().count(Payment, { idempotencyKey: { $like: `%${merchant.id}%` }, status: 'pending' })).toBe(0);

    // The emulated Clover answers as the seed recorded, had the card reached it.
    const pakms = await fetch(`${env.emulator.urls.ecommerce}/pakms/apikey`, { headers: { authorization: `Bearer ${merchant.merchant.ecommercePrivateKey}` } });
    const { apiAccessKey } = (await pakms.json()) as { apiAccessKey: string };
    const tokenize = await fetch(`${env.emulator.urls.token}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: apiAccessKey },
      body: JSON.stringify({ card: { number: card.number, exp_month: card.expMonth, exp_year: card.expYear, cvv: card.cvv, brand: 'VISA' } }),
    });
    expect(tokenize.status).toBe(400);
    expect(((await tokenize.json()) as any).error.message).toBe(theirs);
  });

  it('an expired card is refused here, though the sandbox would accept it (quirk 15)', async () => {
    env.emulator.control.reset();
    const result = await collect({ card: { ...CARDS.visa, expMonth: '01', expYear: '1970' } });
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'card.expYear' });
    expect(env.emulator.control.requests()).toHaveLength(0);
  });

  it('idempotency: the same key twice returns the same payment and Clover charges once', async () => {
    env.emulator.control.reset();
    const input = { idempotencyKey: key('same'), card: CARDS.visa };
    const firstTry = await collect(input);
    const secondTry = await collect(input);
    expect(secondTry.body.data.collectPayment.id).toBe(firstTry.body.data.collectPayment.id);
    expect(secondTry.body.data.collectPayment.providerPaymentId).toBe(firstTry.body.data.collectPayment.providerPaymentId);
    expect(env.emulator.control.requests({ path: '/v1/charges' })).toHaveLength(1);
  });

  it('idempotency: the same request 8 times at once, across two service instances, is one payment and one charge', async () => {
    env.emulator.control.reset();
    const before = chargesAtClover().length;
    const input = { idempotencyKey: key('burst'), card: { ...CARDS.visa, number: freshVisa() } };
    const results = await Promise.all([...Array(8)].map((_, i) => collect(input, i % 2 ? other : client)));
    const ids = new Set(results.map((r) => r.body.data?.collectPayment?.id));
    expect(ids.size).toBe(1);
    for (const result of results) expect(result.body.data.collectPayment.status).toBe('succeeded');
    expect(chargesAtClover().length - before).toBe(1);
    expect(await client.service.deps.db.em().count(Payment, { id: [...ids][0] })).toBe(1);
    await eventually(async () => env.eventsFor([...ids][0]!), (events) => events.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(env.eventsFor([...ids][0]!)).toHaveLength(1);
  });

  it('idempotency: a key reused for a different request is refused, naming the key', async () => {
    const reused = key('reuse');
    await collect({ idempotencyKey: reused, card: CARDS.visa });
    const result = await collect({ idempotencyKey: reused, card: CARDS.visa, amount: '6.00' });
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
  });

  it('idempotency at Clover: the same Idempotency-Key twice is the same charge (emulator fidelity)', async () => {
    const token = async () => {
      const response = await fetch(`${env.emulator.urls.token}/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: merchant.merchant.ecommercePublicKey },
        body: JSON.stringify({ card: { number: freshVisa(), exp_month: '12', exp_year: '2031', cvv: '123', brand: 'VISA' } }),
      });
      return ((await response.json()) as { id: string }).id;
    };
    await fetch(`${env.emulator.urls.ecommerce}/pakms/apikey`, { headers: { authorization: `Bearer ${merchant.merchant.ecommercePrivateKey}` } });
    const source = await token();
    const charge = () =>
      fetch(`${env.emulator.urls.ecommerce}/v1/charges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${merchant.merchant.ecommercePrivateKey}`, 'idempotency-key': 'fidelity-1', 'x-forwarded-for': '10.0.0.1' },
        body: JSON.stringify({ amount: 100, currency: 'usd', source }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { id: string } }));
    const [a, b] = await Promise.all([charge(), charge()]);
    expect(a.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
  });

  it('forged HMAC OAuth state: refused (403) before any token exchange', async () => {
    env.emulator.control.reset();
    const forged = signState({ redirect_to: CALLBACK_URL, connection: merchant.id }, 'not-the-dispatcher-secret-at-all');
    const attempt = client.service.deps.clover.oauth.completeAuthorization({ state: forged, code: 'anything', merchantId: merchant.merchant.id });
    await expect(attempt).rejects.toBeInstanceOf(OAuthStateRejected);
    await expect(attempt).rejects.toMatchObject({ status: 403, reason: 'bad_signature' });
    // A valid signature over a tampered payload is forged too.
    const genuine = signState({ redirect_to: CALLBACK_URL, connection: merchant.id }, STATE_SECRET);
    const [body, signature] = genuine.split('.');
    const tampered = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), connection: 'someone-else' })).toString('base64url')}.${signature}`;
    await expect(client.service.deps.clover.oauth.completeAuthorization({ state: tampered, code: 'x', merchantId: 'M' })).rejects.toMatchObject({ status: 403, reason: 'bad_signature' });
    expect(env.emulator.control.requests({ path: '/oauth/v2/token' })).toHaveLength(0);
  });

  it('disallowed redirect host in the state: refused (403); an expired state too', async () => {
    const elsewhere = signState({ redirect_to: 'https://attacker.example/payment/clover/oauth/callback', connection: merchant.id }, STATE_SECRET);
    await expect(client.service.deps.clover.oauth.completeAuthorization({ state: elsewhere, code: 'x', merchantId: 'M' })).rejects.toMatchObject({
      status: 403,
      reason: 'redirect_not_allowed',
    });
    const old = signState({ redirect_to: CALLBACK_URL, connection: merchant.id }, STATE_SECRET, Date.now() - 2 * 3600_000);
    await expect(client.service.deps.clover.oauth.completeAuthorization({ state: old, code: 'x', merchantId: 'M' })).rejects.toMatchObject({ status: 403, reason: 'expired' });
    expect(env.emulator.control.requests({ path: '/oauth/v2/token' })).toHaveLength(0);
  });

  it('a v1 code (deprecated /oauth/authorize, or App Market without an Alternate Launch Path) gets an error that says what to fix', async () => {
    const fresh = env.emulator.control.createMerchant({ name: 'Legacy Merchant' });
    env.emulator.control.loginAs(fresh.id);
    const created = await client.graphql(`mutation($input: CreateCloverConnectionInput!) { createCloverConnection(input: $input) { id } }`, {
      input: { label: 'legacy', environment: 'sandbox', appId: env.emulator.app.id, appSecret: env.emulator.app.secret },
    });
    const connectionId = created.body.data.createCloverConnection.id;
    const link = await client.graphql(`mutation($id: ID!) { cloverConnectUrl(connectionId: $id) { url } }`, { id: connectionId });
    const legacy = link.body.data.cloverConnectUrl.url.replace('/oauth/v2/authorize', '/oauth/authorize');
    const location = new URL((await fetch(legacy, { redirect: 'manual' })).headers.get('location')!);
    await expect(
      client.service.deps.clover.oauth.completeAuthorization({ state: location.searchParams.get('state')!, code: location.searchParams.get('code')!, merchantId: fresh.id }),
    ).rejects.toThrow(/Alternate Launch Path/);
    expect((await client.service.deps.db.em().findOneOrFail(CloverConnection, { id: connectionId })).status).toBe('not_connected');
  });

  it('per-card velocity limit: the sandbox decline is surfaced with its message', async () => {
    const number = freshVisa();
    const outcomes: string[] = [];
    for (let i = 0; i < 9; i++) {
      const result = await collect({ card: { ...CARDS.visa, number } });
      outcomes.push(result.body.data.collectPayment.status);
      if (i === 8) expect(result.body.data.collectPayment.failureMessage).toBe('Declined as sale count per card is greater than configured amount');
    }
    expect(outcomes).toEqual([...Array(8).fill('succeeded'), 'failed']);
  });

  it('card numbers never reach a log line or a table', async () => {
    const number = freshVisa();
    await collect({ card: { ...CARDS.visa, number } });
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(number);
    for (const pan of [CARDS.visa.number, CARDS.visaDecline.number]) expect(logLines.join('\n')).not.toContain(pan);
    const em = client.service.deps.db.em();
    const dump = JSON.stringify([await em.find(Payment, {}), await em.find(CloverConnection, {}), await em.find(OutboxEvent, {})]);
    expect(dump).toContain('4242'); // last four are kept…
    expect(dump).not.toContain(number); // …the number is not
    expect(dump).not.toContain(CARDS.visa.number);
  });
});
