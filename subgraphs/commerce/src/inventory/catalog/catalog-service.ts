import { LockMode, ref } from '@mikro-orm/core';
import type { ServiceRuntime } from '@switchboard/kit';
import { InventoryLevel } from './inventory-level.js';
import { INVENTORY_ADJUSTED, inventoryAdjusted, type InventoryAdjusted } from './inventory-events.js';
import { Product } from './product.js';
import { ProductVariant } from './product-variant.js';
import type { StockAdjustment } from './catalog-rules.js';
import { availableAt } from './stock-rules.js';
import { StockLocation } from './stock-location.js';

/** A request the catalog cannot satisfy, naming the input field at fault. */
export class CatalogError extends Error {
  constructor(message: string, readonly field: string, readonly kind: 'bad-input' | 'not-found') {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Renames a catalog record and, when `active` is given, switches it on or off. */
function applyNameAndActive(record: { name: string; active: boolean; updatedAt: Date }, input: { name: string; active?: boolean }): void {
  record.name = input.name;
  record.active = input.active ?? record.active;
  record.updatedAt = new Date();
}

export async function upsertProduct(runtime: ServiceRuntime, input: { id?: string; name: string; active?: boolean }): Promise<Product> {
  return runtime.transaction(async ({ em }) => {
    if (!input.id) return em.create(Product, { name: input.name, active: input.active ?? true });
    const product = await em.findOne(Product, { id: input.id });
    if (!product) throw new CatalogError(`no product with id ${input.id}`, 'id', 'not-found');
    if (product.name !== input.name || (input.active !== undefined && product.active !== input.active)) applyNameAndActive(product, input);
    return product;
  });
}

/** Creates the variant with this SKU, or updates it (SKU is the key Odoo knows it by). */
export async function upsertProductVariant(
  runtime: ServiceRuntime,
  input: { sku: string; productId: string; name: string; active?: boolean },
): Promise<ProductVariant> {
  return runtime.transaction(async ({ em }) => {
    const product = await em.findOne(Product, { id: input.productId });
    if (!product) throw new CatalogError(`no product with id ${input.productId}`, 'productId', 'not-found');
    const variant = await em.findOne(ProductVariant, { sku: input.sku });
    if (!variant) return em.create(ProductVariant, { sku: input.sku, product, name: input.name, active: input.active ?? true });
    variant.product = ref(product);
    applyNameAndActive(variant, input);
    return variant;
  });
}

/**
 * Creates or updates a location by code. Switching it on or off changes what every variant with
 * sellable units there has available, so each of those gets a `commerce.inventory.adjusted`.
 */
export async function upsertStockLocation(
  runtime: ServiceRuntime,
  input: { code: string; name: string; active?: boolean },
  adjustedBy: string | null,
): Promise<StockLocation> {
  return runtime.transaction(async ({ em, events }) => {
    const location = await em.findOne(StockLocation, { code: input.code });
    if (!location) return em.create(StockLocation, { code: input.code, name: input.name, active: input.active ?? true });
    const flipped = input.active !== undefined && input.active !== location.active;
    applyNameAndActive(location, input);
    if (flipped) {
      const levels = await em.find(InventoryLevel, { location }, { populate: ['variant'] });
      const reason = `location ${location.code} ${location.active ? 'activated' : 'deactivated'}`;
      for (const level of levels.filter((l) => availableAt(l) > 0)) {
        const variant = level.variant.getEntity();
        const data = inventoryAdjusted({ variant, location, level, previous: level, reason, adjustedBy });
        events.emit<InventoryAdjusted>(INVENTORY_ADJUSTED, data, { subject: variant.sku });
      }
    }
    return location;
  });
}

export interface AdjustmentOutcome {
  variant: ProductVariant;
  location: StockLocation;
  level: InventoryLevel;
  changed: boolean;
}

/**
 * Sets on-hand and/or reserved units of one variant at one location (absolute figures, so a
 * repeated request changes nothing) and announces `commerce.inventory.adjusted` in the same
 * transaction; the sync worker pushes the variant's new stock to Odoo from that event.
 */
export async function adjustInventory(runtime: ServiceRuntime, adjustment: StockAdjustment, adjustedBy: string | null): Promise<AdjustmentOutcome> {
  return runtime.transaction(async ({ em, events }) => {
    const variant = await em.findOne(ProductVariant, { sku: adjustment.sku });
    if (!variant) throw new CatalogError(`no product variant with SKU ${adjustment.sku}`, 'sku', 'not-found');
    const location = await em.findOne(StockLocation, { code: adjustment.locationCode });
    if (!location) throw new CatalogError(`no stock location with code ${adjustment.locationCode}`, 'locationCode', 'not-found');
    const lock = runtime.db.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {};
    const level = (await em.findOne(InventoryLevel, { variant, location }, lock)) ?? em.create(InventoryLevel, { variant, location });
    const previous = { quantity: level.quantity, reserved: level.reserved };
    level.quantity = adjustment.quantity ?? level.quantity;
    level.reserved = adjustment.reserved ?? level.reserved;
    const changed = level.quantity !== previous.quantity || level.reserved !== previous.reserved;
    if (!changed) return { variant, location, level, changed };
    level.updatedAt = new Date();
    const data = inventoryAdjusted({ variant, location, level, previous, reason: adjustment.reason, adjustedBy });
    events.emit<InventoryAdjusted>(INVENTORY_ADJUSTED, data, { subject: variant.sku });
    return { variant, location, level, changed };
  });
}
