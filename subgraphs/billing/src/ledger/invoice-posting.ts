import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Decimal } from '@switchboard/kit';
import { Dec, MONEY_SCALE, ZERO, fixed, roundHalfUp } from '../shared/decimal.js';
import { ConflictError } from '../shared/validation.js';
import { allocateCents, isBlocked, type PreparedInvoice } from './invoice-document.js';
import type { JournalEntry } from './journal-entry.js';
import { postEntry } from './ledger.js';
import { LedgerInvoice, type LedgerInvoiceOrigin } from './ledger-invoice.js';
import { LedgerInvoiceLine } from './ledger-invoice-line.js';
import { creditNotePosting, invoicePosting } from './posting-rules.js';

/** The header of a ledger invoice, as its issuer describes it. */
export interface InvoiceHeader {
  sourceKey: string;
  origin: LedgerInvoiceOrigin;
  serviceId: string;
  billingInvoiceId?: string | null;
  externalId?: string | null;
  number?: string | null;
  providerInvoiceId?: string | null;
  customerEmail: string;
  externalCustomerId?: string | null;
  customerName?: string | null;
  subscriptionExternalId?: string | null;
  issuedAt: Date;
  currency: string;
  sourceStatus?: string | null;
  sourceAmountPaid?: string | null;
  sourcePaidAt?: Date | null;
  fingerprint: string;
}

/** Create a draft, or rewrite an existing draft's header and lines (posted invoices are never rewritten). */
export async function writeDraft(em: EntityManager, existing: LedgerInvoice | null, header: InvoiceHeader, prepared: PreparedInvoice): Promise<LedgerInvoice> {
  if (existing && existing.status !== 'draft') throw new ConflictError(`invoice ${existing.sourceKey} is ${existing.status}; it cannot be rewritten`);
  const now = new Date();
  const fields = {
    ...header,
    subtotal: fixed(prepared.subtotal, MONEY_SCALE),
    tax: fixed(prepared.tax, MONEY_SCALE),
    total: fixed(prepared.total, MONEY_SCALE),
    taxRate: prepared.taxRate,
    flags: JSON.stringify(prepared.flags),
    problems: JSON.stringify(prepared.problems),
    updatedAt: now,
  };
  let invoice: LedgerInvoice;
  if (existing) {
    invoice = Object.assign(existing, fields);
    await em.nativeDelete(LedgerInvoiceLine, { invoiceId: invoice.id });
  } else {
    invoice = em.create(LedgerInvoice, { id: randomUUID(), ...fields, status: 'draft', createdAt: now });
  }
  for (const line of prepared.lines) {
    em.create(LedgerInvoiceLine, {
      id: undefined as unknown as number,
      invoiceId: invoice.id,
      position: line.position,
      description: line.description.slice(0, 500),
      quantity: fixed(line.quantity, 6),
      unitPrice: fixed(line.unitPrice, 6),
      amount: fixed(line.amount, 6),
      family: line.family,
      familyMatched: line.matched,
      periodStart: line.periodStart,
    });
  }
  await em.flush();
  return invoice;
}

/** Revenue per family in cents from the stored lines (adds up to the subtotal of an unflagged invoice). */
export async function revenueByFamily(em: EntityManager, invoice: LedgerInvoice): Promise<[string, Decimal][]> {
  const lines = await em.find(LedgerInvoiceLine, { invoiceId: invoice.id }, { orderBy: { position: 'asc' } });
  const exact = new Map<string, Decimal>();
  for (const line of lines) exact.set(line.family, (exact.get(line.family) ?? ZERO).plus(String(line.amount)));
  return allocateCents([...exact.entries()], new Dec(String(invoice.subtotal)));
}

/**
 * Post a draft: receivable / revenue by family / tax, as one immutable entry. Refused while a
 * blocking flag stands (tax or subtotal mismatch): such an invoice is never posted silently.
 */
export async function postLedgerInvoice(em: EntityManager, invoice: LedgerInvoice, postedBy = 'system'): Promise<JournalEntry | null> {
  if (invoice.status !== 'draft') throw new ConflictError(`invoice ${invoice.number ?? invoice.sourceKey} is already ${invoice.status}`);
  if (isBlocked(invoice.flagList())) {
    throw new ConflictError(`invoice ${invoice.number ?? invoice.sourceKey} is flagged (${invoice.problemList().join('; ')}); fix it at the source and ingest again`);
  }
  const memo = `Invoice ${invoice.number ?? invoice.externalId ?? invoice.id}`;
  const posting = invoicePosting({
    currency: invoice.currency,
    customerEmail: invoice.customerEmail,
    revenueByFamily: await revenueByFamily(em, invoice),
    tax: new Dec(String(invoice.tax)),
    memo,
  });
  if (posting.lines.length === 0) {
    // A $0 invoice (a free plan's period): posted, with nothing to book.
    invoice.status = 'posted';
    invoice.postedAt = new Date();
    invoice.updatedAt = new Date();
    await em.flush();
    return null;
  }
  const entry = await postEntry(em, {
    sourceType: 'invoice',
    sourceId: invoice.sourceKey,
    revision: invoice.revision,
    description: `${memo} — ${invoice.customerEmail}`,
    effectiveAt: invoice.issuedAt,
    postedBy,
    customerEmail: invoice.customerEmail,
    ledgerInvoiceId: invoice.id,
  }, posting);
  invoice.status = 'posted';
  invoice.entryId = entry.id;
  invoice.postedAt = entry.postedAt;
  invoice.updatedAt = new Date();
  await em.flush();
  return entry;
}

/**
 * A credit note against a posted invoice: revenue (split like the invoice's) and tax reversed
 * for the credited amount, the customer's receivable reduced. `amount` includes tax.
 */
export async function postCreditNote(em: EntityManager, invoice: LedgerInvoice, credit: { id: string; number: string; amount: Decimal; at: Date }, postedBy = 'system'): Promise<JournalEntry> {
  if (invoice.status !== 'posted') throw new ConflictError(`invoice ${invoice.number ?? invoice.sourceKey} is ${invoice.status}; only posted invoices are credited`);
  const total = new Dec(String(invoice.total));
  const share = total.isZero() ? ZERO : credit.amount.div(total);
  const tax = roundHalfUp(new Dec(String(invoice.tax)).mul(share), MONEY_SCALE);
  const revenue = await revenueByFamily(em, invoice);
  const memo = `Credit note ${credit.number} on invoice ${invoice.number ?? invoice.externalId ?? invoice.id}`;
  return postEntry(em, {
    sourceType: 'credit_note',
    sourceId: credit.id,
    description: `${memo} — ${invoice.customerEmail}`,
    effectiveAt: credit.at,
    postedBy,
    customerEmail: invoice.customerEmail,
    ledgerInvoiceId: invoice.id,
  }, creditNotePosting({
    currency: invoice.currency,
    customerEmail: invoice.customerEmail,
    revenueByFamily: allocateCents(revenue.map(([family, amount]) => [family, amount.mul(share)] as const), credit.amount.minus(tax)),
    tax,
    memo,
  }));
}
