import type { SubgraphDefinition } from '@switchboard/kit';
import { Customer } from './customers/customer.js';
import { CustomerResolver, customerReference } from './customers/customer-resolver.js';
import { migrations } from './migrations/index.js';

/** The commerce subgraph: customers (owner of `Customer`), orders, catalog and inventory sync. */
export const commerce: SubgraphDefinition = {
  name: 'commerce',
  domain: 'commerce',
  defaultPort: 4002,
  entities: [Customer],
  migrations,
  schema: {
    resolvers: [CustomerResolver],
    referenceResolvers: customerReference,
  },
};
