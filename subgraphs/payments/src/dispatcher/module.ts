import type { Runnable, ServiceRuntime } from '@switchboard/kit';
import type { CloverWebhooksModule } from '../clover-webhooks/module.js';
import type { RejectionJournal } from '../clover-webhooks/rejections.js';
import type { CloverModule } from '../clover/index.js';
import { loadDispatcherConfig, type DispatcherConfig } from './config.js';
import { DispatcherIntake } from './dispatcher-intake.js';
import { webhookFanoutKind } from './fanout-kind.js';
import type { StateSettings } from './oauth-fanout.js';
import { DispatcherRouting } from './routing-store.js';

/** The multi-tenant dispatcher (`deps.dispatcher`). */
export interface DispatcherModule {
  config: DispatcherConfig;
  routing: DispatcherRouting;
  intake: DispatcherIntake;
  rejections: RejectionJournal;
  bodyLimitBytes: number;
  /** Secret and TTL of the signed state (shared with the customer side: `CLOVER_DISPATCHER_SECRET`). */
  settings(): StateSettings;
  launch: { oauthHost: string; callbackUrl: string };
  workers: Runnable[];
}

export async function dispatcherModule(runtime: ServiceRuntime, clover: CloverModule, webhooks: CloverWebhooksModule): Promise<DispatcherModule> {
  const config = loadDispatcherConfig(runtime.env);
  const logger = runtime.logger.child({ area: 'clover-dispatcher' });
  runtime.deliveries.register(webhookFanoutKind(config.forward));
  const routing = new DispatcherRouting({ db: runtime.db, configured: config.routes, refreshMs: config.routingRefreshMs, logger });
  await routing.refresh();
  const { stateSecret, stateTtlSeconds } = clover.config.oauth;
  return {
    config,
    routing,
    intake: new DispatcherIntake({ journal: webhooks.journal, rejections: webhooks.rejections, routing, deliveries: runtime.deliveries, logger, counter: webhooks.counter }),
    rejections: webhooks.rejections,
    bodyLimitBytes: webhooks.config.bodyLimitBytes,
    settings: () => ({ secret: stateSecret, ttlSeconds: stateTtlSeconds }),
    launch: { oauthHost: clover.config.hosts[config.environment].oauth, callbackUrl: config.callbackUrl },
    workers: [routing],
  };
}
