import { moduleBatch, phpJsonEncode, PrestashopShop, seedExampleBatch } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';
import { orderShippedData } from '../../src/orders/order-events.js';
import { readOrder, readOrderContext } from '../../src/orders/order-payload.js';
import { ShopOrder } from '../../src/orders/order.js';
import { resolveState, shippedAt, toOrderSnapshot, type OrderSnapshot } from '../../src/orders/order-snapshot.js';
import { PayloadReader, type Problem } from '../../src/prestashop/ps-values.js';

function snapshotOf(afterData: Record<string, unknown>, context: Record<string, unknown> = {}, timezone = 'UTC'): OrderSnapshot {
  const problems: Problem[] = [];
  const order = readOrder(new PayloadReader(afterData, 'after_data', problems));
  const ctx = readOrderContext(new PayloadReader(context, 'context_data', problems));
  expect(problems).toEqual([]);
  return toOrderSnapshot(order, ctx, afterData, { timezone, currency: 'EUR' });
}

/** Order events of a shop as the module's bytes parsed back. */
function shopOrderEvents() {
  const shop = new PrestashopShop({ seed: 9 });
  const customer = shop.registerCustomer();
  const order = shop.placeOrder(customer, { lines: 3 });
  shop.refundLine(order, 1, 1);
  shop.changeState(order, 3);
  shop.changeState(order, 4, { shippingNumber: '1Z42' });
  const events = JSON.parse(phpJsonEncode(moduleBatch(shop.events, new Date()))).events.filter((e: any) => e.entity_type === 'order');
  return { order, events };
}

describe('order snapshots', () => {
  it("types the seed README's order: lines with prices, the rest null", () => {
    const event = JSON.parse(phpJsonEncode(seedExampleBatch())).events[0];
    const snapshot = snapshotOf(event.after_data);
    expect(snapshot).toMatchObject({
      id: 'ps-999946',
      prestashopOrderId: 999946,
      reference: 'XKBKNABJK',
      state: { id: 2, name: 'Payment accepted' },
      placedAt: new Date('2025-11-15T11:42:53Z'),
      totals: { paidTaxIncl: null, productsTaxExcl: null },
      history: [],
      payments: [],
      messages: [],
    });
    expect(snapshot.lines).toEqual([
      expect.objectContaining({
        id: 'ps-999946:pos0',
        productId: 5,
        variantId: null,
        sku: null,
        name: 'T-Shirt - Blue - Size M',
        quantity: 2,
        unitPriceTaxExcl: '25.000000',
        totalPriceTaxExcl: '50.000000',
        taxAmount: '10.500000',
        unitPriceTaxIncl: null,
      }),
    ]);
    expect(JSON.parse(snapshot.lines![0]!.data)).toEqual(event.after_data.order_details[0]);
  });

  it('keeps every field of a module line (70+) as the original line data', () => {
    const { events } = shopOrderEvents();
    const raw = events[0].after_data;
    const snapshot = snapshotOf(raw);
    expect(Object.keys(raw.order_details[0]).length).toBeGreaterThanOrEqual(60);
    expect(snapshot.lines!.map((line) => JSON.parse(line.data))).toEqual(raw.order_details);
    expect(snapshot.lines!.map((line) => line.id)).toEqual(raw.order_details.map((d: any) => `ps-${raw.id_order}:${d.id_order_detail}`));
  });

  it('takes the new state from context_data when actionOrderStatusUpdate fires before the save', () => {
    const { events } = shopOrderEvents();
    const before = events.find((e: any) => e.hook_name === 'actionOrderStatusUpdate' && e.context_data.new_status_id === 4);
    expect(before.after_data.current_state).toBe(3);
    expect(snapshotOf(before.after_data, before.context_data).state).toEqual({ id: 4, name: 'Shipped' });
    const after = events.find((e: any) => e.hook_name === 'actionObjectOrderUpdateAfter' && e.after_data.current_state === 4);
    expect(snapshotOf(after.after_data, after.context_data ?? {}).state).toEqual({ id: 4, name: 'Shipped' });
  });

  it('names a state from its history entry, else from PrestaShop defaults', () => {
    const payload = { id_order: 1, reference: 'R', current_state: 12, order_history: [{ id_order_history: 1, id_order_state: 12, status_name: 'Backorder', date_add: '2025-01-01 00:00:00' }] };
    expect(snapshotOf(payload).state).toEqual({ id: 12, name: 'Backorder' });
    expect(resolveState(readOrderFrom({ id_order: 1, reference: 'R', current_state: 6 }), { new_status_id: null, new_status_name: null }, [])).toEqual({ id: 6, name: 'Canceled' });
    expect(resolveState(readOrderFrom({ id_order: 1, reference: 'R', current_state: 99 }), { new_status_id: null, new_status_name: null }, [])).toEqual({ id: 99, name: null });
  });

  it('a status change is not an update: the data hash ignores state fields only', () => {
    const { events } = shopOrderEvents();
    const beforeShip = snapshotOf(events.find((e: any) => e.hook_name === 'actionOrderStatusUpdate' && e.context_data.new_status_id === 3).after_data);
    const processing = snapshotOf(events.find((e: any) => e.hook_name === 'actionObjectOrderUpdateAfter' && e.after_data.current_state === 3).after_data);
    expect(processing.dataHash).toBe(beforeShip.dataHash);
    const shipped = snapshotOf(events.find((e: any) => e.hook_name === 'actionObjectOrderUpdateAfter' && e.after_data.current_state === 4).after_data);
    expect(shipped.dataHash).not.toBe(processing.dataHash); // the tracking number changed
  });

  it('converts shop-local times with PRESTASHOP_TIMEZONE', () => {
    const snapshot = snapshotOf({ id_order: 1, reference: 'R', date_add: '2025-11-15 11:42:53' }, {}, 'Europe/Madrid');
    expect(snapshot.placedAt?.toISOString()).toBe('2025-11-15T10:42:53.000Z');
  });
});

