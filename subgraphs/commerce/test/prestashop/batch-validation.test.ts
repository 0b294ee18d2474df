import { moduleBatch, phpJsonEncode, PrestashopShop, seedExampleBatch } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { checkBatch, describeProblems, type BatchCheck } from '../../src/prestashop/batch-validation.js';

/** What the route sees: the module's bytes, parsed as JSON. */
const wire = (value: unknown) => JSON.parse(phpJsonEncode(value));
const check = (body: unknown, options: { batchIdHeader?: string; maxEvents?: number } = {}) =>
  checkBatch(body, { maxEvents: 500, ...options });

function problemsOf(result: BatchCheck) {
  if (result.outcome !== 'invalid') throw new Error(`expected a refusal, got ${result.outcome}`);
  return result.problems;
}

function shopBatch() {
  const shop = new PrestashopShop({ seed: 5 });
  const customer = shop.registerCustomer();
  shop.addAddress(customer);
  const coupon = shop.createCoupon({ reductionPercent: 10 });
  const order = shop.placeOrder(customer, { lines: 4, coupon, message: 'Gift wrap, please' });
  shop.changeState(order, 4, { shippingNumber: '1Z999' });
  return wire(moduleBatch(shop.events, new Date(Date.UTC(2025, 10, 15, 12, 0, 0))));
}

