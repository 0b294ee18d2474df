import { eventually, moduleBatch, PrestashopShop, PrestashopWebhookSender, seedExampleBatch } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type BusKind, type DbKind, type TestSystem } from '../support/test-system.js';

const WEBHOOK_SECRET = 'e2e-prestashop-webhook-secret';

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
];

/** The PrestaShop module posting to Switchboard's public origin (the gateway proxies /prestashop). */
describe.each(MATRIX)('PrestaShop sales intake through the gateway (%s bus, %s)', (bus, db) => {
  let sb: TestSystem;
  let shop: PrestashopShop;
  const sender = () => new PrestashopWebhookSender({ url: `${sb.gatewayUrl}/prestashop/webhook`, secret: WEBHOOK_SECRET });
  const commerceSql = async (query: string): Promise<any[]> =>
    sb.system.services.commerce!.deps.db.em().getConnection().execute(query);
  const count = async (table: string, where = '1 = 1') => Number((await commerceSql(`select count(*) as n from ${table} where ${where}`))[0].n);

  beforeAll(async () => {
    sb = await startTestSystem({ bus, db, env: { PRESTASHOP_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    shop = new PrestashopShop({ seed: 42, firstEventId: 1000, idBase: 1000 });
  });
  afterAll(async () => sb?.stop());

  it("accepts the seed README's example payload; its order and lines are visible through the gateway", async () => {
    const outcome = await sender().send(seedExampleBatch());
    expect(outcome.status).toBe(200);
    expect(outcome.body).toMatchObject({ status: 'success', batch_id: 'batch_20251115114300_9958d37c', events_accepted: 1 });
    expect(outcome.events).toEqual([{ eventId: 163, success: true }]);

    const query = `{ order(id: "ps-999946") {
      id prestashopOrderId reference placedAt state { id name } currency
      lines { position productId variantId name quantity unitPriceTaxExcl { amount currency } totalPriceTaxExcl { amount currency } taxAmount { amount } data }
    } }`;
    const result = await eventually(() => sb.graphql(query, {}, ['support']), (r) => r.body.data?.order !== null);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.order).toEqual({
      id: 'ps-999946',
      prestashopOrderId: 999946,
      reference: 'XKBKNABJK',
      placedAt: '2025-11-15T11:42:53.000Z',
      state: { id: 2, name: 'Payment accepted' },
      currency: 'EUR',
      lines: [
        {
          position: 0,
          productId: 5,
          variantId: null,
          name: 'T-Shirt - Blue - Size M',
          quantity: 2,
          unitPriceTaxExcl: { amount: '25.00', currency: 'EUR' },
          totalPriceTaxExcl: { amount: '50.00', currency: 'EUR' },
          taxAmount: { amount: '10.50' },
          data: { product_id: 5, product_name: 'T-Shirt - Blue - Size M', product_quantity: 2, unit_price_tax_excl: 25, total_price_tax_excl: 50, product_tax: 10.5 },
        },
      ],
    });
  });

  it('the same batch sent three times gives one order and one set of lines', async () => {
    const customer = shop.registerCustomer({ email: `three.times.${bus}@example.com`, firstname: 'Tres', lastname: 'Veces' });
    const mark = shop.events.length - 1;
    const order = shop.placeOrder(customer, { lines: 6, message: 'Leave it with the neighbour' });
    const batch = moduleBatch(shop.since(mark), new Date(Date.UTC(2025, 10, 16, 10, 0, 0)));

    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await sender().send(batch));
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200]);
    expect(outcomes[0]!.body.events_accepted).toBe(batch.events.length);
    expect(outcomes[1]!.body.results.every((r: { status: string }) => r.status === 'duplicate')).toBe(true);
    expect(outcomes[2]!.body).toMatchObject({ events_accepted: 0, events_duplicate: batch.events.length });

    const query = `query($filter: OrderFilter) { orders(filter: $filter) { totalCount nodes { id lines { sku quantity } messages { message } payments { transactionId } customer { email name } } } }`;
    const result = await eventually(
      () => sb.graphql(query, { filter: { reference: order.reference } }, ['ops']),
      (r) => r.body.data?.orders.nodes[0]?.customer !== null && r.body.data?.orders.totalCount === 1,
    );
    const found = result.body.data.orders;
    expect(found.totalCount).toBe(1);
    expect(found.nodes[0].lines.map((l: { sku: string }) => l.sku)).toEqual(order.lines.map((l) => l.product.reference));
    expect(found.nodes[0].messages).toEqual([{ message: 'Leave it with the neighbour' }]);
    expect(found.nodes[0].customer).toEqual({ email: customer.email, name: 'Tres Veces' });

    const orderId = `ps-${order.id}`;
    expect(await count('order_line', `order_id = '${orderId}'`)).toBe(6);
    expect(await count('prestashop_event', `batch_id = '${batch.batch_id}'`)).toBe(batch.events.length);
    expect(await count('prestashop_event', `batch_id = '${batch.batch_id}' and times_received = 3`)).toBe(batch.events.length);
    expect(await count('prestashop_batch', `batch_id = '${batch.batch_id}' and times_received = 3`)).toBe(1);
    expect(await count('outbox_event', `type = 'commerce.order.created' and envelope like '%"orderId":"${orderId}"%'`)).toBe(1);
    expect(await count('outbox_event', `type = 'commerce.prestashop.batch_received' and envelope like '%${batch.batch_id}%'`)).toBe(1);
  });

  it('a forged secret gets 401 and nothing is stored', async () => {
    const tables = ['prestashop_event', 'prestashop_batch', 'prestashop_log', 'outbox_event', 'shop_order', 'order_line'];
    const before = await Promise.all(tables.map((table) => count(table)));
    const customer = shop.registerCustomer();
    const mark = shop.events.length - 1;
    shop.placeOrder(customer, { lines: 3 });
    const batch = moduleBatch(shop.since(mark), new Date());

    const forged = new PrestashopWebhookSender({ url: `${sb.gatewayUrl}/prestashop/webhook`, secret: `${WEBHOOK_SECRET}-forged` });
    const outcome = await forged.send(batch);
    expect(outcome.status).toBe(401);
    expect(outcome.body).toEqual({ status: 'error', error: 'invalid X-Webhook-Secret' });
    // The module records the refusal on every event and will retry them.
    expect(outcome.events.every((e) => !e.success && e.error === 'HTTP 401: invalid X-Webhook-Secret')).toBe(true);

    const missing = await fetch(`${sb.gatewayUrl}/prestashop/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    expect(missing.status).toBe(401);

    expect(await Promise.all(tables.map((table) => count(table)))).toEqual(before);
  });

  it("a shop customer becomes the federated Customer: billing opens the account, commerce shows the shop's view", async () => {
    const customer = shop.registerCustomer({ email: `Cliente.${bus}@Example.com`, firstname: 'Lucía', lastname: 'Gómez' });
    const mark = shop.events.length - 1;
    shop.addAddress(customer);
    const order = shop.placeOrder(customer, { lines: 2 });
    expect((await sender().sendEvents(shop.since(mark))).status).toBe(200);

    const email = `cliente.${bus}@example.com`;
    const query = `query($email: String!) { customer(email: $email) {
      email name shopAccounts { id } addresses { city alias } orders { reference lines { sku } } billingAccount { status }
    } }`;
    const result = await eventually(
      () => sb.graphql(query, { email }, ['admin']),
      (r) => r.body.data?.customer?.billingAccount !== null && r.body.data?.customer?.orders?.length === 1,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.customer).toMatchObject({
      email,
      name: 'Lucía Gómez',
      shopAccounts: [{ id: customer.id }],
      addresses: [{ city: 'Madrid', alias: 'Mi dirección' }],
      orders: [{ reference: order.reference, lines: order.lines.map((l) => ({ sku: l.product.reference })) }],
      billingAccount: { status: 'active' },
    });
  });
});
