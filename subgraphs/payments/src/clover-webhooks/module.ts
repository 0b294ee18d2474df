import type { Runnable, ServiceRuntime } from '@switchboard/kit';
import { Counter } from 'prom-client';
import { PaymentRecorder } from '../clover/charges/payment-recorder.js';
import type { CloverModule } from '../clover/index.js';
import { AppSecrets } from './app-secrets.js';
import { loadCloverWebhookConfig, type CloverWebhookConfig } from './config.js';
import { CustomerWebhookIntake } from './customer-intake.js';
import { CustomerOAuthCallback } from './oauth-callback.js';
import { PaymentSync } from './payment-sync.js';
import { WebhookProcessor } from './processor.js';
import { RejectionJournal } from './rejections.js';
import { rejectedRetention } from './retention.js';
import { WebhookJournal } from './webhook-journal.js';

/** The customer side of Clover webhooks and OAuth (`deps.cloverWebhooks`). */
export interface CloverWebhooksModule {
  config: CloverWebhookConfig;
  /** Shared with the dispatcher: one group-committed journal per process. */
  journal: WebhookJournal;
  rejections: RejectionJournal;
  secrets: AppSecrets;
  intake: CustomerWebhookIntake;
  processor: WebhookProcessor;
  oauthCallback: CustomerOAuthCallback;
  /** `clover_webhooks_total{endpoint, outcome}`. */
  counter: Counter<'endpoint' | 'outcome'>;
  workers: Runnable[];
}

export function cloverWebhooksModule(runtime: ServiceRuntime, clover: CloverModule): CloverWebhooksModule {
  const config = loadCloverWebhookConfig(runtime.env);
  const logger = runtime.logger.child({ area: 'clover-webhooks' });
  const counter = new Counter({
    name: 'clover_webhooks_total',
    help: 'Clover webhooks received, by endpoint and outcome (verified, forwarded, duplicate, verification, or the rejection reason)',
    labelNames: ['endpoint', 'outcome'],
    registers: [runtime.metrics],
  });
  const journal = new WebhookJournal(runtime);
  const rejections = new RejectionJournal(journal, logger, config.rejectedJournalPerSecond);
  const secrets = new AppSecrets({ configured: config.appSecrets, db: runtime.db, secrets: clover.secrets, cacheMs: config.secretCacheMs, logger });
  const sync = new PaymentSync({ db: runtime.db, platform: clover.platform, recorder: new PaymentRecorder(runtime, logger), logger });
  const processor = new WebhookProcessor({ runtime, config, sync, logger });
  return {
    config,
    journal,
    rejections,
    secrets,
    intake: new CustomerWebhookIntake({ journal, rejections, secrets, logger, counter }),
    processor,
    oauthCallback: new CustomerOAuthCallback({ db: runtime.db, oauth: clover.oauth, config: clover.config, logger }),
    counter,
    workers: [...(config.processorEnabled ? [processor] : []), rejectedRetention(runtime.db, config.rejectedRetentionMs, logger)],
  };
}
