import { moduleBatch, PrestashopShop, PrestashopWebhookSender } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Infrastructure, startCommerce, WEBHOOK_SECRET } from './support/commerce-under-test.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

describe('stale pending events', () => {
  it('a processing request lost with the in-process bus is made up for after the restart, applying each event once', async () => {
    const databaseUrl = await infra.databaseUrl('sqlite');
    const shop = new PrestashopShop({ seed: 61 });
    const customer = shop.registerCustomer();
    const order = shop.placeOrder(customer, { lines: 4 });
    shop.changeState(order, 4);

    // First life: the batch is accepted (stored with its request), but the process dies before
    // consuming the request — the in-process bus forgets it.
    const first = await startCommerce({ databaseUrl, bus: await infra.bus('in-process') });
    await first.runtime.consumers.stop();
    const sent = await new PrestashopWebhookSender({ url: `${first.url}/prestashop/webhook`, secret: WEBHOOK_SECRET }).send(moduleBatch(shop.events, new Date()));
    expect(sent.status).toBe(200);
    expect(await first.count('prestashop_event', "status = 'pending'")).toBe(shop.events.length);
    await first.stop();

    // Second life, fresh bus: the sweep hands the events to processing again.
    const second = await startCommerce({ databaseUrl, bus: await infra.bus('in-process'), env: { PRESTASHOP_REQUEUE_AFTER_MS: '300' } });
    try {
      await second.settled(15_000);
      expect(await second.count('shop_order', `id = 'ps-${order.id}'`)).toBe(1);
      expect(await second.count('order_line', `order_id = 'ps-${order.id}'`)).toBe(4);
      expect((await second.outbox('commerce.order.created')).filter((e) => e.subject === `ps-${order.id}`)).toHaveLength(1);
      expect((await second.outbox('commerce.order.shipped')).filter((e) => e.subject === `ps-${order.id}`)).toHaveLength(1);
      const requeued = await second.outbox('commerce.prestashop.events_requeued');
      expect(requeued.map((e) => e.data.reason)).toContain('stale');
      const [log] = await second.sql("select level, message from prestashop_log where message like 'Requeued%'");
      expect(log).toMatchObject({ level: 'WARNING' });
    } finally {
      await second.stop();
    }
  });
});
