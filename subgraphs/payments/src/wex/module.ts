import type { Runnable, ServiceRuntime } from '@switchboard/kit';
import { acknowledgeCard } from './acknowledgements.js';
import { VirtualCardIssuer } from './card-issuer.js';
import { CardVault } from './card-vault.js';
import { loadWexConfig, type WexConfig } from './config.js';
import { registerWexDeliveryKinds } from './delivery-kinds.js';
import { PaymentVirtualCardResolver, WexVirtualCardResolver } from './graphql.js';
import { recoverySweeper } from './recovery-sweeper.js';
import { WexVirtualCard } from './virtual-card.js';
import { HttpWexClient, SimulatedWexClient, type WexClient } from './wex-client.js';

export { wexRoutes } from './routes.js';

/** What the WEX area adds to the payments service's dependencies (`deps.wex`). */
export interface WexDeps {
  config: WexConfig;
  issuer: VirtualCardIssuer;
  acknowledge(odooPaymentId: string): Promise<WexVirtualCard | null>;
}

export const wexEntities = [WexVirtualCard];
export const wexResolvers = [WexVirtualCardResolver, PaymentVirtualCardResolver];

/** Reads the legacy variables (a bad value stops the service naming it) and registers the delivery kinds. */
export function createWexDeps(runtime: ServiceRuntime): WexDeps {
  const config = loadWexConfig({ ...runtime.env, NODE_ENV: runtime.config.NODE_ENV });
  const vault = new CardVault(config.keyring);
  registerWexDeliveryKinds(runtime, config, vault);
  const client: WexClient = config.testMode
    ? new SimulatedWexClient()
    : new HttpWexClient(runtime.http, {
        url: config.api.url ?? '',
        username: config.api.username ?? '',
        password: config.api.password ?? '',
        timeoutMs: config.api.timeoutMs,
      });
  if (!config.enabled) runtime.logger.info('WEX proxy off: WEBHOOK_URL is not set (/proxy and /ack answer 503)');
  else {
    if (config.testMode) runtime.logger.warn('WEX proxy in TEST_MODE: every request gets the simulated test card');
    if (config.authToken === undefined) runtime.logger.warn('WEX proxy without AUTH_TOKEN: /proxy and /ack accept unauthenticated calls');
    if (config.usingDevelopmentKey) runtime.logger.warn('WEX cards sealed with the public development key: set WEX_CARD_ENCRYPTION_KEY');
  }
  return {
    config,
    issuer: new VirtualCardIssuer(runtime, config, client, vault),
    acknowledge: (odooPaymentId) => acknowledgeCard(runtime, odooPaymentId),
  };
}

export function wexWorkers(deps: { wex: WexDeps; logger: ServiceRuntime['logger'] }): Runnable[] {
  return [recoverySweeper(deps.wex.issuer, deps.logger)];
}
