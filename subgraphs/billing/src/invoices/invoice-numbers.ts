import type { EntityManager } from '@mikro-orm/core';
import type { BillingService } from '../services/billing-service.js';
import { nextSequenceValue } from '../shared/sequence.js';

/** `NEXACLOUD-2026-000042`: per service and year, consecutive, assigned when a document is issued. */
export async function nextInvoiceNumber(em: EntityManager, service: BillingService, at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  const value = await nextSequenceValue(em, `invoice:${service.id}:${year}`);
  return `${service.code.toUpperCase()}-${year}-${String(value).padStart(6, '0')}`;
}

export async function nextCreditNoteNumber(em: EntityManager, service: BillingService, at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  const value = await nextSequenceValue(em, `credit_note:${service.id}:${year}`);
  return `CN-${service.code.toUpperCase()}-${year}-${String(value).padStart(6, '0')}`;
}