describe('checkBatch', () => {
  it("accepts the seed README's example and the emulated module's batches as they are", () => {
    const seed = check(wire(seedExampleBatch()), { batchIdHeader: 'batch_20251115114300_9958d37c' });
    expect(seed.outcome).toBe('batch');
    if (seed.outcome !== 'batch') return;
    expect(seed.batch).toMatchObject({ batchId: 'batch_20251115114300_9958d37c', sentAt: '2025-11-15 11:43:00' });
    expect(seed.batch.events[0]).toMatchObject({ index: 0, sourceEventId: 163, entityType: 'order', entityId: '999946', actionType: 'created', kind: 'order' });

    const batch = shopBatch();
    const result = check(batch);
    expect(result.outcome).toBe('batch');
    if (result.outcome !== 'batch') return;
    expect(result.batch.events.map((e) => e.kind)).toEqual([
      'customer',
      'address',
      'coupon',
      'coupon-usage',
      'order',
      'payment',
      'invoice',
      'coupon-usage',
      'order',
      'order',
      'order',
    ]);
  });

  it("recognises the back office's Test Connection request", () => {
    expect(check({ test: true, message: 'Test connection from PrestaShop Odoo Sales Sync', timestamp: '2025-11-15 11:43:00' })).toEqual({ outcome: 'connection-test' });
  });

  it('names the batch-level field at fault', () => {
    expect(problemsOf(check([]))).toEqual([{ field: 'body', message: 'must be a JSON object with batch_id, timestamp and events' }]);
    expect(problemsOf(check({ timestamp: 'x', events: [] }))).toEqual([{ field: 'batch_id', message: 'is required' }]);
    expect(problemsOf(check({ batch_id: 'b1', events: {} }))).toEqual([{ field: 'events', message: 'must be an array of events' }]);
    expect(problemsOf(check({ batch_id: 'b1', events: [] }))).toEqual([{ field: 'events', message: 'must contain at least one event' }]);
    expect(problemsOf(check({ batch_id: 'b1', events: [] }, { batchIdHeader: 'b2' }))).toEqual([
      { field: 'X-Batch-ID', message: 'header "b2" does not match batch_id "b1"' },
    ]);
  });

  it('refuses more events than PRESTASHOP_MAX_EVENTS_PER_BATCH with a 413', () => {
    const batch = shopBatch();
    const result = check(batch, { maxEvents: 3 });
    expect(result).toMatchObject({ outcome: 'invalid', status: 413 });
    expect(problemsOf(result)[0]!.message).toMatch(/at most 3 events/);
  });

  it('names the event (index and event_id) and the field, down to an order line', () => {
    const batch = shopBatch();
    const orderIndex = batch.events.findIndex((e: any) => e.entity_type === 'order');
    batch.events[orderIndex].after_data.order_details[2].product_quantity = 'two';
    delete batch.events[orderIndex].after_data.reference;
    batch.events[0].after_data.email = 'not an address';
    delete batch.events[1].event_id;
    const problems = problemsOf(check(batch));
    expect(problems).toEqual([
      { index: 0, event_id: batch.events[0].event_id, field: 'after_data.email', message: 'must be a valid e-mail address' },
      { index: 1, event_id: undefined, field: 'event_id', message: 'is required' },
      { index: orderIndex, event_id: batch.events[orderIndex].event_id, field: 'after_data.reference', message: 'is required' },
      { index: orderIndex, event_id: batch.events[orderIndex].event_id, field: 'after_data.order_details[2].product_quantity', message: 'must be a non-negative integer' },
    ]);
    expect(describeProblems(problems)).toBe(`events[0] (event_id ${batch.events[0].event_id}): after_data.email must be a valid e-mail address (and 3 more problems)`);
  });

  it('refuses malformed values the module never sends, and an order without data', () => {
    const batch = shopBatch();
    const order = batch.events.find((e: any) => e.entity_type === 'order');
    order.after_data.date_add = '2025-02-30 10:00:00';
    order.after_data.total_paid = 'free';
    order.after_data.order_history = 'none';
    const payment = batch.events.find((e: any) => e.entity_type === 'payment');
    payment.after_data = [];
    const fields = problemsOf(check(batch)).map((p) => `${p.field}: ${p.message}`);
    expect(fields).toEqual([
      'after_data.date_add: must be a date and time "YYYY-MM-DD HH:MM:SS"',
      'after_data.total_paid: must be a decimal amount',
      'after_data.order_history: must be a JSON array',
      'after_data.id: is required',
      'after_data.order_reference: is required',
      'after_data.amount: is required',
    ]);
  });

  it("accepts PHP's spellings: string ids and flags, DECIMAL strings, zero dates, [] for an empty object", () => {
    const result = check({
      batch_id: 'b1',
      timestamp: '2025-11-15 11:43:00',
      events: [
        {
          event_id: '7',
          entity_type: 'Customer',
          entity_id: 67,
          entity_name: 'Ana García',
          action_type: 'UPDATED',
          hook_name: 'actionObjectCustomerUpdateAfter',
          after_data: { id: '67', email: ' Ana@Example.COM ', firstname: 'Ana', lastname: 'García', active: '1', newsletter: 0, optin: '', id_default_group: '3', date_add: '0000-00-00 00:00:00' },
          context_data: [],
        },
        {
          event_id: 8,
          entity_type: 'payment',
          entity_id: '3',
          action_type: 'received',
          after_data: { id: 3, order_reference: 'XKBKNABJK', id_currency: '1', amount: '150.000000', date_add: '2025-11-15 11:43:00' },
        },
      ],
    });
    expect(result.outcome).toBe('batch');
    if (result.outcome !== 'batch') return;
    expect(result.batch.events[0]).toMatchObject({ sourceEventId: 7, entityType: 'customer', entityId: '67', actionType: 'updated', kind: 'customer', contextData: {} });
  });

  it('stores unknown entities and actions (a newer module) instead of refusing them', () => {
    const result = check({
      batch_id: 'b1',
      events: [
        { event_id: 1, entity_type: 'product', entity_id: '5', action_type: 'updated', after_data: { anything: true } },
        { event_id: 2, entity_type: 'invoice', entity_id: '9', action_type: 'credit_memo_created', after_data: null },
      ],
    });
    expect(result.outcome).toBe('batch');
    if (result.outcome === 'batch') expect(result.batch.events.map((e) => e.kind)).toEqual(['ignored', 'ignored']);
  });

  it('keeps only the last four digits of card numbers, in payments and in order snapshots', () => {
    const batch = shopBatch();
    const payment = batch.events.find((e: any) => e.entity_type === 'payment');
    payment.after_data.card_number = '4111 1111 1111 1234';
    const order = batch.events.find((e: any) => e.entity_type === 'order');
    order.after_data.order_payments = [{ id_order_payment: 1, amount: 10, card_number: '4111111111119876' }];
    const result = check(batch);
    if (result.outcome !== 'batch') throw new Error('refused');
    const stored = result.batch.events.map((e) => e.afterJson).join('\n');
    expect(stored).not.toMatch(/4111/);
    expect(stored).toContain('XXXX-XXXX-XXXX-1234');
    expect(stored).toContain('XXXX-XXXX-XXXX-9876');
  });

  it('accepts an event twice in one batch when it is the same; refuses two versions of one event_id', () => {
    const batch = shopBatch();
    const twice = { ...batch, events: [batch.events[0], batch.events[0]] };
    expect(check(twice).outcome).toBe('batch');
    const changed = structuredClone(batch.events[0]);
    changed.after_data.firstname = 'Other';
    expect(problemsOf(check({ ...batch, events: [batch.events[0], changed] }))).toEqual([
      { index: 1, event_id: changed.event_id, field: 'event_id', message: `event_id ${changed.event_id} also appears at events[0] with different data` },
    ]);
  });

  it('gives identical content the same hash whatever the event id, and different content a different one', () => {
    const batch = shopBatch();
    const copy = { ...structuredClone(batch.events[0]), event_id: 999 };
    const edited = { ...structuredClone(batch.events[0]), event_id: 1000 };
    edited.after_data.lastname = 'Changed';
    const result = check({ ...batch, events: [batch.events[0], copy, edited] });
    if (result.outcome !== 'batch') throw new Error('refused');
    const [a, b, c] = result.batch.events;
    expect(a!.contentHash).toBe(b!.contentHash);
    expect(c!.contentHash).not.toBe(a!.contentHash);
  });
});
