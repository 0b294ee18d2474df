import { moduleBatch, phpJsonEncode, PrestashopShop } from '@switchboard/testkit';
import { classify, countsOf, post, type Flow } from '../support/flow.js';
import { secrets, type ChaosSystem } from '../support/system.js';

/**
 * The PrestaShop module posts a batch: a customer registers and places a paid order. Commerce
 * stores the batch and answers, then processes it off the bus (order, customer) and announces the
 * customer, which opens a billing account in billing — two services, two hops through NATS.
 * The module re-sends a failed batch as it was (same batch id, same events).
 */
export function prestashopFlow(system: ChaosSystem, runId: string): Flow {
  const shop = new PrestashopShop({ seed: 13 });
  const orderOf = new Map<string, number>();
  const eventsOf = new Map<string, number[]>();
  return {
    name: 'prestashop',
    path: 'REST commerce → NATS → commerce order; commerce.customer.upserted → NATS → billing account',
    weight: 2,
    next(sequence) {
      const mark = shop.events.length;
      const email = `ps-${runId}-${sequence}@chaos.example.com`;
      const customer = shop.registerCustomer({ email });
      const order = shop.placeOrder(customer, { lines: 2, paid: true });
      orderOf.set(email, order.id);
      const batch = moduleBatch(shop.since(mark), new Date());
      eventsOf.set(email, batch.events.map((event) => event.event_id));
      const body = phpJsonEncode(batch);
      const headers = { 'content-type': 'application/json', 'x-webhook-secret': secrets.prestashop, 'x-batch-id': batch.batch_id };
      return {
        key: email,
        send: async () =>
          classify(await post(`${system.service('commerce').url}/prestashop/webhook`, body, headers), (answer) => answer.json?.status === 'success'),
      };
    },
    effects: [
      {
        name: 'order stored by processing (commerce DB)',
        async count(keys) {
          const byOrder = new Map(keys.map((key) => [orderOf.get(key)!, key]));
          const rows = await system.query<{ key: number; n: string }>(
            'commerce',
            'select prestashop_order_id as key, count(*) as n from shop_order where prestashop_order_id = any($1::int[]) group by 1',
            [[...byOrder.keys()]],
          );
          return new Map(rows.map((row) => [byOrder.get(Number(row.key))!, Number(row.n)]));
        },
      },
      {
        name: 'billing account opened (billing DB)',
        async count(keys) {
          return countsOf(await system.query('billing', 'select email as key, count(*) as n from billing_account where email = any($1::text[]) group by 1', [keys]));
        },
      },
    ],
    async explain(keys) {
      const rows = await system.query<{ id: number; entity_type: string; status: string; attempts: number; error: string | null }>(
        'commerce',
        'select source_event_id as id, entity_type, status, attempts, error from prestashop_event where source_event_id = any($1::int[])',
        [keys.flatMap((key) => eventsOf.get(key)!)],
      );
      const byId = new Map(rows.map((row) => [Number(row.id), row]));
      return keys.map((key) => {
        const events = eventsOf.get(key)!.map((id) => {
          const row = byId.get(id);
          return row ? `${row.entity_type} ${row.status}${row.attempts ? ` (${row.attempts} failed attempts${row.error ? `: ${row.error.slice(0, 100)}` : ''})` : ''}` : `event ${id} not stored`;
        });
        return `${key}: ${events.join(', ')}`;
      });
    },
  };
}
