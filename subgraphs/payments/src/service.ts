import type { SubgraphDefinition } from '@switchboard/kit';
import { migrations } from './migrations/index.js';
import { Payment } from './payments/payment.js';
import { PaymentsCustomer, CustomerPaymentsResolver, PaymentResolver, referenceResolvers } from './payments/payment-resolver.js';

/** The payments subgraph: WEX virtual cards, Clover, OAuth, webhooks and the dispatcher. */
export const payments: SubgraphDefinition = {
  name: 'payments',
  domain: 'payments',
  defaultPort: 4001,
  entities: [Payment],
  migrations,
  schema: {
    orphanedTypes: [PaymentsCustomer],
    resolvers: [PaymentResolver, CustomerPaymentsResolver],
    referenceResolvers,
  },
};
