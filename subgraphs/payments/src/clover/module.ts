import type { Runnable, ServiceRuntime } from '@switchboard/kit';
import { CloverCollections } from './charges/collect-service.js';
import { PaymentRecorder } from './charges/payment-recorder.js';
import { CloverReconciler } from './charges/reconciler.js';
import { TerminalRunner } from './charges/terminal-runner.js';
import { loadCloverConfig, type CloverConfig } from './config.js';
import { ConnectionSecrets } from './connections/connection-secrets.js';
import { CloverConnections } from './connections/connection-service.js';
import { CloverEcommerce } from './ecommerce/ecommerce-api.js';
import { CloverApi } from './http/clover-api.js';
import { CloverCallLimiter } from './http/rate-limits.js';
import { CloverOAuthClient } from './oauth/oauth-client.js';
import { CloverOAuthService } from './oauth/oauth-service.js';
import { CloverTokenManager } from './oauth/token-manager.js';
import { CloverPlatform } from './platform/platform-api.js';
import { CloverRefunds } from './refunds/refund-service.js';
import { CloverRestPay } from './terminals/rest-pay-api.js';
import { CloverTerminals } from './terminals/terminal-service.js';
import { CloverTokenizer } from './tokenization/tokenizer.js';

/** Everything Clover, built once per service from `CLOVER_…` configuration. */
export interface CloverModule {
  config: CloverConfig;
  secrets: ConnectionSecrets;
  tokens: CloverTokenManager;
  api: CloverApi;
  oauth: CloverOAuthService;
  connections: CloverConnections;
  platform: CloverPlatform;
  ecommerce: CloverEcommerce;
  tokenizer: CloverTokenizer;
  restPay: CloverRestPay;
  terminals: CloverTerminals;
  collections: CloverCollections;
  refunds: CloverRefunds;
  /** Records a payment's next status once (compare-and-set) and emits its event. */
  recorder: PaymentRecorder;
  runner: TerminalRunner;
  reconciler: CloverReconciler;
  /** Background work: terminal calls in flight and the pending-payment reconciler. */
  workers: Runnable[];
}

/** The payments service's dependencies as far as Clover is concerned (`ctx.deps.clover`). */
export interface CloverDeps {
  clover: CloverModule;
}

export function cloverModule(runtime: ServiceRuntime): CloverModule {
  const config = loadCloverConfig(runtime.env);
  const logger = runtime.logger.child({ area: 'clover' });
  if (config.usingDevelopmentKey) {
    logger.warn('CLOVER_TOKEN_ENCRYPTION_KEY not set: Clover secrets are sealed with the public development key');
  }
  const secrets = new ConnectionSecrets(config.keyring);
  const oauthClient = new CloverOAuthClient(runtime.http, logger, config.httpTimeoutMs);
  const tokens = new CloverTokenManager({
    db: runtime.db,
    secrets,
    oauth: oauthClient,
    hosts: config.hosts,
    refreshMarginSeconds: config.refreshMarginSeconds,
    leaseMs: config.httpTimeoutMs + 5_000,
    logger,
  });
  const api = new CloverApi({ http: runtime.http, tokens, secrets, config, logger, limiter: new CloverCallLimiter(config.restLimits) });
  const platform = new CloverPlatform(api);
  const ecommerce = new CloverEcommerce(api, config);
  const tokenizer = new CloverTokenizer({ ecommerce, http: runtime.http, config, logger });
  const restPay = new CloverRestPay(api, config);
  const terminals = new CloverTerminals({ db: runtime.db, platform, restPay, logger });
  const recorder = new PaymentRecorder(runtime, logger);
  const runner = new TerminalRunner({ db: runtime.db, restPay, platform, recorder, logger });
  const collections = new CloverCollections({ runtime, config, ecommerce, tokenizer, terminals, runner, recorder });
  const refunds = new CloverRefunds({ runtime, config, ecommerce, tokenizer, terminals, runner, recorder });
  const reconciler = new CloverReconciler({ db: runtime.db, config, platform, collections, refunds, runner, recorder, logger });
  return {
    config,
    secrets,
    tokens,
    api,
    oauth: new CloverOAuthService({ db: runtime.db, config, secrets, oauth: oauthClient, api, logger }),
    connections: new CloverConnections({ db: runtime.db, secrets, api, logger }),
    platform,
    ecommerce,
    tokenizer,
    restPay,
    terminals,
    collections,
    refunds,
    recorder,
    runner,
    reconciler,
    workers: [runner, reconciler],
  };
}
