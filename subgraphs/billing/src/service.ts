import type { SubgraphDefinition } from '@switchboard/kit';
import { BillingAccount } from './accounts/billing-account.js';
import { BillingCustomer, CustomerBillingResolver, customerReference } from './accounts/customer-billing.js';
import { openAccountOnCustomer } from './accounts/open-account-on-customer.js';
import { migrations } from './migrations/index.js';

/** The billing subgraph: accounts, metering and rating, ledger, importer, reconciliation. */
export const billing: SubgraphDefinition = {
  name: 'billing',
  domain: 'billing',
  defaultPort: 4003,
  entities: [BillingAccount],
  migrations,
  schema: {
    orphanedTypes: [BillingCustomer],
    resolvers: [CustomerBillingResolver],
    referenceResolvers: customerReference,
  },
  handlers: () => [openAccountOnCustomer],
};
