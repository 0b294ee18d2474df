import { moduleBatch, phpJsonEncode, PrestashopShop, PrestashopWebhookSender, seedExampleBatch } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBatch } from '../../src/prestashop/batch-validation.js';
import { prestashopDeps } from '../../src/prestashop/prestashop-deps.js';
import { Infrastructure, startCommerce, WEBHOOK_SECRET, type BusKind, type CommerceUnderTest, type DbKind } from './support/commerce-under-test.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

const STORED_TABLES = ['prestashop_event', 'prestashop_batch', 'outbox_event', 'shop_order', 'order_line', 'shop_customer_account', 'customer'];

describe.each([
  ['sqlite', 'in-process'],
  ['postgres', 'nats'],
] as [DbKind, BusKind][])('POST /prestashop/webhook (%s, %s bus)', (db, bus) => {
  let c: CommerceUnderTest;
  let shop: PrestashopShop;
  let sender: PrestashopWebhookSender;
  const counts = () => Promise.all(STORED_TABLES.map((table) => c.count(table)));

  beforeAll(async () => {
    c = await startCommerce({ databaseUrl: await infra.databaseUrl(db), bus: await infra.bus(bus) });
    shop = new PrestashopShop({ seed: 21 });
    sender = new PrestashopWebhookSender({ url: `${c.url}/prestashop/webhook`, secret: WEBHOOK_SECRET });
  });
  afterAll(() => c?.stop());

  it("stores the seed README's example before answering, then processes it from the bus", async () => {
    const outcome = await sender.send(seedExampleBatch());
    expect(outcome.status).toBe(200);
    expect(outcome.body).toEqual({
      status: 'success',
      message: 'Batch stored: 1 new event, 0 already received',
      batch_id: 'batch_20251115114300_9958d37c',
      events_received: 1,
      events_accepted: 1,
      events_duplicate: 0,
      results: [{ success: true, event_id: 163, status: 'accepted' }],
    });
    // Durable at the 2xx: the event row and the processing request are committed.
    const [event] = await c.sql(`select source_event_id, entity_type, action_type, batch_id, after_data from prestashop_event where source_event_id = 163`);
    expect(event).toMatchObject({ entity_type: 'order', action_type: 'created', batch_id: 'batch_20251115114300_9958d37c' });
    expect(JSON.parse(event.after_data).order_details[0].product_name).toBe('T-Shirt - Blue - Size M');
    expect((await c.outbox('commerce.prestashop.batch_received')).map((e) => e.data)).toContainEqual({
      sourceEventIds: [163],
      batchId: 'batch_20251115114300_9958d37c',
      reason: 'intake',
    });
    await c.settled();
    expect(await c.count('order_line', "order_id = 'ps-999946'")).toBe(1);
    expect(await c.count('prestashop_event', "source_event_id = 163 and status = 'processed'")).toBe(1);
  });

  it('a batch sent three times has one effect; the re-sends are answered as duplicates', async () => {
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    const order = shop.placeOrder(customer, { lines: 5 });
    const batch = moduleBatch(shop.since(mark), new Date(Date.UTC(2025, 10, 16, 9, 0, 0)));
    const outcomes = [await sender.send(batch), await sender.send(batch), await sender.send(batch)];
    expect(outcomes.map((o) => o.body.events_accepted)).toEqual([batch.events.length, 0, 0]);
    expect(outcomes[2]!.body.results).toEqual(batch.events.map((e) => ({ success: true, event_id: e.event_id, status: 'duplicate' })));
    expect(outcomes.every((o) => o.events.every((e) => e.success))).toBe(true);
    await c.settled();

    expect(await c.count('shop_order', `id = 'ps-${order.id}'`)).toBe(1);
    expect(await c.count('order_line', `order_id = 'ps-${order.id}'`)).toBe(5);
    expect(await c.count('prestashop_event', `batch_id = '${batch.batch_id}' and times_received = 3`)).toBe(batch.events.length);
    expect(await c.count('prestashop_batch', `batch_id = '${batch.batch_id}' and times_received = 3`)).toBe(1);
    const created = (await c.outbox('commerce.order.created')).filter((e) => e.subject === `ps-${order.id}`);
    expect(created).toHaveLength(1);
  });

  it('the same batch arriving three times at once is stored once', async () => {
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    const order = shop.placeOrder(customer, { lines: 3 });
    const batch = moduleBatch(shop.since(mark), new Date(Date.UTC(2025, 10, 16, 9, 5, 0)));
    const body = phpJsonEncode(batch);
    const outcomes = await Promise.all([1, 2, 3].map(() => sender.send(batch, { body })));
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200]);
    expect(outcomes.reduce((sum, o) => sum + o.body.events_accepted, 0)).toBe(batch.events.length);
    await c.settled();
    expect(await c.count('prestashop_event', `batch_id = '${batch.batch_id}'`)).toBe(batch.events.length);
    expect(await c.count('order_line', `order_id = 'ps-${order.id}'`)).toBe(3);
    expect((await c.outbox('commerce.order.created')).filter((e) => e.subject === `ps-${order.id}`)).toHaveLength(1);
  });

  it('different batches arriving together, some sharing events, each get their own answer; every event is stored once', async () => {
    await c.settled();
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    const order = shop.placeOrder(customer, { lines: 4 });
    const events = shop.since(mark);
    // Ten batches at once: each event alone, plus two batches that both carry all of them.
    const batches = [
      ...events.map((event, i) => moduleBatch([event], new Date(Date.UTC(2025, 10, 17, 8, 0, i)))),
      moduleBatch(events, new Date(Date.UTC(2025, 10, 17, 8, 1, 0))),
      moduleBatch(events, new Date(Date.UTC(2025, 10, 17, 8, 2, 0))),
    ];
    const outcomes = await Promise.all(batches.map((batch) => sender.send(batch)));
    expect(outcomes.map((o) => o.status)).toEqual(batches.map(() => 200));
    outcomes.forEach((outcome, i) => {
      expect(outcome.body.batch_id).toBe(batches[i]!.batch_id);
      expect(outcome.body.results.map((r: { event_id: number }) => r.event_id)).toEqual(batches[i]!.events.map((e) => e.event_id));
    });
    // Each event was new to exactly one of the batches that carried it, a re-send to the others.
    for (const event of events) {
      const statuses = outcomes.flatMap((o) => o.body.results.filter((r: { event_id: number }) => r.event_id === event.event_id).map((r: { status: string }) => r.status));
      expect(statuses.sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    }
    const ids = events.map((e) => e.event_id).join(',');
    expect(await c.count('prestashop_event', `source_event_id in (${ids}) and times_received = 3`)).toBe(events.length);
    for (const batch of batches) expect(await c.count('prestashop_batch', `batch_id = '${batch.batch_id}' and times_received = 1`)).toBe(1);
    await c.settled();
    expect(await c.count('order_line', `order_id = 'ps-${order.id}'`)).toBe(4);
    expect((await c.outbox('commerce.order.created')).filter((e) => e.subject === `ps-${order.id}`)).toHaveLength(1);
  });

  it('batches stored at the same moment commit together: one processing request carries all their new events', async () => {
    await c.settled();
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    shop.placeOrder(customer, { lines: 2 });
    const events = shop.since(mark);
    const checked = events.map((event, i) => {
      const check = checkBatch(JSON.parse(phpJsonEncode(moduleBatch([event], new Date(Date.UTC(2025, 10, 18, 9, 0, i))))), { maxEvents: 500 });
      if (check.outcome !== 'batch') throw new Error(`test batch refused: ${JSON.stringify(check)}`);
      return check.batch;
    });
    const requestsBefore = (await c.outbox('commerce.prestashop.batch_received')).length;
    // Submitted in one turn of the event loop: one group commit.
    const receipts = await Promise.all(checked.map((batch) => prestashopDeps(c.service.deps).intake.store(batch)));
    expect(receipts.map((r) => [r.batchId, r.accepted, r.duplicates])).toEqual(checked.map((b) => [b.batchId, 1, 0]));
    const requests = (await c.outbox('commerce.prestashop.batch_received')).slice(requestsBefore);
    expect(requests.map((e) => e.data)).toEqual([{ sourceEventIds: events.map((e) => e.event_id), reason: 'intake' }]);
    await c.settled();
    expect(await c.count('prestashop_event', `source_event_id in (${events.map((e) => e.event_id).join(',')}) and status = 'pending'`)).toBe(0);
  });

  it("the module's retries — each failed event alone, under a new batch_id — are harmless", async () => {
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    const order = shop.placeOrder(customer, { lines: 2 });
    const events = shop.since(mark);
    expect((await sender.sendEvents(events)).status).toBe(200);
    for (const event of events) {
      const retry = await sender.sendEvents([event]);
      expect(retry.body.results).toEqual([{ success: true, event_id: event.event_id, status: 'duplicate' }]);
    }
    await c.settled();
    expect(await c.count('order_line', `order_id = 'ps-${order.id}'`)).toBe(2);
    expect(await c.count('prestashop_event', `source_event_id in (${events.map((e) => e.event_id).join(',')}) and times_received = 2`)).toBe(events.length);
  });

  it('a forged or missing secret gets 401 and nothing is stored', async () => {
    await c.settled();
    const before = await counts();
    const logsBefore = await c.count('prestashop_log');
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    shop.placeOrder(customer, { lines: 2 });
    const batch = moduleBatch(shop.since(mark), new Date());

    const forged = await new PrestashopWebhookSender({ url: `${c.url}/prestashop/webhook`, secret: 'guessed-secret-0123456789' }).send(batch);
    expect(forged.status).toBe(401);
    expect(forged.body).toEqual({ status: 'error', error: 'invalid X-Webhook-Secret' });
    expect(forged.events[0]).toEqual({ eventId: batch.events[0]!.event_id, success: false, error: 'HTTP 401: invalid X-Webhook-Secret' });
    const missing = await c.webhook(phpJsonEncode(batch), { 'x-webhook-secret': '' });
    expect(missing.status).toBe(401);
    const prefix = await c.webhook(phpJsonEncode(batch), { 'x-webhook-secret': WEBHOOK_SECRET.slice(0, -1) });
    expect(prefix.status).toBe(401);

    expect(await counts()).toEqual(before);
    expect(await c.count('prestashop_log')).toBe(logsBefore);
  });

  it('a malformed batch gets 400 naming the event and field; nothing of it is stored', async () => {
    await c.settled();
    const before = await counts();
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    shop.placeOrder(customer, { lines: 2 });
    const batch = JSON.parse(phpJsonEncode(moduleBatch(shop.since(mark), new Date())));
    batch.events[1].after_data.order_details[1].product_id = 'five';

    const response = await c.webhook(batch);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe(`events[1] (event_id ${batch.events[1].event_id}): after_data.order_details[1].product_id must be a non-negative integer`);
    expect(response.body.problems).toEqual([
      { index: 1, event_id: batch.events[1].event_id, field: 'after_data.order_details[1].product_id', message: 'must be a non-negative integer' },
    ]);
    expect(await counts()).toEqual(before);
    const [log] = await c.sql("select level, message, batch_id from prestashop_log where message like 'Batch refused%' order by id desc");
    expect(log).toMatchObject({ level: 'WARNING', batch_id: batch.batch_id });
  });

  it('answers what is wrong with the request itself', async () => {
    const notJson = await c.webhook('{"batch_id": "b", "events": [', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^the body is not valid JSON/);
    const form = await fetch(`${c.url}/prestashop/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-webhook-secret': WEBHOOK_SECRET }, body: 'hello' });
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({ status: 'error', error: 'Content-Type must be application/json' });
    const mismatch = await c.webhook(seedExampleBatch(), { 'x-batch-id': 'batch_other' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toBe('X-Batch-ID header "batch_other" does not match batch_id "batch_20251115114300_9958d37c"');
  });

  it('answers the back office "Test Connection" without storing anything', async () => {
    const before = await counts();
    expect(await sender.testConnection()).toEqual({ success: true, status: 200 });
    expect(await counts()).toEqual(before);
  });
});

describe('an intake-only replica (PRESTASHOP_PROCESSING_ENABLED=false)', () => {
  it('stores and answers; a replica with processing on applies the events', async () => {
    const databaseUrl = await infra.databaseUrl('postgres');
    const intakeOnly = await startCommerce({ databaseUrl, bus: await infra.bus('nats'), env: { PRESTASHOP_PROCESSING_ENABLED: 'false' } });
    let processor: CommerceUnderTest | undefined;
    try {
      const sender = new PrestashopWebhookSender({ url: `${intakeOnly.url}/prestashop/webhook`, secret: WEBHOOK_SECRET });
      expect((await sender.send(seedExampleBatch())).status).toBe(200);
      // The request is on the bus, but nobody here consumes it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await intakeOnly.count('prestashop_event', "source_event_id = 163 and status = 'pending'")).toBe(1);
      processor = await startCommerce({ databaseUrl, bus: await infra.bus('nats') });
      await processor.settled();
      expect(await processor.count('prestashop_event', "source_event_id = 163 and status = 'processed'")).toBe(1);
      expect(await processor.count('order_line', "order_id = 'ps-999946'")).toBe(1);
    } finally {
      await processor?.stop();
      await intakeOnly.stop();
    }
  });
});

describe('webhook configuration', () => {
  it('without PRESTASHOP_WEBHOOK_SECRET the webhook refuses every batch (503) instead of trusting anyone', async () => {
    const c = await startCommerce({ databaseUrl: await infra.databaseUrl('sqlite'), bus: await infra.bus('in-process'), env: { PRESTASHOP_WEBHOOK_SECRET: '' } });
    try {
      const response = await c.webhook(seedExampleBatch(), { 'x-webhook-secret': 'anything-at-all-0123' });
      expect(response).toEqual({ status: 503, body: { status: 'error', error: 'PRESTASHOP_WEBHOOK_SECRET is not configured on this server' } });
      expect(await c.count('prestashop_event')).toBe(0);
    } finally {
      await c.stop();
    }
  });

  it('refuses a body over PRESTASHOP_BODY_LIMIT_BYTES with 413 and one over PRESTASHOP_MAX_EVENTS_PER_BATCH too', async () => {
    const c = await startCommerce({
      databaseUrl: await infra.databaseUrl('sqlite'),
      bus: await infra.bus('in-process'),
      env: { PRESTASHOP_BODY_LIMIT_BYTES: '20000', PRESTASHOP_MAX_EVENTS_PER_BATCH: '5' },
    });
    try {
      const shop = new PrestashopShop({ seed: 3 });
      const big = moduleBatch(shop.simulate(40), new Date());
      const tooLarge = await c.webhook(phpJsonEncode(big));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.error).toBe('the batch is larger than PRESTASHOP_BODY_LIMIT_BYTES (20000 bytes); send smaller batches');
      const many = moduleBatch(Array.from({ length: 6 }, (_, i) => ({ ...shop.events[0]!, event_id: 9000 + i })), new Date());
      const tooMany = await c.webhook(phpJsonEncode(many));
      expect(tooMany.status).toBe(413);
      expect(tooMany.body.error).toMatch(/events must contain at most 5 events \(PRESTASHOP_MAX_EVENTS_PER_BATCH\); got 6/);
      expect(await c.count('prestashop_event')).toBe(0);
    } finally {
      await c.stop();
    }
  });
});
