import { eventually } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCurl,
  SEED_ACK_RESPONSE,
  SEED_CURL_ACK,
  SEED_CURL_PROXY,
  SEED_DELIVERY_EXTRA,
  SEED_ERROR_RESPONSE,
  SEED_PROXY_BODY,
  SEED_SUCCESS_RESPONSE,
  seedDrift,
  shapeOf,
} from './seed-contract.js';
import { post, sleep, WexTestbed } from './support.js';

const documentedSuccess = JSON.parse(SEED_SUCCESS_RESPONSE) as Record<string, unknown>;
const documentedError = JSON.parse(SEED_ERROR_RESPONSE) as Record<string, unknown>;
const documentedAck = JSON.parse(SEED_ACK_RESPONSE) as Record<string, unknown>;
const { '...': _placeholder, ...documentedExtra } = JSON.parse(SEED_DELIVERY_EXTRA) as Record<string, unknown>;
/** A success delivery: the success object plus `_delivery_id` and `_delivery_attempt`, in that order. */
const documentedDelivery = { ...documentedSuccess, ...documentedExtra };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Replays a seed curl command against `origin` exactly as written (only the host differs). */
async function replay(command: string, origin: string) {
  const call = parseCurl(command);
  const response = await fetch(`${origin}${call.path}`, { method: call.method, headers: call.headers, body: call.body });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

it('the copies of the seed used here match the seed', () => {
  const drift = seedDrift();
  if (drift !== 'seed not present') expect(drift).toEqual([]);
});

describe.each<[string, { TEST_MODE?: string }]>([
  ['the TEST_MODE simulator', { TEST_MODE: 'true' }],
  ['the WEX API (emulator)', {}],
])('legacy contract, replayed against the running service with %s', (_label, mode) => {
  const testbed = new WexTestbed();
  let origin: string;

  beforeAll(async () => {
    await testbed.start();
    const odoo = await testbed.odooReceiver();
    const service = await testbed.payments({
      bus: await testbed.bus('in-process'),
      databaseUrl: await testbed.databaseUrl('sqlite'),
      webhookUrl: odoo.url,
      env: { AUTH_TOKEN: 'your_token', ...mode },
    });
    origin = service.url();
  });
  afterAll(() => testbed.stop());

  it('curl step 1 (/proxy): the documented success object, then the same object plus _delivery_id and _delivery_attempt downstream', async () => {
    const { status, body } = await replay(SEED_CURL_PROXY, origin);
    expect(status).toBe(200);
    expect(shapeOf(body)).toEqual(shapeOf(documentedSuccess));
    expect(body).toMatchObject({
      _model: 'x_requests',
      _id: 'test-123',
      status: 200,
      payment_id: 'PAY-001',
      amount: '100.50',
      hauler_name: 'Test Vendor',
      employee: 'Test Employee',
      invoice_number: 'TEST-INV-001',
    });
    expect(body.card_number).toMatch(/^\d{16}$/);
    expect(body.security_code).toMatch(/^\d{3}$/);
    expect(body.expiration_month).toMatch(/^(0[1-9]|1[0-2])$/);
    expect(body.expiration_year).toMatch(/^20\d\d$/);
    if (mode.TEST_MODE) {
      // The legacy simulator's card, as documented.
      expect(body).toMatchObject({ card_number: '4111222233334444', security_code: '123', expiration_month: '09', expiration_year: '2027' });
      expect(testbed.wex.requests).toHaveLength(0);
    } else {
      const card = testbed.wex.cards.at(-1)!;
      expect(body.card_number).toBe(card.number);
      expect(body.security_code).toBe(card.securityCode);
      expect(`${body.expiration_year}-${body.expiration_month}`).toBe(card.expiration.slice(0, 7));
      // What WEX received, as the legacy proxy sent it.
      const sent = testbed.wex.requests.at(-1)!;
      expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`${testbed.wex.username}:${testbed.wex.password}`).toString('base64')}`);
      expect(sent.rawBody).toContain('"total_amount":100.50');
      expect(sent.body).toMatchObject({
        merchant_code: '*',
        user_defined_fields: ['Test Vendor', 'PAY-001'],
        invoices: [{ invoice_number: 'TEST-INV-001', invoice_date: expect.any(String), total_amount: 100.5 }],
      });
    }

    const delivered = await eventually(async () => testbed.odoo.deliveries.filter((d) => d.body?.payment_id === 'PAY-001'), (list) => list.length >= 1);
    const first = delivered[0]!.body as Record<string, unknown>;
    expect(shapeOf(first)).toEqual(shapeOf(documentedDelivery));
    const { _delivery_id, _delivery_attempt, ...same } = first;
    expect(same).toEqual(body);
    expect(_delivery_id).toMatch(UUID);
    expect(_delivery_attempt).toBe(1);
    expect(delivered[0]!.headers['content-type']).toMatch(/application\/json/);
  });

  it('curl step 2 (/ack): the documented answer, and the re-sending stops', async () => {
    const { status, body } = await replay(SEED_CURL_ACK, origin);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'acknowledged', payment_id: 'PAY-001' });
    expect(shapeOf(body)).toEqual(shapeOf(documentedAck));
    const count = testbed.odoo.deliveries.filter((d) => d.body?.payment_id === 'PAY-001').length;
    await sleep(2_000); // longer than ACK wait + backoff of the test settings (1.3 s)
    expect(testbed.odoo.deliveries.filter((d) => d.body?.payment_id === 'PAY-001')).toHaveLength(count);
    // ACKs are idempotent.
    expect((await replay(SEED_CURL_ACK, origin)).body).toEqual({ status: 'acknowledged', payment_id: 'PAY-001' });
  });

  it('the documented request body with the token in the body field', async () => {
    const body = SEED_PROXY_BODY.replace('"your_auth_token"', '"your_token"');
    const response = await post(`${origin}/proxy`, body);
    expect(response.status).toBe(200);
    expect(shapeOf(response.body)).toEqual(shapeOf(documentedSuccess));
    expect(response.body).toMatchObject({ _id: 'unique_request_id', payment_id: 'payment_id', amount: '150.00', hauler_name: 'Vendor Company Name', employee: 'John Doe', invoice_number: 'INV12345' });
    const ack = await post(`${origin}/ack`, { x_name: 'payment_id', x_studio_proxy_auth_token: 'your_token' });
    expect(ack).toMatchObject({ status: 200, body: { status: 'acknowledged', payment_id: 'payment_id' } });
  });
});

describe('legacy error contract', () => {
  const testbed = new WexTestbed();
  let origin: string;

  beforeAll(async () => {
    await testbed.start();
    const odoo = await testbed.odooReceiver();
    origin = (await testbed.payments({ bus: await testbed.bus('in-process'), databaseUrl: await testbed.databaseUrl('sqlite'), webhookUrl: odoo.url, env: { AUTH_TOKEN: 'your_token' } })).url();
  });
  afterAll(() => testbed.stop());

  it('an error from WEX: the documented error object, forwarded once downstream as is', async () => {
    testbed.wex.next({ kind: 'reject', status: 400, message: 'Error: vendor is not enrolled' });
    const call = parseCurl(SEED_CURL_PROXY);
    const body = call.body.replace('PAY-001', 'PAY-ERR-1').replace('test-123', 'test-err-1');
    const response = await post(`${origin}/proxy`, body, { 'x-proxy-auth-token': 'your_token' });
    expect(response.status).toBe(400);
    expect(shapeOf(response.body)).toEqual(shapeOf(documentedError));
    expect(response.body).toEqual({ _model: 'x_requests', _id: 'test-err-1', status: 400, error: 'Error: vendor is not enrolled' });
    const forwarded = await eventually(async () => testbed.odoo.errors(), (list) => list.length === 1);
    expect(forwarded[0]!.body).toEqual(response.body);
    expect(shapeOf(forwarded[0]!.body)).toEqual(shapeOf(documentedError));
    await sleep(800);
    expect(testbed.odoo.deliveries).toHaveLength(1);
  });

  it('answers OPTIONS on both routes, as the health check the seed suggests expects', async () => {
    for (const path of ['/proxy', '/ack']) {
      const response = await fetch(`${origin}${path}`, { method: 'OPTIONS' });
      expect(response.status).toBe(200);
      expect(response.headers.get('allow')).toBe('OPTIONS, POST');
    }
  });

  it('legacy call errors: invalid JSON 400, wrong token 401, missing payment_id 400, unknown payment 404', async () => {
    const badJson = await post(`${origin}/proxy`, '{"x_name": ', { 'x-proxy-auth-token': 'your_token' });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ error: 'Invalid JSON', message: expect.any(String) });

    const unauthorized = await post(`${origin}/proxy`, JSON.parse(SEED_PROXY_BODY));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toMatchObject({ error: 'Unauthorized', message: expect.stringMatching(/X-Proxy-Auth-Token/) });

    const missing = await post(`${origin}/ack`, {}, { 'x-proxy-auth-token': 'your_token' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'Missing payment_id', field: 'payment_id' });

    const unknown = await post(`${origin}/ack`, { payment_id: 'NEVER-SEEN' }, { 'x-proxy-auth-token': 'your_token' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'Unknown payment_id', payment_id: 'NEVER-SEEN', message: expect.stringMatching(/NEVER-SEEN/) });
  });
});
