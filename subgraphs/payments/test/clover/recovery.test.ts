import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { Payment } from '../../src/payments/payment.js';
import { CARDS, CloverTestEnvironment, COLLECT, connected, freshVisa, key, REFUND, type CloverTestService, type Connected, type DbKind } from './support.js';

/**
 * Unknown outcomes — Clover timed out, dropped the connection, answered 5xx, or did the work and
 * the answer was lost — never lose a payment and never charge twice: the payment stays pending
 * and is resolved with its idempotency key, by the client retrying or by the reconciler (also
 * after a restart, on another instance).
 */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover unknown outcomes on %s', (db) => {
  const env = new CloverTestEnvironment({ bus: 'in-process' });
  let databaseUrl: string;
  let client: CloverTestService;
  let merchant: Connected;

  beforeAll(async () => {
    await env.start();
    databaseUrl = await env.databaseUrl(db);
    client = await env.service(databaseUrl);
    merchant = await connected(client, env.emulator);
  });
  afterAll(() => env.stop());

  const chargesAtClover = () => [...env.emulator.state.charges.values()].filter((c) => c.merchantId === merchant.merchant.id);
  const input = (extra: Record<string, unknown> = {}) => ({
    connectionId: merchant.id,
    idempotencyKey: key('u'),
    amount: '20.00',
    card: { ...CARDS.visa, number: freshVisa() },
    invoiceId: 'INV-U',
    ...extra,
  });
  /** Makes a pending payment look quiet long enough for the reconciler to take it. */
  const age = (id: string) => client.service.deps.db.em().nativeUpdate(Payment, { id }, { updatedAt: new Date(Date.now() - 60_000) });

  it('a dropped connection (nothing done): pending; the client retrying with the same key gets it charged once', async () => {
    const before = chargesAtClover().length;
    env.emulator.control.failNext({ path: '/v1/charges', drop: true });
    const request = input();
    const first = (await client.graphql(COLLECT, { input: request })).body.data.collectPayment;
    expect(first).toMatchObject({ status: 'pending', failureCode: 'outcome_unknown', failureMessage: expect.stringMatching(/outcome unknown/) });
    expect(chargesAtClover().length).toBe(before);

    const retried = (await client.graphql(COLLECT, { input: request })).body.data.collectPayment;
    expect(retried).toMatchObject({ id: first.id, status: 'succeeded', failureCode: null, failureMessage: null });
    expect(chargesAtClover().length).toBe(before + 1);
  });

  it('the work done but the answer lost: the reconciler asks again with the key and records the same single charge', async () => {
    const before = chargesAtClover().length;
    env.emulator.control.failNext({ path: '/v1/charges', loseResponse: true });
    const pending = (await client.graphql(COLLECT, { input: input() })).body.data.collectPayment;
    expect(pending.status).toBe('pending');
    expect(chargesAtClover().length).toBe(before + 1); // Clover charged

    await age(pending.id);
    expect(await client.service.deps.clover.reconciler.pass()).toBeGreaterThanOrEqual(1);
    const row = await client.service.deps.db.em().findOneOrFail(Payment, { id: pending.id });
    expect(row.status).toBe('succeeded');
    expect(row.providerPaymentId).toBe(chargesAtClover().at(-1)!.id);
    expect(row.sourceToken).toBeNull(); // the token is forgotten once settled
    expect(chargesAtClover().length).toBe(before + 1); // and only once
    await eventually(async () => env.eventsFor(pending.id), (events) => events.length === 1);
  });

  it('a 5xx leaves it pending; another instance started later (a restart) settles it', async () => {
    env.emulator.control.failNext({ path: '/v1/charges', status: 503, body: { message: 'upstream unavailable' } });
    const pending = (await client.graphql(COLLECT, { input: input() })).body.data.collectPayment;
    expect(pending.status).toBe('pending');
    await age(pending.id);
    const replacement = await env.service(databaseUrl);
    await replacement.service.deps.clover.reconciler.pass();
    expect((await client.service.deps.db.em().findOneOrFail(Payment, { id: pending.id })).status).toBe('succeeded');
  });

  it('a refund whose answer is lost is settled by the reconciler as one refund', async () => {
    const paid = (await client.graphql(COLLECT, { input: input({ applySurcharge: false }) })).body.data.collectPayment;
    env.emulator.control.failNext({ path: '/v1/refunds', loseResponse: true });
    const pending = (await client.graphql(REFUND, { input: { paymentId: paid.id, idempotencyKey: key('lost-refund') } })).body.data.refundPayment;
    expect(pending.status).toBe('pending');
    await age(pending.id);
    await client.service.deps.clover.reconciler.pass();
    const refund = await client.service.deps.db.em().findOneOrFail(Payment, { id: pending.id });
    expect(refund.status).toBe('succeeded');
    expect([...env.emulator.state.refunds.values()].filter((r) => r.charge === paid.providerPaymentId)).toHaveLength(1);
    expect((await client.service.deps.db.em().findOneOrFail(Payment, { id: paid.id })).status).toBe('refunded');
  });

  it('a timeout counts as unknown, not as a decline', async () => {
    env.emulator.control.failNext({ path: '/v1/charges', hangMs: 3_500 });
    const pending = (await client.graphql(COLLECT, { input: input() })).body.data.collectPayment;
    expect(pending).toMatchObject({ status: 'pending', failureMessage: expect.stringMatching(/no answer within 3000 ms/) });
  });

  it('a terminal payment Clover never recorded is failed once the device had all its time', async () => {
    await client.graphql(`mutation($id: ID!) { syncCloverTerminals(connectionId: $id) { id } }`, { id: merchant.id });
    env.emulator.control.failNext({ path: '/connect/v1/payments', drop: true });
    const pending = (await client.graphql(COLLECT, { input: { ...input(), card: undefined, terminal: true } })).body.data.collectPayment;
    await client.service.deps.clover.runner.settled(pending.id);
    const em = client.service.deps.db.em();
    await em.nativeUpdate(Payment, { id: pending.id }, { createdAt: new Date(Date.now() - 10 * 60_000), updatedAt: new Date(Date.now() - 60_000) });
    await client.service.deps.clover.reconciler.pass();
    expect(await client.service.deps.db.em().findOneOrFail(Payment, { id: pending.id })).toMatchObject({ status: 'failed', failureCode: 'not_completed' });
  });
});
