import type { ServiceRuntime, SubgraphDefinition } from '@switchboard/kit';
import { Customer } from './customers/customer.js';
import { CustomerResolver, customerReference } from './customers/customer-resolver.js';
import { inventoryArea, type InventoryDeps } from './inventory/module.js';
import { migrations } from './migrations/index.js';
import { salesArea } from './prestashop/sales-area.js';

/** The commerce subgraph: customers (owner of `Customer`), orders, catalog and inventory sync. */
export const commerce: SubgraphDefinition<ServiceRuntime & InventoryDeps> = {
  name: 'commerce',
  domain: 'commerce',
  defaultPort: 4002,
  entities: [Customer, ...inventoryArea.entities, ...salesArea.entities],
  migrations,
  schema: {
    resolvers: [CustomerResolver, ...inventoryArea.resolvers, ...salesArea.resolvers],
    referenceResolvers: { ...customerReference, ...inventoryArea.referenceResolvers, ...salesArea.referenceResolvers },
  },
  createDeps: (runtime) => inventoryArea.withDeps(runtime),
  handlers: (deps) => [...inventoryArea.handlers(deps), ...salesArea.handlers(deps)],
  routes: async (app, { deps }) => {
    await app.register(inventoryArea.routes, { deps });
    await app.register(salesArea.routes, { deps });
  },
  workers: (deps) => [...inventoryArea.workers(deps), ...salesArea.workers(deps)],
};
