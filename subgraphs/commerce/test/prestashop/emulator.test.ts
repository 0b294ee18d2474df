import { createHash } from 'node:crypto';
import { moduleBatch, moduleBatchId, phpFloat, phpJsonEncode, PrestashopShop } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';

/** The testkit's PrestaShop module must send what the real module sends, quirks included. */
describe('PrestaShop module emulator', () => {
  it("encodes JSON like PHP's json_encode without flags", () => {
    expect(phpJsonEncode({ price: phpFloat(25), tax: phpFloat(10.5), qty: 2, name: 'T-Shirt / Café', list: [], map: {} })).toBe(
      '{"price":25.0,"tax":10.5,"qty":2,"name":"T-Shirt \\/ Caf\\u00e9","list":[],"map":[]}',
    );
    expect(JSON.parse(phpJsonEncode({ name: 'Crème brûlée 🍮' })).name).toBe('Crème brûlée 🍮');
  });

  it('numbers batches like OdooSalesWebhookClient::generateBatchId', () => {
    const hash = createHash('md5').update('3,7,12').digest('hex').slice(0, 8);
    expect(moduleBatchId([12, 3, 7], new Date(Date.UTC(2025, 10, 15, 11, 43, 0)))).toBe(`batch_20251115114300_${hash}`);
  });

  it("sends the detector's field sets: 60+ fields per order line, every cart rule field, raw ObjectModel strings for customers", () => {
    const shop = new PrestashopShop({ seed: 1 });
    const customer = shop.registerCustomer();
    const coupon = shop.createCoupon();
    const order = shop.placeOrder(customer, { lines: 2, coupon });
    shop.changeState(order, 4);
    const events = JSON.parse(phpJsonEncode(moduleBatch(shop.events, new Date()))).events;
    const orderEvent = events.find((e: any) => e.entity_type === 'order');
    expect(Object.keys(orderEvent.after_data.order_details[0]).length).toBeGreaterThanOrEqual(60);
    // The README says "40+ fields per cart rule"; detectCouponChange actually builds these 35.
    expect(Object.keys(events.find((e: any) => e.action_type === 'created' && e.entity_type === 'coupon').after_data)).toHaveLength(35);
    expect(events[0].after_data).toMatchObject({ id: customer.id, active: '1', id_default_group: '3' });
    expect(Object.keys(events[0])).toEqual([
      'event_id', 'entity_type', 'entity_id', 'entity_name', 'action_type', 'transaction_hash', 'correlation_id',
      'hook_name', 'hook_timestamp', 'before_data', 'after_data', 'change_summary', 'context_data',
    ]);
    const statusUpdate = events.find((e: any) => e.hook_name === 'actionOrderStatusUpdate');
    expect(statusUpdate.after_data.current_state).toBe(2);
    expect(statusUpdate.context_data).toMatchObject({ new_status_id: 4, new_status_name: 'Shipped' });
    expect(events.map((e: any) => e.event_id)).toEqual(events.map((_: unknown, i: number) => i + 1));
  });
});
