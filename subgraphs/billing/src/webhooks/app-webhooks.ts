import type { EntityManager } from '@mikro-orm/core';
import {
  decryptSecret,
  encryptSecret,
  type Database,
  type Deliveries,
  type DeliveryKind,
  type EventEmitter,
  type Keyring,
  type Logger,
} from '@switchboard/kit';
import { BillingService } from '../services/billing-service.js';
import { appEventBody, type AppEventType } from './app-events.js';
import { newWebhookMessageId, webhookHeaders } from './signing.js';
import { WebhookMessage } from './webhook-message.js';

export const APP_WEBHOOK_KIND = 'billing.app-webhook';

/** The webhook secret is sealed per service: a value copied to another row does not open. */
const secretContext = (serviceId: string) => `billing_service:${serviceId}:webhook_secret`;

export function sealWebhookSecret(secret: string, serviceId: string, keyring: Keyring): string {
  return encryptSecret(secret, keyring, secretContext(serviceId));
}

export function openWebhookSecret(sealed: string, serviceId: string, keyring: Keyring): string {
  return decryptSecret(sealed, keyring, secretContext(serviceId));
}

/**
 * The delivery kind of webhooks to apps: retried on the configured schedule, then exhausted
 * (`billing.delivery.exhausted`, an ops ticket). Each attempt is signed just before it is sent,
 * with the service's current secret and a fresh timestamp; the stored row keeps the unsigned body.
 */
export function appWebhookKind(options: { db: Database; keyring: Keyring; retryScheduleMs: number[]; timeoutMs: number }): DeliveryKind {
  const schedule = options.retryScheduleMs;
  return {
    name: APP_WEBHOOK_KIND,
    maxAttempts: schedule.length + 1,
    backoffMs: (attempt) => schedule[Math.min(attempt, schedule.length) - 1] ?? 0,
    timeoutMs: options.timeoutMs,
    async prepare(delivery) {
      const em = options.db.em();
      const message = await em.findOne(WebhookMessage, { id: delivery.id });
      if (!message) throw new Error(`webhook message ${delivery.id} not found`);
      const service = await em.findOne(BillingService, { id: message.serviceId });
      if (!service?.webhookSecretSealed) throw new Error(`service ${message.serviceId} has no webhook secret`);
      const secret = openWebhookSecret(service.webhookSecretSealed, service.id, options.keyring);
      return { body: delivery.body, headers: webhookHeaders(secret, delivery.id, delivery.body) };
    },
    sourceKey: (delivery) => `billing:app-webhook:${delivery.targetUrl ? new URL(delivery.targetUrl).origin : 'unknown'}`,
  };
}

export interface AppWebhookSender {
  /**
   * Queue an event for the service's webhook URL in the caller's transaction. Services without a
   * URL (or inactive ones) get nothing; returns the message id when one was queued.
   */
  send(
    tx: { em: EntityManager; events: EventEmitter },
    service: BillingService,
    type: AppEventType,
    data: Record<string, unknown> & { deployment_id: string | null },
    reference?: string,
  ): string | undefined;
}

export function appWebhookSender(deliveries: Deliveries, logger: Logger): AppWebhookSender {
  return {
    send(tx, service, type, data, reference) {
      if (!service.webhookUrl || !service.active) {
        logger.debug({ service: service.code, type }, 'no webhook URL configured; event not sent');
        return undefined;
      }
      const id = newWebhookMessageId();
      tx.em.persist(tx.em.create(WebhookMessage, { id, serviceId: service.id, eventType: type, createdAt: new Date() }));
      deliveries.enqueue(tx, {
        id,
        kind: APP_WEBHOOK_KIND,
        url: service.webhookUrl,
        body: appEventBody(type, data),
        reference,
      });
      return id;
    },
  };
}
