import type { Decimal } from '@switchboard/kit';
import { Dec, MONEY_SCALE, roundHalfUp, ZERO } from '../shared/decimal.js';
import type { InvoiceStatus } from './invoice.js';

/** What the customer still owes on an invoice: its total less credit notes, never negative. */
export function amountDue(invoice: { status: InvoiceStatus; subtotal: string; creditedAmount: string }): Decimal {
  if (invoice.status === 'paid' || invoice.status === 'void') return ZERO;
  return Dec.max(new Dec(String(invoice.subtotal)).minus(String(invoice.creditedAmount)), ZERO);
}

/** A refusal names why, for a 409. */
export type Transition = { ok: true } | { ok: false; reason: string };

export function canVoid(status: InvoiceStatus): Transition {
  if (status === 'open') return { ok: true };
  if (status === 'void') return { ok: false, reason: 'the invoice is already void' };
  if (status === 'paid') return { ok: false, reason: 'a paid invoice cannot be voided; issue a credit note' };
  return { ok: false, reason: 'the invoice of an open period is still a draft; it is issued when the period closes' };
}

export function canRecordPayment(status: InvoiceStatus): Transition {
  if (status === 'open') return { ok: true };
  if (status === 'draft') return { ok: false, reason: 'the invoice is still a draft (not issued yet)' };
  if (status === 'void') return { ok: false, reason: 'the invoice is void' };
  return { ok: false, reason: 'the invoice is already paid' };
}

/** A credit note must credit between 0.01 and what has not been credited yet, on an issued invoice. */
export function checkCredit(invoice: { status: InvoiceStatus; subtotal: string; creditedAmount: string }, amount: Decimal): Transition {
  if (invoice.status !== 'open' && invoice.status !== 'paid') return { ok: false, reason: `a ${invoice.status} invoice cannot be credited` };
  const creditable = new Dec(String(invoice.subtotal)).minus(String(invoice.creditedAmount));
  if (amount.lte(0)) return { ok: false, reason: 'the amount must be greater than zero' };
  if (amount.gt(creditable)) return { ok: false, reason: `at most ${creditable.toFixed(MONEY_SCALE)} is left to credit on this invoice` };
  return { ok: true };
}

export interface OneOffLineInput {
  description: string;
  quantity: Decimal;
  unitPrice: Decimal;
}

/** A one-off line's amount: quantity × unit price, rounded half up to cents once. */
export function oneOffLineAmount(line: OneOffLineInput): Decimal {
  return roundHalfUp(line.quantity.mul(line.unitPrice), MONEY_SCALE);
}
