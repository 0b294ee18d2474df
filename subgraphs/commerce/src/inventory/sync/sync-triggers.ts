import type { EventHandler } from '@switchboard/kit';
import { z } from 'zod';
import { INVENTORY_ADJUSTED, type InventoryAdjusted } from '../catalog/inventory-events.js';
import { ProductVariant } from '../catalog/product-variant.js';
import type { SyncQueue } from './sync-queue.js';

/** `commerce.order.shipped` as produced by the PrestaShop intake; only the SKUs matter here. */
const orderShipped = z.object({
  orderId: z.union([z.string(), z.number()]).transform(String),
  reference: z.string().nullish(),
  lines: z.array(
    z.object({
      sku: z.string().nullish(),
      quantity: z.number().optional(),
    }),
  ),
});

const inventoryAdjusted = z.object({ variantId: z.string(), reason: z.string().nullish() });

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
}

/** When ODOO_API_BASE_URL is not set the triggers consume their events and queue nothing. */
export interface TriggerDeps {
  queue: SyncQueue;
  enabled: boolean;
}

/** Shipping an order syncs exactly its variants, found by SKU; lines without a known SKU are logged and skipped. */
export function syncOnOrderShipped(deps: TriggerDeps): EventHandler {
  return {
    name: 'inventory-sync-on-order-shipped',
    subjects: ['commerce.order.shipped'],
    async handle(event, { em, events, logger }) {
      const parsed = orderShipped.safeParse(event.data);
      // A malformed event retries and then becomes a dead letter an operator can see and replay.
      if (!parsed.success) throw new Error(`commerce.order.shipped is malformed: ${describeIssues(parsed.error)}`);
      const order = parsed.data;
      const log = logger.child({ orderId: order.orderId, reference: order.reference });
      if (!deps.enabled) {
        log.debug('inventory sync is not configured (ODOO_API_BASE_URL): shipped order not synced');
        return;
      }
      const skus = new Set<string>();
      order.lines.forEach((line, index) => {
        const sku = line.sku?.trim();
        if (sku) skus.add(sku);
        else log.warn({ line: index }, 'shipped order line has no SKU: not synced to Odoo');
      });
      if (skus.size === 0) return;
      const variants = await em.find(ProductVariant, { sku: { $in: [...skus] } }, { populate: ['product'] });
      const known = new Set(variants.map((v) => v.sku));
      for (const sku of skus) if (!known.has(sku)) log.warn({ sku }, 'shipped order line has an SKU the catalog does not know: not synced to Odoo');
      const syncable = variants.filter((v) => v.active && v.product.getEntity().active);
      for (const v of variants) if (!syncable.includes(v)) log.info({ sku: v.sku }, 'shipped variant is inactive: not synced to Odoo');
      await deps.queue.requestVariantSyncs({ em, events }, {
        variants: syncable.map((v) => ({ id: v.id, sku: v.sku })),
        trigger: 'ORDER_SHIPPED',
        reference: `order ${order.reference ?? order.orderId}`,
      });
    },
  };
}

/** An adjustment syncs that variant. */
export function syncOnInventoryAdjusted(deps: TriggerDeps): EventHandler {
  return {
    name: 'inventory-sync-on-inventory-adjusted',
    subjects: [INVENTORY_ADJUSTED],
    async handle(event, { em, events, logger }) {
      const parsed = inventoryAdjusted.safeParse(event.data);
      if (!parsed.success) throw new Error(`${INVENTORY_ADJUSTED} is malformed: ${describeIssues(parsed.error)}`);
      if (!deps.enabled) return;
      const data = event.data as InventoryAdjusted;
      const variant = await em.findOne(ProductVariant, { id: data.variantId }, { populate: ['product'] });
      if (!variant || !variant.active || !variant.product.getEntity().active) {
        logger.info({ variantId: data.variantId }, 'adjusted variant is gone or inactive: not synced to Odoo');
        return;
      }
      await deps.queue.requestVariantSyncs({ em, events }, {
        variants: [{ id: variant.id, sku: variant.sku }],
        trigger: 'INVENTORY_ADJUSTMENT',
        reference: data.reason ?? `adjusted at ${data.locationCode}`,
      });
    },
  };
}
