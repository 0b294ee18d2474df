import type { ServiceRuntime } from '@switchboard/kit';
import { loadBillingConfig, type BillingConfig } from './config.js';
import { ServiceAuthenticator } from './services/service-auth.js';
import { appWebhookKind, appWebhookSender, type AppWebhookSender } from './webhooks/app-webhooks.js';

/** What billing's resolvers, routes, handlers and workers get: the kit runtime plus billing's own. */
export interface BillingDeps extends ServiceRuntime {
  billing: BillingConfig;
  webhooks: AppWebhookSender;
  serviceAuth: ServiceAuthenticator;
}

export function createBillingDeps(runtime: ServiceRuntime): BillingDeps {
  const config = loadBillingConfig(runtime.env);
  if (config.usingDevelopmentKey) {
    runtime.logger.warn('BILLING_ENCRYPTION_KEY not set: webhook secrets are sealed with the development key');
  }
  runtime.deliveries.register(
    appWebhookKind({ db: runtime.db, keyring: config.keyring, retryScheduleMs: config.webhookRetryScheduleMs, timeoutMs: config.webhookTimeoutMs }),
  );
  return {
    ...runtime,
    billing: config,
    webhooks: appWebhookSender(runtime.deliveries, runtime.logger),
    serviceAuth: new ServiceAuthenticator(runtime.db, config.apiKeyCacheMs),
  };
}
