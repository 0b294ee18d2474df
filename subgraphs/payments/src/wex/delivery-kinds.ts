import type { DeliveryKind, ServiceRuntime } from '@switchboard/kit';
import type { CardVault } from './card-vault.js';
import type { WexConfig } from './config.js';
import { WexVirtualCard } from './virtual-card.js';

/** The success result to Odoo's webhook: retried until Odoo ACKs it (`/ack`). */
export const ODOO_WEBHOOK_KIND = 'wex.odoo-webhook';
/** An error result to Odoo's webhook: sent once, never retried (legacy contract). */
export const ODOO_ERROR_FORWARD_KIND = 'wex.odoo-error-forward';

/** `base, base·2, base·4, …` after attempt 1, 2, 3, … (the legacy proxy's backoff, without its jitter). */
export function downstreamBackoffMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1);
}

/**
 * Registers both kinds. The stored body of a success delivery has `card_number` and
 * `security_code` set to null; each attempt opens the sealed card and fills them in, with
 * `_delivery_id` (the delivery's id, stable across attempts) and `_delivery_attempt` (1..N).
 */
export function registerWexDeliveryKinds(runtime: ServiceRuntime, config: WexConfig, vault: CardVault): void {
  const { delivery } = config;
  const webhook: DeliveryKind = {
    name: ODOO_WEBHOOK_KIND,
    maxAttempts: delivery.maxAttempts,
    backoffMs: (attempt) => downstreamBackoffMs(delivery.retryBaseMs, attempt),
    requiresAck: true,
    ackTimeoutMs: delivery.ackTimeoutMs,
    timeoutMs: delivery.postTimeoutMs,
    async prepare(row, attempt) {
      const card = await runtime.db.em().findOne(WexVirtualCard, { id: row.reference ?? '' });
      if (!card?.cardSealed) throw new Error(`virtual card ${row.reference} has no sealed card data to deliver`);
      const secrets = vault.open(card.id, card.cardSealed);
      const template = JSON.parse(row.body) as Record<string, unknown>;
      // Spreading keeps the keys where the template has them: the seed's order.
      const body = { ...template, card_number: secrets.number, security_code: secrets.securityCode, _delivery_id: row.id, _delivery_attempt: attempt };
      return { body: JSON.stringify(body), headers: JSON.parse(row.headers) as Record<string, string> };
    },
  };
  const errorForward: DeliveryKind = {
    name: ODOO_ERROR_FORWARD_KIND,
    maxAttempts: 1,
    backoffMs: () => 0,
    timeoutMs: delivery.postTimeoutMs,
  };
  runtime.deliveries.register(webhook);
  runtime.deliveries.register(errorForward);
}
