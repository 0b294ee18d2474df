import type { EntityManager } from '@mikro-orm/core';
import type { Decimal } from '@switchboard/kit';
import { availableStock } from '../catalog/stock-rules.js';
import type { OdooVendorClient, ProductPush } from '../odoo/odoo-client.js';
import { asSent, buildProductPayload, type OdooProductPayload } from '../odoo/odoo-payload.js';
import type { AttemptResult } from './job-rules.js';
import { readVariantStock, type AttemptRecord } from './job-store.js';

/** What one attempt to push a variant's stock came to. */
export type VariantAttempt =
  | { kind: 'skipped'; reason: string }
  | { kind: 'pushed'; variantId: string; sku: string; payload: OdooProductPayload; push: ProductPush }
  /** Our own failure before or around the calls (database trouble): retried like a 5xx. */
  | { kind: 'error'; variantId: string; sku: string; error: string };

/**
 * Reads the variant and its stock now (so whatever was adjusted last is what is sent), then pushes
 * it to Odoo. Inactive variants and products are not sent, as in the seed.
 */
export async function attemptVariantSync(
  em: EntityManager,
  client: OdooVendorClient,
  supplierPrice: Decimal,
  variantId: string,
): Promise<VariantAttempt> {
  const variant = await readVariantStock(em, variantId);
  if (!variant) return { kind: 'skipped', reason: 'variant no longer exists' };
  if (!variant.active) return { kind: 'skipped', reason: 'variant is inactive' };
  if (!variant.productActive) return { kind: 'skipped', reason: 'product is inactive' };
  const payload = buildProductPayload({
    productName: variant.productName,
    variantName: variant.variantName,
    sku: variant.sku,
    available: availableStock(variant.levels),
    supplierPrice,
  });
  return { kind: 'pushed', variantId, sku: variant.sku, payload, push: await client.pushProduct(payload) };
}

/** For the retry decision: a push is retryable when its deciding call was. */
export function attemptResult(attempt: Exclude<VariantAttempt, { kind: 'skipped' }>): AttemptResult {
  if (attempt.kind === 'error') return { ok: false, retryable: true };
  if (attempt.push.ok) return { ok: true, retryable: false };
  const last = attempt.push.calls.at(-1)!.answer;
  return last.ok ? { ok: false, retryable: false } : { ok: false, retryable: last.retryable, retryAfterMs: last.retryAfterMs };
}

/** The sync-log row for an attempt: the payload sent, Odoo's deciding answer as received. */
export function logEntryOf(
  attempt: Exclude<VariantAttempt, { kind: 'skipped' }>,
): Omit<AttemptRecord, 'id' | 'triggerType' | 'jobId' | 'attempt' | 'createdAt'> {
  if (attempt.kind === 'error') {
    return {
      variantId: attempt.variantId,
      variantSku: attempt.sku,
      requestPayload: {},
      responsePayload: null,
      status: 'FAILED',
      errorMessage: attempt.error,
    };
  }
  const last = attempt.push.calls.at(-1)!;
  return {
    variantId: attempt.variantId,
    variantSku: attempt.sku,
    requestPayload: asSent({ ...attempt.payload }),
    responsePayload: last.answer.body ?? null,
    status: attempt.push.ok ? 'SUCCESS' : 'FAILED',
    errorMessage: last.answer.ok ? null : last.answer.error,
  };
}
