import type { SubgraphDefinition } from '@switchboard/kit';
import { BillingCustomer, CustomerBillingResolver, customerReference } from './accounts/customer-billing.js';
import { openAccountOnCustomer } from './accounts/open-account-on-customer.js';
import { billingApi } from './api/billing-api.js';
import { CatalogResolver } from './catalog/catalog-graphql.js';
import { createBillingDeps, type BillingDeps } from './deps.js';
import { METERING_ENTITIES } from './entities.js';
import { InvoiceResolver, invoiceReference } from './invoices/invoice-graphql.js';
import { paymentOutcomeHandler } from './invoices/payment-events.js';
import { ratingWorker } from './invoices/rating-worker.js';
import { migrations } from './migrations/index.js';
import { BillingServiceResolver } from './services/service-graphql.js';
import { LEDGER_ENTITIES, ledgerHandlers, ledgerWorkers, withLedger } from './ledger/ledger-module.js';
import { LEDGER_ORPHANED_TYPES, LEDGER_RESOLVERS, ledgerReferenceResolvers } from './ledger/ledger-schema.js';
import { SubscriptionResolver } from './subscriptions/subscription-graphql.js';

/** The billing subgraph: accounts, metering and rating, ledger, importer, reconciliation. */
export const billing: SubgraphDefinition<BillingDeps> = {
  name: 'billing',
  domain: 'billing',
  defaultPort: 4003,
  entities: [...METERING_ENTITIES, ...LEDGER_ENTITIES],
  migrations,
  schema: {
    orphanedTypes: [BillingCustomer, ...LEDGER_ORPHANED_TYPES],
    resolvers: [CustomerBillingResolver, BillingServiceResolver, CatalogResolver, SubscriptionResolver, InvoiceResolver, ...LEDGER_RESOLVERS],
    referenceResolvers: { ...customerReference, ...invoiceReference, ...ledgerReferenceResolvers },
  },
  createDeps: (runtime) => withLedger(createBillingDeps(runtime)),
  handlers: (deps) => [openAccountOnCustomer, paymentOutcomeHandler(deps), ...ledgerHandlers()],
  routes: billingApi,
  workers: (deps) => [ratingWorker(deps), ...ledgerWorkers(deps)],
};
