import { afterAll, describe, expect, it } from 'vitest';
import { PrestashopShop, phpJsonEncode, moduleBatches, seedExampleBatch } from '@switchboard/testkit';
import { Infrastructure, startCommerce, type CommerceUnderTest } from './support/commerce-under-test.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

describe('smoke', () => {
  let c: CommerceUnderTest;
  it('works', async () => {
    c = await startCommerce({ databaseUrl: await infra.databaseUrl('sqlite'), bus: await infra.bus('in-process') });
    const seed = await c.webhook(phpJsonEncode(seedExampleBatch()), { 'x-batch-id': 'batch_20251115114300_9958d37c' });
    console.log(seed.status, JSON.stringify(seed.body));
    await c.settled();
    console.log(await c.sql('select status, error from prestashop_event'));
    const shop = new PrestashopShop({ seed: 7 });
    const events = shop.simulate(300);
    for (const batch of moduleBatches(events, 50, new Date())) {
      const r = await c.webhook(phpJsonEncode(batch), { 'x-batch-id': batch.batch_id });
      if (r.status !== 200) console.log(r.status, JSON.stringify(r.body).slice(0, 500));
    }
    await c.settled();
    console.log(await c.sql('select status, count(*) as n from prestashop_event group by status'));
    console.log(await c.sql("select error from prestashop_event where status = 'failed' limit 3"));
    console.log(await c.sql('select type, count(*) as n from outbox_event group by type'));
    const q = await c.graphql('{ orders(first: 2) { totalCount nodes { id reference state { id name } totalPaid { amount currency } customer { email name } lines { sku quantity totalPriceTaxIncl { amount } } history { stateId stateName } payments { amount { amount currency } cardLastFour } coupons { code } invoices { number totalPaidTaxIncl { amount currency } } } } }');
    console.log(JSON.stringify(q.body, null, 1).slice(0, 3000));
    const logs = await c.graphql('{ prestashopLogs(first: 5) { nodes { level message context } } prestashopEventCounts { status count } }');
    console.log(JSON.stringify(logs.body).slice(0, 2000));
    await c.stop();
    expect(1).toBe(1);
  }, 120_000);
});
