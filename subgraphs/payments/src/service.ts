import type { ServiceRuntime, SubgraphDefinition } from '@switchboard/kit';
import { migrations } from './migrations/index.js';
import { Payment } from './payments/payment.js';
import { PaymentsCustomer, CustomerPaymentsResolver, PaymentResolver, referenceResolvers } from './payments/payment-resolver.js';
import { CLOVER_ENTITIES, CLOVER_RESOLVERS, cloverModule, type CloverModule } from './clover/index.js';
import { createWexDeps, wexEntities, wexResolvers, wexRoutes, wexWorkers, type WexDeps } from './wex/index.js';
import * as cloverWebhooks from './clover-webhooks/wiring.js';

export type PaymentsDeps = ServiceRuntime & { wex: WexDeps; clover: CloverModule } & cloverWebhooks.CloverWebhookDeps;

/** The payments subgraph: WEX virtual cards, Clover, OAuth, webhooks and the dispatcher. */
export const payments: SubgraphDefinition<PaymentsDeps> = {
  name: 'payments',
  domain: 'payments',
  defaultPort: 4001,
  entities: [Payment, ...wexEntities, ...CLOVER_ENTITIES, ...cloverWebhooks.CLOVER_WEBHOOK_AND_DISPATCHER_ENTITIES],
  migrations,
  schema: {
    orphanedTypes: [PaymentsCustomer],
    resolvers: [PaymentResolver, CustomerPaymentsResolver, ...wexResolvers, ...CLOVER_RESOLVERS, ...cloverWebhooks.CLOVER_WEBHOOK_AND_DISPATCHER_RESOLVERS],
    referenceResolvers,
  },
  createDeps: async (runtime) => {
    const clover = cloverModule(runtime);
    return { ...runtime, wex: createWexDeps(runtime), clover, ...(await cloverWebhooks.createCloverWebhookDeps(runtime, clover)) };
  },
  routes: async (app, { deps }) => {
    await app.register(wexRoutes, { deps });
    await app.register(cloverWebhooks.cloverWebhookAndDispatcherRoutes, { deps });
  },
  workers: (deps) => [...wexWorkers(deps), ...deps.clover.workers, ...cloverWebhooks.cloverWebhookWorkers(deps)],
};
