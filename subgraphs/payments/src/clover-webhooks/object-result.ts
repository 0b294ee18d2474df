import type { WebhookObject } from './webhook-payload.js';

/** What became of one object a verified webhook named (stored on the webhook, shown to operators). */
export interface ObjectResult {
  objectId: string;
  merchantId: string;
  /**
   * `updated` (our payment moved), `in_sync` (nothing to change), `unmatched` (no payment of ours),
   * `no_connection`, `not_found_at_clover`, `reauthorization_required`, `ignored` (not a payment).
   */
  outcome: string;
  paymentId?: string;
  status?: string;
  detail?: string;
}

export function ignored(object: WebhookObject): ObjectResult {
  return { objectId: object.objectId, merchantId: object.merchantId, outcome: 'ignored', detail: `${object.kind} objects are not followed up` };
}
