import { moduleBatch, PrestashopShop, PrestashopWebhookSender, type ModuleEvent } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Infrastructure, startCommerce, WEBHOOK_SECRET, type BusKind, type CommerceUnderTest, type DbKind } from './support/commerce-under-test.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

const ORDER_QUERY = `query($id: ID!) { order(id: $id) {
  id reference customerEmail currency state { id name } placedAt shippedAt shippingNumber
  totalPaid { amount currency } totalProducts { amount currency } totalShipping { amount currency }
  lines { sku productId variantId name quantity quantityRefunded unitPriceTaxExcl { amount } unitPriceTaxIncl { amount } totalPriceTaxExcl { amount } totalPriceTaxIncl { amount } taxRate }
  history { stateId stateName } payments { transactionId cardLastFour cardBrand amount { amount currency } }
  messages { message private } invoices { number totalPaidTaxIncl { amount currency } }
  coupons { id code } customer { email name }
} }`;

describe.each([
  ['sqlite', 'in-process'],
  ['postgres', 'nats'],
] as [DbKind, BusKind][])('processing PrestaShop events (%s, %s bus)', (db, bus) => {
  let c: CommerceUnderTest;
  let shop: PrestashopShop;
  let sender: PrestashopWebhookSender;
  let databaseUrl: string;

  /** Sends `events` as one batch, waits until processed. */
  async function deliver(events: ModuleEvent[]): Promise<void> {
    const outcome = await sender.sendEvents(events);
    expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);
    await c.settled();
  }
  const order = async (id: string) => {
    const result = await c.graphql(ORDER_QUERY, { id }, ['support']);
    expect(result.body.errors).toBeUndefined();
    return result.body.data.order;
  };
  const eventsFor = async (type: string, subject: string) => (await c.outbox(type)).filter((e) => e.subject === subject);

  beforeAll(async () => {
    databaseUrl = await infra.databaseUrl(db);
    c = await startCommerce({ databaseUrl, bus: await infra.bus(bus) });
    shop = new PrestashopShop({ seed: 31 });
    sender = new PrestashopWebhookSender({ url: `${c.url}/prestashop/webhook`, secret: WEBHOOK_SECRET });
  });
  afterAll(() => c?.stop());

  it('a shop customer becomes the Customer (commerce.customer.upserted); addresses fold into it', async () => {
    const mark = shop.events.length;
    const customer = shop.registerCustomer({ email: 'Marta.Lopez@Example.com', firstname: 'Marta', lastname: 'López' });
    shop.addAddress(customer);
    shop.addAddress(customer);
    shop.updateCustomer(customer, { lastname: 'López Ruiz' });
    await deliver(shop.since(mark));

    const result = await c.graphql(
      '{ customer(email: "marta.lopez@example.com") { email name shopAccounts { id firstName lastName active newsletter } addresses { id alias city postcode } } }',
      {},
      ['ops'],
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.customer).toMatchObject({
      email: 'marta.lopez@example.com',
      name: 'Marta López Ruiz',
      shopAccounts: [{ id: customer.id, firstName: 'Marta', lastName: 'López Ruiz', active: true }],
      addresses: customer.addresses.map((id) => ({ id, city: 'Madrid' })),
    });
    // (Events committed together have no order among themselves: compare created first.)
    const upserts = (await eventsFor('commerce.customer.upserted', 'marta.lopez@example.com')).map((e) => e.data);
    expect(upserts.sort((a, b) => Number(b.created) - Number(a.created))).toEqual([
      { email: 'marta.lopez@example.com', name: 'Marta López', created: true },
      { email: 'marta.lopez@example.com', name: 'Marta López Ruiz', created: false },
    ]);

    // A deleted address disappears from the customer; the account stays.
    const before = shop.events.length;
    shop.addAddress(customer, 'deleted', customer.addresses[0]);
    await deliver(shop.since(before));
    const after = await c.graphql('{ customer(email: "marta.lopez@example.com") { addresses { id } } }', {}, ['ops']);
    expect(after.body.data.customer.addresses).toEqual([{ id: customer.addresses[1] }]);
  });

  it('an order becomes an Order with typed lines, history, payments (last four digits only), messages and invoice', async () => {
    const customer = shop.registerCustomer({ email: 'jorge@example.com', firstname: 'Jorge', lastname: 'Pérez' });
    const mark = shop.events.length - 1;
    const placed = shop.placeOrder(customer, { lines: 3, message: 'Ring twice' });
    await deliver(shop.since(mark));

    const found = await order(`ps-${placed.id}`);
    const line = placed.lines[0]!;
    expect(found).toMatchObject({
      id: `ps-${placed.id}`,
      reference: placed.reference,
      customerEmail: 'jorge@example.com',
      customer: { email: 'jorge@example.com', name: 'Jorge Pérez' },
      currency: 'EUR',
      state: { id: 2, name: 'Payment accepted' },
      shippedAt: null,
      totalShipping: { amount: '5.99', currency: 'EUR' },
      history: [{ stateId: 2, stateName: 'Payment accepted' }],
      payments: [{ transactionId: placed.payments[0]!.transactionId, cardLastFour: placed.payments[0]!.cardLast4, cardBrand: 'Visa' }],
      messages: [{ message: 'Ring twice', private: false }],
      invoices: [{ number: String(placed.invoiceId) }],
    });
    expect(found.lines).toHaveLength(3);
    expect(found.lines[0]).toMatchObject({
      sku: line.product.reference,
      productId: line.product.id,
      variantId: line.product.attributeId,
      name: line.product.name,
      quantity: line.quantity,
      unitPriceTaxExcl: { amount: line.product.price.toFixed(2) },
      taxRate: '21.00',
    });
    expect(found.totalPaid).toEqual(found.invoices[0].totalPaidTaxIncl);
    expect(found.payments[0].amount).toEqual(found.totalPaid);
    const stored = await c.sql(`select card_last_four from order_payment where order_reference = '${placed.reference}'`);
    expect(stored).toEqual([{ card_last_four: placed.payments[0]!.cardLast4 }]);

    const [created] = await eventsFor('commerce.order.created', `ps-${placed.id}`);
    expect(created!.data).toMatchObject({
      orderId: `ps-${placed.id}`,
      prestashopOrderId: placed.id,
      reference: placed.reference,
      customerEmail: 'jorge@example.com',
      state: { id: 2, name: 'Payment accepted' },
      currency: 'EUR',
      totals: { currency: 'EUR', paidTaxIncl: found.totalPaid.amount, shippingTaxIncl: '5.99' },
    });
  });

  it('state changes announce status_changed, and shipped once with the inventory contract', async () => {
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    const placed = shop.placeOrder(customer, { lines: 3 });
    await deliver(shop.since(mark));
    let step = shop.events.length;
    shop.refundLine(placed, 2, placed.lines[2]!.quantity);
    shop.changeState(placed, 3);
    await deliver(shop.since(step));
    step = shop.events.length;
    shop.changeState(placed, 4, { shippingNumber: '1ZTRACK42' });
    await deliver(shop.since(step));
    step = shop.events.length;
    shop.changeState(placed, 5);
    await deliver(shop.since(step));

    const id = `ps-${placed.id}`;
    const found = await order(id);
    expect(found).toMatchObject({ state: { id: 5, name: 'Delivered' }, shippingNumber: '1ZTRACK42' });
    expect(found.history.map((h: { stateId: number }) => h.stateId)).toEqual([2, 3, 4, 5]);
    expect(found.lines[2].quantityRefunded).toBe(placed.lines[2]!.quantity);

    const changes = (await eventsFor('commerce.order.status_changed', id)).map((e) => [e.data.previousState.id, e.data.state.id]);
    expect(changes.sort()).toEqual([
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    const shipped = await eventsFor('commerce.order.shipped', id);
    expect(shipped).toHaveLength(1);
    expect(shipped[0]!.data).toEqual({
      orderId: id,
      reference: placed.reference,
      customerEmail: customer.email,
      shippedAt: found.shippedAt,
      // The refunded line did not leave the warehouse.
      lines: placed.lines.slice(0, 2).map((l) => ({ sku: l.product.reference, productId: String(l.product.id), variantId: String(l.product.attributeId), quantity: l.quantity })),
    });
    expect(new Date(found.shippedAt).toISOString()).toBe(`${placed.history.find((h) => h.state === 4)!.date.replace(' ', 'T')}.000Z`);
    // The tracking number is data, not state: an update was announced with it.
    expect((await eventsFor('commerce.order.updated', id)).length).toBeGreaterThanOrEqual(1);
  });

  it('events arriving out of order end in the state of the newest data', async () => {
    const own = new PrestashopShop({ seed: 44, firstEventId: 300000, idBase: 30000 });
    const customer = own.registerCustomer();
    const mark = own.events.length - 1;
    const placed = own.placeOrder(customer, { lines: 2 });
    const creation = own.since(mark);
    const step = own.events.length;
    own.changeState(placed, 3);
    const update = own.since(step);

    // The update reaches Switchboard first (the creation's batch failed and is retried later).
    await deliver(update);
    const id = `ps-${placed.id}`;
    expect((await order(id)).state.id).toBe(3);
    await deliver(creation);
    const found = await order(id);
    expect(found.state).toEqual({ id: 3, name: 'Processing in progress' });
    expect(found.history.map((h: { stateId: number }) => h.stateId)).toEqual([2, 3]);
    expect(await eventsFor('commerce.order.created', id)).toHaveLength(1);
    const superseded = await c.sql(`select count(*) as n from prestashop_event where entity_type = 'order' and entity_id = '${placed.id}' and status = 'superseded'`);
    expect(Number(superseded[0].n)).toBeGreaterThanOrEqual(1);

    // An old snapshot sent again much later changes nothing.
    await deliver([{ ...creation.find((e) => e.entity_type === 'order')!, event_id: 299999 }]);
    expect((await c.sql('select status from prestashop_event where source_event_id = 299999'))[0].status).toBe('superseded');
    expect((await order(id)).state.id).toBe(3);
  });

  it('an identical event under another event_id is a duplicate with no effect', async () => {
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    const placed = shop.placeOrder(customer, { lines: 1 });
    await deliver(shop.since(mark));
    const original = shop.events.find((e) => e.entity_type === 'order' && e.entity_id === String(placed.id))!;
    // actionValidateOrderAfter captures the same order a second time.
    await deliver([{ ...original, event_id: 900000 + placed.id, hook_name: 'actionValidateOrderAfter' }]);
    const [row] = await c.sql(`select status from prestashop_event where source_event_id = ${900000 + placed.id}`);
    expect(row.status).toBe('duplicate');
    expect(await eventsFor('commerce.order.created', `ps-${placed.id}`)).toHaveLength(1);
    expect(await eventsFor('commerce.order.updated', `ps-${placed.id}`)).toHaveLength(0);
  });

  it('an order that arrives before its customer gets the e-mail when the customer does', async () => {
    const customer = shop.registerCustomer({ email: 'late.customer@example.com' });
    const registration = shop.events.slice(-1);
    const mark = shop.events.length;
    const placed = shop.placeOrder(customer, { lines: 1 });
    await deliver(shop.since(mark));
    expect((await order(`ps-${placed.id}`)).customerEmail).toBeNull();
    await deliver(registration);
    expect((await order(`ps-${placed.id}`)).customer).toMatchObject({ email: 'late.customer@example.com' });

    // The shop account changes e-mail: the orders follow, a new Customer is announced.
    const step = shop.events.length;
    shop.updateCustomer(customer, { email: 'new.address@example.com' });
    await deliver(shop.since(step));
    expect((await order(`ps-${placed.id}`)).customerEmail).toBe('new.address@example.com');
    expect((await eventsFor('commerce.customer.upserted', 'new.address@example.com')).map((e) => e.data.created)).toEqual([true]);
  });

  it('coupons, their use on carts and the order ↔ coupon links', async () => {
    const mark = shop.events.length;
    const coupon = shop.createCoupon({ code: `WELCOME${db}`, reductionPercent: 0, reductionAmount: 5, name: 'Welcome 5 €' });
    const customer = shop.registerCustomer();
    const placed = shop.placeOrder(customer, { lines: 2, coupon });
    const other = shop.placeOrder(customer, { lines: 1 });
    await deliver(shop.since(mark));

    expect((await order(`ps-${placed.id}`)).coupons).toEqual([{ id: `cart-rule-${coupon.id}`, code: `WELCOME${db}` }]);
    expect((await order(`ps-${other.id}`)).coupons).toEqual([]);
    const result = await c.graphql(
      `query($id: ID!, $code: String) {
        coupon(id: $id) { code name active reductionAmount { amount currency } reductionPercent usages { action cartId order { id } } orders { id } }
        orders(filter: { couponCode: $code }) { totalCount nodes { id } }
      }`,
      { id: `cart-rule-${coupon.id}`, code: `WELCOME${db}` },
      ['support'],
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toEqual({
      coupon: {
        code: `WELCOME${db}`,
        name: 'Welcome 5 €',
        active: true,
        reductionAmount: { amount: '5.00', currency: 'EUR' },
        reductionPercent: '0.00',
        usages: [
          { action: 'applied', cartId: placed.cartId, order: { id: `ps-${placed.id}` } },
          { action: 'consumed', cartId: placed.cartId, order: { id: `ps-${placed.id}` } },
        ],
        orders: [{ id: `ps-${placed.id}` }],
      },
      orders: { totalCount: 1, nodes: [{ id: `ps-${placed.id}` }] },
    });
  });

  it('a coupon first seen through its use gets a placeholder its own event fills in; removal unlinks', async () => {
    const shop2 = new PrestashopShop({ seed: 77, firstEventId: 500000, idBase: 50000 });
    const coupon = shop2.createCoupon({ code: `LATE${db}`, reductionPercent: 15 });
    const couponEvent = shop2.events.slice(-1);
    const customer = shop2.registerCustomer();
    const mark = shop2.events.length - 1;
    const placed = shop2.placeOrder(customer, { lines: 1, coupon });
    await deliver(shop2.since(mark));
    const placeholder = await c.graphql(`{ coupon(id: "cart-rule-${coupon.id}") { code name reductionPercent } }`, {}, ['ops']);
    expect(placeholder.body.data.coupon).toMatchObject({ code: `LATE${db}`, reductionPercent: '15.00' });
    await deliver(couponEvent);
    const filled = await c.graphql(`{ coupon(id: "cart-rule-${coupon.id}") { name quantity validTo } }`, {}, ['ops']);
    expect(filled.body.data.coupon).toMatchObject({ name: '15% off', quantity: 100 });

    // The shop later reports the coupon removed from that cart (newest event): the link goes.
    const removal = shop2.events.find((e) => e.action_type === 'applied')!;
    await deliver([{ ...removal, event_id: 600000, action_type: 'removed', after_data: { ...removal.after_data!, usage_action: 'removed' } }]);
    expect((await order(`ps-${placed.id}`)).coupons).toEqual([]);
  });

  it('invoices: a number assigned later updates the number and keeps the totals', async () => {
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    const placed = shop.placeOrder(customer, { lines: 1 });
    await deliver(shop.since(mark));
    await deliver([
      {
        event_id: 700000 + placed.id,
        entity_type: 'invoice',
        entity_id: String(placed.invoiceId),
        entity_name: `INV-FA${placed.id}`,
        action_type: 'invoice_number_assigned',
        transaction_hash: 'x',
        correlation_id: 'y',
        hook_name: 'actionSetInvoice',
        hook_timestamp: '2025-11-20 10:00:00',
        before_data: null,
        after_data: { id: placed.invoiceId, number: 424242, id_order: placed.id, order_reference: placed.reference, use_existing_payment: false },
        change_summary: 'Invoice number assigned',
        context_data: null,
      },
    ]);
    const found = await order(`ps-${placed.id}`);
    expect(found.invoices).toEqual([{ number: '424242', totalPaidTaxIncl: found.totalPaid }]);
  });

  it('events with no Switchboard meaning are kept and shown as ignored', async () => {
    await deliver([
      { ...shop.events[0]!, event_id: 800001, entity_type: 'product', entity_id: '5', action_type: 'updated', after_data: { id_product: 5 } },
      { ...shop.events[0]!, event_id: 800002, entity_type: 'invoice', entity_id: '9', action_type: 'credit_memo_created', after_data: null },
    ]);
    const rows = await c.sql('select source_event_id, status from prestashop_event where source_event_id in (800001, 800002) order by source_event_id');
    expect(rows.map((r) => [Number(r.source_event_id), r.status])).toEqual([
      [800001, 'ignored'],
      [800002, 'ignored'],
    ]);
  });

  it('an order in an unknown currency fails visibly; after the operator fixes the config, retry applies it', async () => {
    const usd = new PrestashopShop({ seed: 88, firstEventId: 1_000_000, idBase: 100_000, currencyId: 2 });
    const customer = usd.registerCustomer();
    const placed = usd.placeOrder(customer, { lines: 2 });
    await deliver(usd.events);

    const failed = await c.graphql('{ prestashopEvents(filter: { status: "failed" }) { totalCount nodes { id eventId entityType actionType error attempts } } }', {}, ['support']);
    expect(failed.body.data.prestashopEvents.totalCount).toBe(2);
    const failures = failed.body.data.prestashopEvents.nodes;
    expect(failures.map((e: { entityType: string }) => e.entityType).sort()).toEqual(['order', 'payment']);
    expect(failures[0].error).toBe('id_currency 2 has no ISO code: add it to PRESTASHOP_CURRENCIES (e.g. "2:USD") and retry');
    const logs = await c.graphql('{ prestashopLogs(filter: { level: "ERROR" }) { nodes { level message eventId context } } }', {}, ['support']);
    expect(logs.body.data.prestashopLogs.nodes[0]).toMatchObject({ level: 'ERROR', context: { error: expect.stringMatching(/id_currency 2/) } });

    // Retrying with the same configuration fails again (attempts count up); support may not retry.
    const forbidden = await c.graphql(`mutation { retryPrestashopEvent(id: "${failures[0].id}") { status } }`, {}, ['support']);
    expect(forbidden.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const again = await c.graphql(`mutation { retryPrestashopEvent(id: "${failures[0].id}") { status } }`, {}, ['ops']);
    expect(again.body.data.retryPrestashopEvent.status).toBe('pending');
    await c.settled();
    const [row] = await c.sql(`select status, attempts from prestashop_event where id = ${failures[0].id}`);
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });

    // The operator adds the currency and restarts; "retry all" applies both events.
    await c.stop();
    c = await startCommerce({ databaseUrl, bus: await infra.bus(bus), env: { PRESTASHOP_CURRENCIES: '1:EUR,2:USD' } });
    sender = new PrestashopWebhookSender({ url: `${c.url}/prestashop/webhook`, secret: WEBHOOK_SECRET });
    const retried = await c.graphql('mutation { retryFailedPrestashopEvents }', {}, ['ops']);
    expect(retried.body.data.retryFailedPrestashopEvents).toBe(2);
    await c.settled();
    const found = await order(`ps-${placed.id}`);
    expect(found.currency).toBe('USD');
    expect(found.totalPaid.currency).toBe('USD');
    expect(found.payments[0].amount.currency).toBe('USD');
    const notRetriable = await c.graphql(`mutation { retryPrestashopEvent(id: "${failures[0].id}") { status } }`, {}, ['ops']);
    expect(notRetriable.body.errors[0]).toMatchObject({ message: `event ${failures[0].id} is processed; only failed or pending events can be retried`, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('lists orders with filters and cursor pages; roles gate the views', async () => {
    const all = await c.graphql('{ orders(first: 200) { totalCount nodes { id placedAt } } }', {}, ['support']);
    const total = all.body.data.orders.totalCount;
    expect(total).toBeGreaterThanOrEqual(8);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: any = await c.graphql('query($after: String) { orders(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', { after }, ['support']);
      seen.push(...result.body.data.orders.nodes.map((n: { id: string }) => n.id));
      if (!result.body.data.orders.pageInfo.hasNextPage) break;
      after = result.body.data.orders.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.body.data.orders.nodes.map((n: { id: string }) => n.id));

    const shipped = await c.graphql('{ orders(filter: { shipped: true, stateIds: [5] }) { nodes { state { id } shippedAt } } }', {}, ['ops']);
    expect(shipped.body.data.orders.nodes.length).toBeGreaterThanOrEqual(1);
    expect(shipped.body.data.orders.nodes.every((n: any) => n.state.id === 5 && n.shippedAt)).toBe(true);
    const byEmail = await c.graphql('{ orders(filter: { customerEmail: " JORGE@example.com " }) { totalCount } }', {}, ['ops']);
    expect(byEmail.body.data.orders.totalCount).toBe(1);

    const badEmail = await c.graphql('{ orders(filter: { customerEmail: "nope" }) { totalCount } }', {}, ['ops']);
    expect(badEmail.body.errors[0]).toMatchObject({ message: 'filter.customerEmail must be a valid e-mail address', extensions: { code: 'BAD_USER_INPUT' } });
    const badCursor = await c.graphql('{ orders(after: "garbage") { totalCount } }', {}, ['ops']);
    expect(badCursor.body.errors[0].message).toBe('after is not a cursor from this list');
    const badStatus = await c.graphql('{ prestashopEvents(filter: { status: "done" }) { totalCount } }', {}, ['ops']);
    expect(badStatus.body.errors[0].message).toMatch(/^filter.status must be one of pending, processed/);
    const finance = await c.graphql('{ orders { totalCount } }', {}, ['finance']);
    expect(finance.body.errors[0].extensions.code).toBe('FORBIDDEN');

    const counts = await c.graphql('{ prestashopEventCounts { status count } }', {}, ['support']);
    const byStatus = Object.fromEntries(counts.body.data.prestashopEventCounts.map((r: { status: string; count: number }) => [r.status, r.count]));
    expect(byStatus.processed).toBeGreaterThan(10);
    expect(byStatus.pending).toBeUndefined();
  });
});
