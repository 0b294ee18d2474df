import type { EventHandler, Runnable, ServiceRuntime } from '@switchboard/kit';
import type { FastifyPluginAsync } from 'fastify';
import { InventoryLevel } from './catalog/inventory-level.js';
import { ProductResolver, ProductVariantResolver, productVariantReference, StockLocationResolver } from './catalog/catalog-resolver.js';
import { Product } from './catalog/product.js';
import { ProductVariant } from './catalog/product-variant.js';
import { StockLocation } from './catalog/stock-location.js';
import { createInventory, type InventoryDeps } from './inventory.js';
import { RateLimitSlot } from './odoo/rate-limit-slot.js';
import { inventorySyncRoutes } from './sync/rest-routes.js';
import { SyncHealth } from './sync/sync-health.js';
import { SyncJob } from './sync/sync-job.js';
import { ArchivedSyncLog, SyncLog, SyncLogColumns } from './sync/sync-log.js';
import { SyncResolver } from './sync/sync-resolver.js';
import { syncOnInventoryAdjusted, syncOnOrderShipped } from './sync/sync-triggers.js';
import { VariantSyncState } from './sync/variant-sync-state.js';

type Deps = ServiceRuntime & InventoryDeps;

/**
 * The inventory area of the commerce subgraph (catalog, stock, sync to the Odoo vendor API),
 * packaged so `service.ts` wires it in with a few lines.
 */
export const inventoryArea = {
  entities: [
    Product, ProductVariant, StockLocation, InventoryLevel,
    SyncJob, VariantSyncState, SyncLogColumns, SyncLog, ArchivedSyncLog, SyncHealth, RateLimitSlot,
  ] as Function[],
  resolvers: [ProductResolver, ProductVariantResolver, StockLocationResolver, SyncResolver] as Function[],
  referenceResolvers: productVariantReference,

  /** Adds `inventory` to the service's dependencies; a bad INVENTORY_…/ODOO_… value stops the service. */
  withDeps<R extends ServiceRuntime>(runtime: R): R & InventoryDeps {
    return Object.assign(runtime, { inventory: createInventory(runtime) });
  },

  handlers(deps: Deps): EventHandler[] {
    const triggers = { queue: deps.inventory.queue, enabled: deps.inventory.enabled };
    return [syncOnOrderShipped(triggers), syncOnInventoryAdjusted(triggers)];
  },

  /** The legacy REST adapter (`/api/odoo/sync/…`); register it as its own plugin. */
  routes: inventorySyncRoutes as FastifyPluginAsync<{ deps: Deps }>,

  workers(deps: Deps): Runnable[] {
    const { runner, maintenance } = deps.inventory;
    return [...(runner ? [runner.worker()] : []), maintenance.worker()];
  },
};

export type { InventoryDeps } from './inventory.js';
