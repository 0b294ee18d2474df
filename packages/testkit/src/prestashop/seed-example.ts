import { phpFloat } from './php-json.js';
import type { ModuleBatch } from './module-event.js';

/**
 * The "Order Event Example" of the module's README (seeds/prestashop-sales-sync-README.md),
 * as a real shop would send it: the README's `// ... 60+ more fields` and `/* ... *\/`
 * placeholders are not JSON and are left out (the lists are empty).
 */
export function seedExampleBatch(): ModuleBatch {
  return {
    batch_id: 'batch_20251115114300_9958d37c',
    timestamp: '2025-11-15 11:43:00',
    events: [
      {
        event_id: 163,
        entity_type: 'order',
        entity_id: '999946',
        entity_name: 'XKBKNABJK',
        action_type: 'created',
        hook_name: 'actionValidateOrder',
        after_data: {
          id_order: 999946,
          reference: 'XKBKNABJK',
          date_add: '2025-11-15 11:42:53',
          current_state: 2,
          order_details: [
            {
              product_id: 5,
              product_name: 'T-Shirt - Blue - Size M',
              product_quantity: 2,
              unit_price_tax_excl: phpFloat(25.0),
              total_price_tax_excl: phpFloat(50.0),
              product_tax: phpFloat(10.5),
            },
          ],
          order_history: [],
          order_payments: [],
          messages: [],
        },
      } as unknown as ModuleBatch['events'][number],
    ],
  };
}
