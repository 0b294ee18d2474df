import { sha256Hex } from '@switchboard/kit';

/**
 * Identity of an event's content: the same entity, action and data (context included, since a
 * status change carries its new state there) give the same hash, whatever its event_id. The
 * module builds its data arrays in a fixed key order and PHP's json_encode keeps it, so equal
 * data is equal JSON text; hashing the text avoids re-sorting 70-field lines on the hot path.
 */
export function eventContentHash(event: {
  entityType: string;
  entityId: string;
  actionType: string;
  /** after_data and context_data as JSON text (`null` when absent). */
  afterJson: string;
  contextJson: string;
}): string {
  return sha256Hex([event.entityType, event.entityId, event.actionType, event.afterJson, event.contextJson].join('\n'));
}

/**
 * Keeps only the last four digits of card numbers before anything is stored. The module sends
 * them in payment events (`card_number`) and in order snapshots (`order_payments[].card_number`);
 * PrestaShop stores them masked already, but a payment module may not have.
 */
export function maskCardNumbers(data: Record<string, unknown>, mask: (raw: unknown) => string | null): Record<string, unknown> {
  let out = data;
  if ('card_number' in data) out = { ...out, card_number: mask(data.card_number) };
  if (Array.isArray(data.order_payments)) {
    out = {
      ...out,
      order_payments: data.order_payments.map((payment: unknown) =>
        payment && typeof payment === 'object' && 'card_number' in payment
          ? { ...(payment as Record<string, unknown>), card_number: mask((payment as Record<string, unknown>).card_number) }
          : payment,
      ),
    };
  }
  return out;
}
