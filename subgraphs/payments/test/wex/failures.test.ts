import { Delivery, OutboxEvent, type SubgraphService } from '@switchboard/kit';
import { eventually, type OdooWebhookReceiver, type WexBehaviour } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.js';
import type { PaymentsDeps } from '../../src/service.js';
import { WexVirtualCard } from '../../src/wex/virtual-card.js';
import { AUTH_TOKEN, graphql, odooRequest, post, sleep, WexTestbed, type BusKind, type DbKind } from './support.js';

const token = { 'x-proxy-auth-token': AUTH_TOKEN };

describe.each<[BusKind, DbKind]>([
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
])('WEX proxy failure paths on %s bus with %s', (busKind, dbKind) => {
  const testbed = new WexTestbed();
  let service: SubgraphService<PaymentsDeps>;
  let odoo: OdooWebhookReceiver;
  let origin: string;

  beforeAll(async () => {
    await testbed.start();
    odoo = await testbed.odooReceiver();
    service = await testbed.payments({ bus: await testbed.bus(busKind), databaseUrl: await testbed.databaseUrl(dbKind) });
    origin = service.url();
  });
  afterAll(() => testbed.stop());

  const counts = async () => {
    const em = service.deps.db.em();
    return { cards: await em.count(WexVirtualCard, {}), payments: await em.count(Payment, {}), deliveries: await em.count(Delivery, {}), events: await em.count(OutboxEvent, {}) };
  };
  const errorsFor = (requestId: string) => odoo.deliveries.filter((d) => d.body?._id === requestId);

  const huge = JSON.stringify(odooRequest('HUGE', { x_studio_employee_name: 'x'.repeat(100_000) }));
  it.each<[string, string | Record<string, unknown>, Record<string, string>, number, string]>([
    ['not JSON', 'x_name=PAY&amount=1', token, 400, 'body'],
    ['an empty body', '', token, 400, 'body'],
    ['a JSON array', '[]', token, 400, 'body'],
    ['a huge body', huge, token, 413, 'body'],
    ['no token', odooRequest('BAD-1'), {}, 401, 'x_studio_proxy_auth_token'],
    ['a wrong header token', odooRequest('BAD-2'), { 'x-proxy-auth-token': `${AUTH_TOKEN}x` }, 401, 'x_studio_proxy_auth_token'],
    ['a wrong body token (a right header does not rescue it)', odooRequest('BAD-3', { x_studio_proxy_auth_token: 'nope' }), token, 401, 'x_studio_proxy_auth_token'],
    ['a missing amount', odooRequest('BAD-4', { x_studio_vendor_payment_amount_requested: undefined }), token, 400, 'x_studio_vendor_payment_amount_requested'],
    ['a non-numeric amount', odooRequest('BAD-5', { x_studio_vendor_payment_amount_requested: 'lots' }), token, 400, 'x_studio_vendor_payment_amount_requested'],
    ['a negative amount', odooRequest('BAD-6', { x_studio_vendor_payment_amount_requested: -10 }), token, 400, 'x_studio_vendor_payment_amount_requested'],
    ['an over-precise amount', '{"_id":"r","x_name":"BAD-7","x_studio_vendor_name":"V","x_studio_vendor_payment_amount_requested":10.005,"x_studio_hauler_invoice_or_remittance_advice_memo":"I"}', token, 400, 'x_studio_vendor_payment_amount_requested'],
    ['a missing vendor', odooRequest('BAD-8', { x_studio_vendor_name: undefined }), token, 400, 'x_studio_vendor_name'],
    ['a missing x_name', odooRequest('BAD-9', { x_name: undefined }), token, 400, 'x_name'],
  ])('refuses %s with a 4xx naming the field, writing nothing and calling nobody', async (_label, body, headers, status, field) => {
    const before = await counts();
    const wexCalls = testbed.wex.requests.length;
    const response = await post(`${origin}/proxy`, body, headers);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: expect.any(String), message: expect.any(String), field });
    if (field !== 'body' && field !== 'x_studio_proxy_auth_token') expect(response.body.message).toContain(field);
    await sleep(50);
    expect(await counts()).toEqual(before);
    expect(testbed.wex.requests.length).toBe(wexCalls);
  });

  it.each<[string, WexBehaviour, number, string, RegExp]>([
    ['a decline (200 without "Success:")', { kind: 'decline', message: 'Declined: over limit' }, 402, 'declined', /^Declined: over limit$/],
    ['a rejection (422)', { kind: 'reject', status: 422, message: 'Error: vendor not enrolled' }, 422, 'declined', /^Error: vendor not enrolled$/],
    ['our credentials refused (401)', { kind: 'unauthorized' }, 502, 'failed', /credentials \(HTTP 401\)/],
    ['WEX down (503 page)', { kind: 'server-error' }, 502, 'failed', /HTTP 503/],
    ['no answer in time', { kind: 'hang', issues: true }, 504, 'unknown', /did not answer within 1 s/],
    ['a non-JSON 200', { kind: 'malformed' }, 502, 'unknown', /not a JSON object/],
    ['success without a usable card', { kind: 'incomplete-card' }, 502, 'unknown', /virtual_card.number/],
    ['the connection cut after issuing', { kind: 'drop-after-issue' }, 502, 'unknown', /may or may not have been issued/],
  ])('maps %s to a clear error answer and one error forward', async (label, behaviour, status, cardStatus, message) => {
    const paymentId = `FAIL-${label.replace(/\W+/g, '-')}-${dbKind}`;
    testbed.wex.next(behaviour);
    const response = await post(`${origin}/proxy`, odooRequest(paymentId), token);
    expect(response.status).toBe(status);
    expect(Object.keys(response.body)).toEqual(['_model', '_id', 'status', 'error']);
    expect(response.body).toMatchObject({ _model: 'x_requests', _id: `req-${paymentId}`, status });
    expect(response.body.error).toMatch(message);
    const card = await service.deps.db.em().findOneOrFail(WexVirtualCard, { odooPaymentId: paymentId });
    expect(card).toMatchObject({ status: cardStatus, responseStatus: status, cardSealed: null, deliveryId: null });
    const payment = await service.deps.db.em().findOneOrFail(Payment, { id: card.id });
    expect(payment).toMatchObject({ kind: 'virtual_card', provider: 'wex', status: cardStatus === 'unknown' ? 'pending' : 'failed', failureCode: `wex_${cardStatus}` });
    const forwarded = await eventually(async () => errorsFor(`req-${paymentId}`), (list) => list.length === 1);
    expect(forwarded[0]!.body).toEqual(response.body);
    await sleep(400);
    expect(errorsFor(`req-${paymentId}`)).toHaveLength(1);
  });

  it('a request that failed without a card may be sent again; one card in the end', async () => {
    const paymentId = `RETRY-${dbKind}`;
    testbed.wex.next({ kind: 'server-error', status: 500 });
    expect((await post(`${origin}/proxy`, odooRequest(paymentId), token)).status).toBe(502);
    const cards = testbed.wex.cards.length;
    const second = await post(`${origin}/proxy`, odooRequest(paymentId), token);
    expect(second.status).toBe(200);
    expect(testbed.wex.cards.length).toBe(cards + 1);
    expect((await post(`${origin}/proxy`, odooRequest(paymentId), token)).body).toEqual(second.body);
    expect(testbed.wex.cards.length).toBe(cards + 1);
    const { body } = await graphql(service, `{ wexVirtualCard(paymentId: "${paymentId}") { status wexCalls deliveries { kind } payment { status } } }`);
    expect(body.data.wexVirtualCard).toMatchObject({ status: 'issued', wexCalls: 2, payment: { status: 'succeeded' } });
    expect(body.data.wexVirtualCard.deliveries.map((d: { kind: string }) => d.kind)).toEqual(['wex.odoo-error-forward', 'wex.odoo-webhook']);
  });

  it('an unknown outcome is never retried automatically: the same request gets the same answer, no second card', async () => {
    const paymentId = `UNKNOWN-${dbKind}`;
    testbed.wex.next({ kind: 'hang', issues: true });
    const first = await post(`${origin}/proxy`, odooRequest(paymentId), token);
    expect(first.status).toBe(504);
    const calls = testbed.wex.requests.length;
    const again = await post(`${origin}/proxy`, odooRequest(paymentId), token);
    expect(again).toEqual(first);
    expect(testbed.wex.requests.length).toBe(calls);
  });

  it('a WEX call the process never finished is settled as unknown once, and Odoo is told once', async () => {
    const paymentId = `STALE-${dbKind}`;
    const issuer = service.deps.wex.issuer;
    const started = new Date(Date.now() - issuer.issuingLeaseMs - 1_000);
    await service.deps.transaction(async ({ em }) => {
      em.create(WexVirtualCard, { id: `wex_stale_${dbKind}`, odooPaymentId: paymentId, odooRequestId: '"req-stale"', vendorName: 'V', amountValue: '5.00', currency: 'USD', invoiceNumber: 'I', status: 'issuing', createdAt: started, updatedAt: started });
      em.create(Payment, { id: `wex_stale_${dbKind}`, kind: 'virtual_card', provider: 'wex', status: 'pending', amountValue: '5.00', currency: 'USD', createdAt: started });
    });
    expect(await issuer.expireStaleCalls()).toBe(1);
    expect(await issuer.expireStaleCalls()).toBe(0);
    const card = await service.deps.db.em().findOneOrFail(WexVirtualCard, { odooPaymentId: paymentId });
    expect(card).toMatchObject({ status: 'unknown', responseStatus: 504 });
    const forwarded = await eventually(async () => errorsFor('req-stale'), (list) => list.length === 1);
    expect(forwarded[0]!.body).toEqual({ _model: 'x_requests', _id: 'req-stale', status: 504, error: expect.stringMatching(/did not finish/) });
    const replay = await post(`${origin}/proxy`, odooRequest(paymentId, { _id: 'req-stale', x_studio_vendor_name: 'V', x_studio_vendor_payment_amount_requested: 5, x_studio_hauler_invoice_or_remittance_advice_memo: 'I', x_studio_employee_name: undefined }), token);
    expect(replay.status).toBe(504);
    await sleep(300);
    expect(errorsFor('req-stale')).toHaveLength(1);
  });

  it('wakes a delivery whose wake-up was lost (a dead consumer held it) once it is long overdue', async () => {
    const paymentId = `OVERDUE-${dbKind}`;
    odoo.autoAck({ fromAttempt: 1 });
    try {
      // A delivery whose next attempt fell due a minute ago with no wake-up on the bus.
      const id = `overdue-${dbKind}`;
      const template = { _model: 'x_requests', _id: 'req-overdue', status: 200, card_number: null, payment_id: paymentId };
      await service.deps.transaction(async ({ em }) => {
        em.create(Delivery, { id, kind: 'wex.odoo-error-forward', reference: 'none', targetUrl: odoo.url, method: 'POST', body: JSON.stringify(template), maxAttempts: 1, nextAttemptAt: new Date(Date.now() - 60_000), createdAt: new Date(Date.now() - 70_000) });
      });
      // The kit's periodic sweep may wake it too: two wake-ups must still make one attempt.
      expect(await service.deps.deliveries.requeueOverdue()).toBe(1);
      expect(await service.deps.deliveries.requeueOverdue()).toBe(0); // not again right away
      const row = await eventually(() => service.deps.db.em().findOneOrFail(Delivery, { id }), (d) => d.status === 'delivered');
      expect(row.attempts).toBe(1);
      await sleep(500);
      expect(odoo.deliveries.filter((d) => d.body?._id === 'req-overdue')).toHaveLength(1);
    } finally {
      odoo.autoAck(false);
    }
  });
});

describe('WEX proxy switches', () => {
  const testbed = new WexTestbed();
  beforeAll(() => testbed.start());
  afterAll(() => testbed.stop());

  it('without WEBHOOK_URL the routes answer 503 naming it', async () => {
    const service = await testbed.payments({ bus: await testbed.bus('in-process'), databaseUrl: await testbed.databaseUrl('sqlite'), env: { WEBHOOK_URL: undefined } });
    const response = await post(`${service.url()}/proxy`, odooRequest('OFF'), token);
    expect(response).toMatchObject({ status: 503, body: { message: expect.stringMatching(/WEBHOOK_URL/) } });
  });

  it('without AUTH_TOKEN (development) calls need no token, as in the legacy proxy', async () => {
    await testbed.odooReceiver();
    const service = await testbed.payments({ bus: await testbed.bus('in-process'), databaseUrl: await testbed.databaseUrl('sqlite'), env: { AUTH_TOKEN: undefined, TEST_MODE: 'true' } });
    expect((await post(`${service.url()}/proxy`, odooRequest('OPEN'))).status).toBe(200);
    expect((await post(`${service.url()}/ack`, { payment_id: 'OPEN' })).status).toBe(200);
  });
});
