import type { Runnable, ServiceRuntime } from '@switchboard/kit';
import type { FastifyPluginAsync } from 'fastify';
import type { CloverModule } from '../clover/index.js';
import { DISPATCHER_ENTITIES, DISPATCHER_RESOLVERS, dispatcherModule, dispatcherRoutes, type DispatcherModule } from '../dispatcher/index.js';
import { CLOVER_WEBHOOK_ENTITIES, CLOVER_WEBHOOK_RESOLVERS, cloverWebhookRoutes, cloverWebhooksModule, type CloverWebhooksModule } from './index.js';

/** What Clover webhooks (customer side) and the dispatcher add to the payments service's deps. */
export interface CloverWebhookDeps {
  cloverWebhooks: CloverWebhooksModule;
  dispatcher: DispatcherModule;
}

export async function createCloverWebhookDeps(runtime: ServiceRuntime, clover: CloverModule): Promise<CloverWebhookDeps> {
  const cloverWebhooks = cloverWebhooksModule(runtime, clover);
  return { cloverWebhooks, dispatcher: await dispatcherModule(runtime, clover, cloverWebhooks) };
}

/** `/payment/clover/…` (customer side) and `/clover/…` (dispatcher), each with its own body parsing. */
export const cloverWebhookAndDispatcherRoutes: FastifyPluginAsync<{ deps: CloverWebhookDeps }> = async (app, { deps }) => {
  await app.register(cloverWebhookRoutes, { deps });
  await app.register(dispatcherRoutes, { deps });
};

export function cloverWebhookWorkers(deps: CloverWebhookDeps): Runnable[] {
  return [...deps.cloverWebhooks.workers, ...deps.dispatcher.workers];
}

export const CLOVER_WEBHOOK_AND_DISPATCHER_ENTITIES = [...CLOVER_WEBHOOK_ENTITIES, ...DISPATCHER_ENTITIES];
export const CLOVER_WEBHOOK_AND_DISPATCHER_RESOLVERS = [...CLOVER_WEBHOOK_RESOLVERS, ...DISPATCHER_RESOLVERS];
