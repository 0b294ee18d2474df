import type { ServiceRuntime } from '@switchboard/kit';
import { WexVirtualCard } from './virtual-card.js';

/**
 * Odoo's ACK (or an operator's): stops the success delivery's retries at once. Idempotent; an ACK
 * for a card that has no success delivery (declined, failed) is accepted and changes nothing.
 * Returns null when no card request has that payment id.
 */
export async function acknowledgeCard(runtime: ServiceRuntime, odooPaymentId: string): Promise<WexVirtualCard | null> {
  const card = await runtime.transaction(async ({ em }) => {
    const found = await em.findOne(WexVirtualCard, { odooPaymentId });
    if (found?.deliveryId) await runtime.deliveries.acknowledge(em, found.deliveryId);
    return found;
  });
  if (card) runtime.logger.info({ paymentId: odooPaymentId, deliveryId: card.deliveryId }, 'ACK received for WEX virtual card');
  return card;
}