describe('shipping', () => {
  const shippedIds = new Set([4, 5]);
  const at = new Date('2025-12-01T10:00:00Z');

  it('is when the history first reaches a shipped state, or the event time when only the state says so', () => {
    const history = [
      { id: 2, stateId: 5, stateName: 'Delivered', employeeId: 1, changedAt: new Date('2025-11-20T10:00:00Z') },
      { id: 1, stateId: 4, stateName: 'Shipped', employeeId: 1, changedAt: new Date('2025-11-18T10:00:00Z') },
    ];
    expect(shippedAt({ history, state: { id: 5, name: null } }, shippedIds, at)).toEqual(new Date('2025-11-18T10:00:00Z'));
    expect(shippedAt({ history: [], state: { id: 4, name: null } }, shippedIds, at)).toEqual(at);
    expect(shippedAt({ history: null, state: { id: 3, name: null } }, shippedIds, at)).toBeNull();
    expect(shippedAt({ history: [], state: { id: 4, name: null } }, new Set([5]), at)).toBeNull();
  });

  it('lists what left the warehouse: ordered minus refunded, ids as strings, in line order', () => {
    const order = Object.assign(new ShopOrder(), { id: 'ps-7', reference: 'ABC', customerEmail: 'a@b.co', shippedAt: at });
    const data = orderShippedData(order, [
      { position: 1, sku: null, productId: 9, variantId: null, quantity: 1, quantityRefunded: 1 },
      { position: 0, sku: 'TS-BLUE-M', productId: 5, variantId: 23, quantity: 3, quantityRefunded: 1 },
      { position: 2, sku: 'MUG', productId: 8, variantId: null, quantity: 1, quantityRefunded: 0 },
    ]);
    expect(data).toEqual({
      orderId: 'ps-7',
      reference: 'ABC',
      customerEmail: 'a@b.co',
      shippedAt: '2025-12-01T10:00:00.000Z',
      lines: [
        { sku: 'TS-BLUE-M', productId: '5', variantId: '23', quantity: 2 },
        { sku: 'MUG', productId: '8', variantId: null, quantity: 1 },
      ],
    });
  });
});

function readOrderFrom(data: Record<string, unknown>) {
  return readOrder(new PayloadReader(data, 'after_data', []));
}
