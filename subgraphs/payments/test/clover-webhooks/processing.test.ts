import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, firehoseBody, objectEvent, sendCloverWebhook } from '@switchboard/testkit';
import { CloverWebhook } from '../../src/clover-webhooks/clover-webhook.js';
import { Payment } from '../../src/payments/payment.js';
import { CloverTestEnvironment, COLLECT, connected, key, WEBHOOK_FIELDS, type CloverTestService, type Connected, type DbKind } from './support.js';

const SYNC = `mutation($id: ID!) { syncCloverTerminals(connectionId: $id) { id } }`;
const WEBHOOK = `query($id: ID!) { cloverWebhook(id: $id) { ${WEBHOOK_FIELDS} } }`;

/**
 * The follow-up of verified webhooks (seed TODO 6): each `P:` object is fetched from the Platform
 * API through the merchant's connection and our matching payment updated, emitting
 * `payments.charge.*` once however many webhooks name it; Clover outages are retried, then parked
 * as failed (announced on payments.deadletter) and re-processable by an operator.
 */
describe.each(['sqlite', 'postgres'] as DbKind[])('Clover webhook follow-up on %s', (db) => {
  const env = new CloverTestEnvironment();
  let client: CloverTestService;
  let merchant: Connected;
  let url: string;

  beforeAll(async () => {
    await env.start();
    client = await env.service(await env.databaseUrl(db), { CLOVER_WEBHOOK_RETRY_BASE_MS: '100', CLOVER_WEBHOOK_MAX_ATTEMPTS: '3' });
    merchant = await connected(client, env.emulator);
    await client.graphql(SYNC, { id: merchant.id });
    url = `${client.service.url()}/payment/clover/webhook`;
  });
  afterAll(() => env.stop());

  /** Signed like Clover, with the connection's app (no CLOVER_WEBHOOK_APP_SECRET here). */
  const send = (events: ReturnType<typeof objectEvent>[], merchantId = merchant.merchant.id) =>
    sendCloverWebhook(url, firehoseBody(env.emulator.app.id, { [merchantId]: events }), { appSecret: env.emulator.app.secret });
  const processed = (id: string) =>
    eventually(async () => (await client.graphql(WEBHOOK, { id }, ['ops'])).body.data.cloverWebhook, (w) => w.processingStatus === 'processed' || w.processingStatus === 'failed', { timeoutMs: 15_000 });
  const cloverPaymentFor = (paymentId: string) => [...env.emulator.state.charges.values()].find((charge) => charge.externalPaymentId === paymentId)!;

  /** A terminal payment the device completed but whose answer never reached us: pending here. */
  async function lostTerminalPayment(): Promise<string> {
    env.emulator.control.queueDeviceOutcome(merchant.device.serial, { result: 'lose-response' });
    const collected = await client.graphql(COLLECT, { input: { connectionId: merchant.id, idempotencyKey: key('w'), amount: '12.00', terminal: true, orderId: 'ORD-W', applySurcharge: false } });
    const id = collected.body.data.collectPayment.id as string;
    await client.service.deps.clover.runner.settled(id);
    expect((await client.service.deps.db.em().findOneOrFail(Payment, { id })).status).toBe('pending');
    return id;
  }

  it('settles a pending payment from the Platform API and emits payments.charge.succeeded once, however many webhooks name it', async () => {
    const paymentId = await lostTerminalPayment();
    const cloverId = cloverPaymentFor(paymentId).id;

    const created = await send([objectEvent('P', merchant.merchant.id, cloverId, 'CREATE')]);
    expect(created.status).toBe(200);
    const first = await processed(JSON.parse(created.body).id);
    expect(first.results).toEqual([expect.objectContaining({ objectId: `P:${merchant.merchant.id}/${cloverId}`, outcome: 'updated', paymentId, status: 'succeeded' })]);
    const payment = await client.service.deps.db.em().findOneOrFail(Payment, { id: paymentId });
    expect(payment).toMatchObject({ status: 'succeeded', providerPaymentId: cloverId, failureCode: null });

    const updated = await send([objectEvent('P', merchant.merchant.id, cloverId, 'UPDATE')]);
    const second = await processed(JSON.parse(updated.body).id);
    expect(second.results).toEqual([expect.objectContaining({ outcome: 'in_sync', paymentId })]);

    const events = await eventually(async () => env.eventsFor(paymentId).filter((e) => e.type.startsWith('payments.charge.')), (list) => list.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(env.eventsFor(paymentId).filter((e) => e.type.startsWith('payments.charge.'))).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'payments.charge.succeeded', subject: paymentId });
    expect(events[0]!.data).toMatchObject({ paymentId, kind: 'charge', provider: 'clover', amount: '12.00', currency: 'USD', orderId: 'ORD-W', occurredAt: expect.any(String) });
  });

  it('says what it did with objects it cannot follow: other merchants, unknown payments, orders', async () => {
    const reply = await sendCloverWebhook(
      url,
      firehoseBody(env.emulator.app.id, {
        [merchant.merchant.id]: [objectEvent('P', merchant.merchant.id, 'NOSUCHPAYMENT'), objectEvent('O', merchant.merchant.id, 'ORDER0000001')],
        UNCONNECTED01: [objectEvent('P', 'UNCONNECTED01', 'PAYMENT000001')],
      }),
      { appSecret: env.emulator.app.secret },
    );
    const webhook = await processed(JSON.parse(reply.body).id);
    expect(webhook.processingStatus).toBe('processed');
    expect(webhook.results.map((r: any) => [r.objectId.split('/')[1], r.outcome])).toEqual([
      ['NOSUCHPAYMENT', 'not_found_at_clover'],
      ['ORDER0000001', 'ignored'],
      ['PAYMENT000001', 'no_connection'],
    ]);
  });

  it('retries while the Platform API is unavailable, then records the outcome', async () => {
    const paymentId = await lostTerminalPayment();
    env.emulator.control.failNext({ host: 'api', path: /^\/v3\/merchants\/[^/]+\/payments\/[^/]+$/, status: 503, times: 2 });
    const reply = await send([objectEvent('P', merchant.merchant.id, cloverPaymentFor(paymentId).id)]);
    const webhook = await processed(JSON.parse(reply.body).id);
    expect(webhook).toMatchObject({ processingStatus: 'processed', processingAttempts: 3, processingError: null });
    expect((await client.service.deps.db.em().findOneOrFail(Payment, { id: paymentId })).status).toBe('succeeded');
  });

  it("follows up a burst for one merchant within Clover's rate limits: no 429, at most 5 calls of a token at once", async () => {
    const payments = Array.from({ length: 30 }, () => env.emulator.control.createPayment(merchant.merchant.id));
    // Each Platform API answer takes a while, so the calls overlap as they would at Clover.
    env.emulator.control.failNext({ host: 'api', path: /^\/v3\/merchants\/[^/]+\/payments\/[^/]+$/, hangMs: 60, times: payments.length });
    const before = env.emulator.control.requests({ host: 'api', path: /^\/v3\// }).length;
    const replies = await Promise.all(payments.map((payment) => send([objectEvent('P', merchant.merchant.id, payment.id)])));
    const webhooks = await Promise.all(replies.map((reply) => processed(JSON.parse(reply.body).id)));
    expect(webhooks.map((w) => [w.processingStatus, w.processingAttempts, w.results[0].outcome])).toEqual(payments.map(() => ['processed', 1, 'unmatched']));
    const calls = env.emulator.control.requests({ host: 'api', path: /^\/v3\// }).slice(before);
    expect(calls.filter((call) => call.status === 429)).toEqual([]);
    expect(calls.length).toBeGreaterThanOrEqual(payments.length);
    expect(env.emulator.control.peakConcurrencyPerToken()).toBeLessThanOrEqual(5);
    expect(env.emulator.control.peakConcurrencyPerToken()).toBeGreaterThan(1);
    // 16 a second per token at most: 30 calls cannot all have started within one second.
    const startedAt = calls.map((call) => call.at).sort((a, b) => a - b);
    expect(startedAt.at(-1)! - startedAt[0]!).toBeGreaterThanOrEqual(1_000);
  });

  it("waits as long as a 429's retry-after says before asking Clover again", async () => {
    const paymentId = await lostTerminalPayment();
    env.emulator.control.failNext({ host: 'api', path: /^\/v3\/merchants\/[^/]+\/payments\/[^/]+$/, status: 429, headers: { 'retry-after': '2', 'X-RateLimit-tokenLimit': '16' }, times: 1 });
    const reply = await send([objectEvent('P', merchant.merchant.id, cloverPaymentFor(paymentId).id)]);
    const webhookId = JSON.parse(reply.body).id as string;
    const webhook = await processed(webhookId);
    expect(webhook).toMatchObject({ processingStatus: 'processed', processingAttempts: 2 });
    const row = await client.service.deps.db.em().findOneOrFail(CloverWebhook, { id: webhookId });
    // The retry base here is 100 ms: only the retry-after explains a two-second wait.
    expect(row.processedAt!.getTime() - row.receivedAt.getTime()).toBeGreaterThanOrEqual(2_000);
    expect((await client.service.deps.db.em().findOneOrFail(Payment, { id: paymentId })).status).toBe('succeeded');
  });

  it('takes over a webhook whose attempt died with its replica once the claim lapses, and leaves a live claim alone', async () => {
    const paymentId = await lostTerminalPayment();
    const reply = await send([objectEvent('P', merchant.merchant.id, cloverPaymentFor(paymentId).id)]);
    const webhookId = JSON.parse(reply.body).id as string;
    await processed(webhookId);
    const { processor } = client.service.deps.cloverWebhooks;
    const em = client.service.deps.db.em();

    // Claimed (or renewed) a moment ago by an attempt that is running: not taken, tried again when the claim could lapse.
    await em.nativeUpdate(CloverWebhook, { id: webhookId }, { processingStatus: 'processing', processingStartedAt: new Date(Date.now() - 5_000) });
    const wait = await processor.process(webhookId);
    expect(wait).toBeGreaterThan(40_000);
    expect(wait).toBeLessThanOrEqual(55_000);

    // Last renewed over a minute ago: the replica died mid-attempt (a live one renews every 20 s), so it is taken over.
    await em.nativeUpdate(CloverWebhook, { id: webhookId }, { processingStatus: 'processing', processingStartedAt: new Date(Date.now() - 61_000) });
    expect(await processor.process(webhookId)).toBe('done');
    const row = await client.service.deps.db.em().findOneOrFail(CloverWebhook, { id: webhookId });
    expect(row).toMatchObject({ processingStatus: 'processed', processingAttempts: 2 });
    expect(JSON.parse(row.processingResult!)).toEqual([expect.objectContaining({ outcome: 'in_sync', paymentId })]);
  });

  it('parks a webhook as failed after the last attempt, announces it, and an operator can reprocess it', async () => {
    const paymentId = await lostTerminalPayment();
    env.emulator.control.failNext({ host: 'api', path: /^\/v3\/merchants\/[^/]+\/payments\/[^/]+$/, status: 503, times: 3 });
    const reply = await send([objectEvent('P', merchant.merchant.id, cloverPaymentFor(paymentId).id)]);
    const webhookId = JSON.parse(reply.body).id as string;
    const failed = await processed(webhookId);
    expect(failed).toMatchObject({ processingStatus: 'failed', processingAttempts: 3, processingError: expect.stringMatching(/unavailable/) });
    const announced = await eventually(async () => env.events.filter((e) => e.type === 'payments.deadletter' && e.data.eventId === webhookId), (list) => list.length === 1);
    expect(announced[0]!.data).toMatchObject({ consumer: 'clover-webhook-processor', attempts: 3, summary: expect.stringMatching(/reprocessCloverWebhook/) });
    expect((await client.service.deps.db.em().findOneOrFail(Payment, { id: paymentId })).status).toBe('pending');

    const denied = await client.graphql(`mutation($id: ID!) { reprocessCloverWebhook(id: $id) { id } }`, { id: webhookId }, ['finance']);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const again = await client.graphql(`mutation($id: ID!) { reprocessCloverWebhook(id: $id) { processingStatus } }`, { id: webhookId }, ['ops']);
    expect(again.body.data.reprocessCloverWebhook.processingStatus).toBe('pending');
    const done = await eventually(() => client.service.deps.db.em().findOneOrFail(CloverWebhook, { id: webhookId }), (w) => w.processingStatus === 'processed', { timeoutMs: 15_000 });
    expect(JSON.parse(done.processingResult!)).toEqual([expect.objectContaining({ outcome: 'updated', paymentId })]);
    expect((await client.service.deps.db.em().findOneOrFail(Payment, { id: paymentId })).status).toBe('succeeded');
  });
});
