import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { Payment } from '../../src/payments/payment.js';
import {
  CARDS,
  CloverTestEnvironment,
  COLLECT,
  connected,
  freshVisa,
  key,
  PAYMENT_FIELDS,
  REFUND,
  type CloverTestService,
  type Connected,
  type DbKind,
} from './support.js';

const VOID = `mutation($id: ID!, $reason: String) { voidPayment(paymentId: $id, reason: $reason) { ${PAYMENT_FIELDS} } }`;
const CAPTURE = `mutation($id: ID!) { capturePayment(paymentId: $id) { ${PAYMENT_FIELDS} } }`;
const CREDIT = `mutation($input: IssueCreditInput!) { issueCredit(input: $input) { ${PAYMENT_FIELDS} } }`;
const SURCHARGE = `mutation($id: ID!, $percent: String!, $fixed: String!) { setCloverSurcharge(connectionId: $id, percent: $percent, fixedAmount: $fixed) { surcharge { percent fixedAmount { amount } enabled } } }`;

/** Refunds (full, partial, the rest, 180 days, concurrency), voids, capture, credits and surcharge. */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover refunds, voids, captures, credits and surcharge on %s', (db) => {
  const env = new CloverTestEnvironment();
  let client: CloverTestService;
  let merchant: Connected;

  beforeAll(async () => {
    await env.start();
    client = await env.service(await env.databaseUrl(db));
    merchant = await connected(client, env.emulator);
  });
  afterAll(() => env.stop());

  async function charge(amount: string, extra: Record<string, unknown> = {}) {
    const result = await client.graphql(COLLECT, {
      input: { connectionId: merchant.id, idempotencyKey: key('c'), amount, card: { ...CARDS.visa, number: freshVisa() }, invoiceId: 'INV-R', applySurcharge: false, ...extra },
    });
    if (result.body.errors) throw new Error(JSON.stringify(result.body.errors));
    return result.body.data.collectPayment;
  }
  const refund = (paymentId: string, amount?: string, idempotencyKey = key('r')) =>
    client.graphql(REFUND, { input: { paymentId, idempotencyKey, ...(amount ? { amount } : {}) } });
  const payment = async (id: string) =>
    (await client.graphql(`query($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} refunds { id amount { amount } status } } }`, { id })).body.data.payment;

  it('partial refunds go to /v1/payments/{id}/refunds with {amount}; the rest with {fullRefund: true}', async () => {
    const paid = await charge('10.00');
    env.emulator.control.reset();
    const first = (await refund(paid.id, '3.25')).body.data.refundPayment;
    expect(first).toMatchObject({ status: 'succeeded', amount: { amount: '3.25' }, kind: 'refund' });
    expect(await payment(paid.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: { amount: '3.25' }, refundableAmount: { amount: '6.75' } });

    const rest = (await refund(paid.id)).body.data.refundPayment;
    expect(rest).toMatchObject({ status: 'succeeded', amount: { amount: '6.75' } });
    const calls = env.emulator.control.requests({ method: 'POST', path: `/v1/payments/${paid.providerPaymentId}/refunds` });
    expect(calls.map((call) => call.body)).toEqual([{ amount: 325 }, { fullRefund: true }]);
    expect(env.emulator.control.requests({ path: '/v1/refunds' })).toHaveLength(0);
    expect(await payment(paid.id)).toMatchObject({ status: 'refunded', refundedAmount: { amount: '10.00' }, refundableAmount: null });
    expect(env.emulator.state.charges.get(paid.providerPaymentId)!.amountRefunded).toBe(1000);

    const more = await refund(paid.id, '0.01');
    expect(more.body.errors?.[0]?.extensions).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'already_refunded' });
  });

  it('the Clover quirk is real: /v1/refunds refuses any field but charge', async () => {
    const paid = await charge('4.00');
    const response = await fetch(`${env.emulator.urls.ecommerce}/v1/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${merchant.merchant.ecommercePrivateKey}` },
      body: JSON.stringify({ charge: paid.providerPaymentId, amount: 100 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toBe('Invalid JSON format');
  });

  it('a refund above what is left is refused before Clover is asked; bad amounts name the field', async () => {
    const paid = await charge('5.00');
    env.emulator.control.reset();
    const tooMuch = await refund(paid.id, '5.01');
    expect(tooMuch.body.errors?.[0]?.extensions?.code).toBe('FAILED_PRECONDITION');
    expect(tooMuch.body.errors?.[0]?.message).toMatch(/exceeds the refundable 5\.00/);
    const bad = await refund(paid.id, '1.234');
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(env.emulator.control.requests({ path: /refunds$/ })).toHaveLength(0);
  });

  it('the 180-day limit: an older payment cannot be refunded, and Clover would refuse it too', async () => {
    const paid = await charge('3.00');
    await client.service.deps.db.em().nativeUpdate(Payment, { id: paid.id }, { providerCreatedAt: new Date(Date.now() - 181 * 86_400_000) });
    env.emulator.control.reset();
    const result = await refund(paid.id);
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'refund_window_expired' });
    expect(env.emulator.control.requests()).toHaveLength(0);

    env.emulator.control.ageCharge(paid.providerPaymentId, 181);
    const direct = await fetch(`${env.emulator.urls.ecommerce}/v1/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${merchant.merchant.ecommercePrivateKey}` },
      body: JSON.stringify({ charge: paid.providerPaymentId }),
    });
    expect(direct.status).toBe(400);
    const deadline = (await payment(paid.id)).refundDeadline;
    expect(Date.parse(deadline)).toBeLessThan(Date.now());
  });

  it('pre-refund verification: a refund made on the Clover dashboard counts', async () => {
    const paid = await charge('8.00');
    env.emulator.state.charges.get(paid.providerPaymentId)!.amountRefunded = 500; // refunded $5 elsewhere
    const result = await refund(paid.id);
    expect(result.body.data.refundPayment).toMatchObject({ status: 'succeeded', amount: { amount: '3.00' } });
  });

  it('concurrent partial refunds can never add up to more than the charge', async () => {
    const paid = await charge('10.00');
    const results = await Promise.all([...Array(5)].map(() => refund(paid.id, '3.00')));
    const succeeded = results.filter((r) => r.body.data?.refundPayment?.status === 'succeeded');
    expect(succeeded).toHaveLength(3);
    for (const failed of results.filter((r) => r.body.errors)) expect(failed.body.errors![0]!.extensions!.code).toBe('FAILED_PRECONDITION');
    expect(env.emulator.state.charges.get(paid.providerPaymentId)!.amountRefunded).toBe(900);
    expect(await payment(paid.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: { amount: '9.00' } });
  });

  it('refund idempotency: the same key twice is one refund', async () => {
    const paid = await charge('6.00');
    const same = key('same-refund');
    const [a, b] = await Promise.all([refund(paid.id, '1.00', same), refund(paid.id, '1.00', same)]);
    expect(a.body.data.refundPayment.id).toBe(b.body.data.refundPayment.id);
    expect([...env.emulator.state.refunds.values()].filter((r) => r.charge === paid.providerPaymentId)).toHaveLength(1);
  });

  it('a refund Clover refuses is recorded as failed and gives its amount back', async () => {
    const paid = await charge('7.00');
    env.emulator.control.failNext({ path: `/v1/payments/${paid.providerPaymentId}/refunds`, status: 400, body: { error: { type: 'invalid_request_error', code: 'processing_error', message: 'Refund could not be processed' } } });
    const result = (await refund(paid.id, '2.00')).body.data.refundPayment;
    expect(result).toMatchObject({ status: 'failed', failureCode: 'processing_error', failureMessage: 'Refund could not be processed' });
    expect(await payment(paid.id)).toMatchObject({ status: 'succeeded', refundedAmount: { amount: '0.00' }, refundableAmount: { amount: '7.00' } });
    const [event] = await eventually(async () => env.eventsFor(result.id), (events) => events.length === 1);
    expect(event!.type).toBe('payments.refund.failed');
  });

  it('void before settlement: the charge is voided at Clover and announced', async () => {
    const paid = await charge('2.50');
    const result = await client.graphql(VOID, { id: paid.id, reason: 'duplicate' });
    expect(result.body.data.voidPayment.status).toBe('voided');
    expect(env.emulator.state.charges.get(paid.providerPaymentId)!.voided).toBe(true);
    const events = await eventually(async () => env.eventsFor(paid.id), (list) => list.length === 2);
    expect(events.map((event) => event.type)).toEqual(['payments.charge.succeeded', 'payments.charge.voided']);
    // Voiding again is harmless; refunding a voided charge is refused.
    expect((await client.graphql(VOID, { id: paid.id })).body.data.voidPayment.status).toBe('voided');
    expect((await refund(paid.id)).body.errors?.[0]?.extensions?.code).toBe('FAILED_PRECONDITION');
  });

  it('void after settlement is refused with a clear way forward; a charge with refunds cannot be voided', async () => {
    const settled = await charge('2.00');
    env.emulator.control.settleCharge(settled.providerPaymentId);
    const result = await client.graphql(VOID, { id: settled.id });
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'payment_settled' });
    expect(result.body.errors?.[0]?.message).toMatch(/refund it instead/);
    expect((await payment(settled.id)).status).toBe('succeeded');

    const refunded = await charge('2.00');
    await refund(refunded.id, '1.00');
    expect((await client.graphql(VOID, { id: refunded.id })).body.errors?.[0]?.extensions?.reason).toBe('has_refunds');
  });

  it('authorize now, capture later: no event until the capture', async () => {
    const authorized = await charge('9.99', { authorizeOnly: true });
    expect(authorized.status).toBe('authorized');
    expect(env.emulator.state.charges.get(authorized.providerPaymentId)!.captured).toBe(false);
    expect((await refund(authorized.id)).body.errors?.[0]?.extensions?.reason).toBe('not_captured');
    const captured = (await client.graphql(CAPTURE, { id: authorized.id })).body.data.capturePayment;
    expect(captured.status).toBe('succeeded');
    expect(env.emulator.state.charges.get(authorized.providerPaymentId)!.captured).toBe(true);
    const events = await eventually(async () => env.eventsFor(authorized.id), (list) => list.length === 1);
    expect(events[0]!.type).toBe('payments.charge.succeeded');
    expect((await client.graphql(CAPTURE, { id: authorized.id })).body.errors?.[0]?.extensions?.reason).toBe('not_authorized');
  });

  it('non-referenced credit to a keyed card: POST /v1/credits, announced as a refund of kind credit', async () => {
    env.emulator.control.reset();
    const result = await client.graphql(CREDIT, {
      input: { connectionId: merchant.id, idempotencyKey: key('credit'), amount: '15.00', card: CARDS.visa, customerEmail: 'ada@example.com', description: 'goodwill' },
    });
    const credit = result.body.data.issueCredit;
    expect(credit).toMatchObject({ kind: 'credit', status: 'succeeded', amount: { amount: '15.00' }, cardLast4: '4242' });
    const call = env.emulator.control.requests({ path: '/v1/credits' });
    expect(call).toHaveLength(1);
    expect(call[0]!.body).toMatchObject({ amount: 1500, currency: 'usd' });
    const [event] = await eventually(async () => env.eventsFor(credit.id), (list) => list.length === 1);
    expect(event!.type).toBe('payments.refund.succeeded');
    expect(event!.data).toMatchObject({ kind: 'credit', amount: '15.00', customerEmail: 'ada@example.com' });
    expect(event!.data.chargeId).toBeUndefined();
  });

  it('surcharge: the configured fee is added to collected amounts, shown on the payment, charged at Clover and announced', async () => {
    const invalid = await client.graphql(SURCHARGE, { id: merchant.id, percent: '5', fixed: '0' });
    expect(invalid.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'percent' });
    const set = await client.graphql(SURCHARGE, { id: merchant.id, percent: '3', fixed: '0.30' });
    expect(set.body.data.setCloverSurcharge.surcharge).toEqual({ percent: '3.0000', fixedAmount: { amount: '0.30' }, enabled: true });

    const paid = await charge('100.00', { applySurcharge: true });
    expect(paid).toMatchObject({ amount: { amount: '103.30' }, baseAmount: { amount: '100.00' }, surchargeAmount: { amount: '3.30' } });
    expect(env.emulator.state.charges.get(paid.providerPaymentId)!.amount).toBe(10330);
    const [event] = await eventually(async () => env.eventsFor(paid.id), (list) => list.length === 1);
    expect(event!.data).toMatchObject({ amount: '103.30', baseAmount: '100.00', surchargeAmount: '3.30' });

    const waived = await charge('100.00', { applySurcharge: false });
    expect(waived).toMatchObject({ amount: { amount: '100.00' }, surchargeAmount: { amount: '0.00' } });
    await client.graphql(SURCHARGE, { id: merchant.id, percent: '0', fixed: '0' });
  });

  it('roles: support may not collect; finance may', async () => {
    const input = { connectionId: merchant.id, idempotencyKey: key('role'), amount: '1.00', card: CARDS.visa, invoiceId: 'INV-ROLE' };
    const denied = await client.graphql(COLLECT, { input }, ['support']);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const allowed = await client.graphql(COLLECT, { input }, ['finance']);
    expect(allowed.body.data.collectPayment.status).toBe('succeeded');
    const manage = await client.graphql(`mutation($id: ID!) { disconnectCloverConnection(id: $id) { id } }`, { id: merchant.id }, ['finance']);
    expect(manage.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
