import type { EntityManager } from '@mikro-orm/core';
import type { EventHandler } from '@switchboard/kit';
import { Invoice } from '../invoices/invoice.js';
import { InvoiceLine } from '../invoices/invoice-line.js';
import { Dec, MONEY_SCALE, fixed } from '../shared/decimal.js';
import { invoiceFingerprint, isBlocked, prepareInvoice } from './invoice-document.js';
import { postCreditNote, postLedgerInvoice, writeDraft } from './invoice-posting.js';
import { findEntry } from './ledger.js';
import { LedgerInvoice } from './ledger-invoice.js';
import { loadRevenueRules } from './revenue-rules.js';
import { reverseEntry } from './reversal.js';

export function billingSourceKey(invoiceId: string): string {
  return `billing:${invoiceId}`;
}

/**
 * The ledger document of an invoice Switchboard issued, posted on first sight (issued invoices
 * need no review: we computed them). Undefined while the invoice is still a draft.
 */
export async function ledgerInvoiceForBilling(em: EntityManager, invoiceId: string): Promise<LedgerInvoice | undefined> {
  const sourceKey = billingSourceKey(invoiceId);
  const existing = await em.findOne(LedgerInvoice, { sourceKey });
  if (existing) return existing;
  const invoice = await em.findOne(Invoice, { id: invoiceId });
  if (!invoice || invoice.status === 'draft' || !invoice.issuedAt) return undefined;
  const lines = await em.find(InvoiceLine, { invoiceId }, { orderBy: { position: 'asc' } });
  const document = {
    currency: invoice.currency,
    subtotal: String(invoice.subtotal),
    tax: '0',
    lines: lines.map((l) => ({ description: l.description, quantity: String(l.quantity), unitPrice: String(l.unitPrice), amount: String(l.amount), periodStart: invoice.periodStart ?? null })),
  };
  const rules = (await loadRevenueRules(em)).map((r) => ({ family: r.family, keyword: r.keyword }));
  const ledgerInvoice = await writeDraft(em, null, {
    sourceKey,
    origin: 'billing',
    serviceId: invoice.serviceId,
    billingInvoiceId: invoice.id,
    number: invoice.number ?? null,
    customerEmail: invoice.customerEmail,
    externalCustomerId: invoice.externalCustomerId,
    subscriptionExternalId: null,
    issuedAt: invoice.issuedAt,
    currency: invoice.currency,
    sourceStatus: invoice.status,
    fingerprint: invoiceFingerprint({ customerKey: invoice.customerEmail, issuedAt: invoice.issuedAt, ...document }),
  }, prepareInvoice(document, rules));
  if (!isBlocked(ledgerInvoice.flagList())) await postLedgerInvoice(em, ledgerInvoice);
  return ledgerInvoice;
}

interface InvoiceEvent {
  invoiceId?: unknown;
  creditNoteId?: unknown;
  number?: unknown;
  amount?: unknown;
}

/**
 * Billing's own invoices in the ledger: issued (`billing.invoice.finalized`) → posted; voided →
 * its entry reversed; credited (`billing.credit_note.created`) → the credit note posted.
 */
export const billingInvoicesToLedger: EventHandler<InvoiceEvent> = {
  name: 'ledger-billing-invoices',
  subjects: ['billing.invoice.finalized', 'billing.invoice.voided', 'billing.credit_note.created'],
  async handle(event, { em }) {
    const invoiceId = typeof event.data?.invoiceId === 'string' ? event.data.invoiceId : '';
    if (!invoiceId) throw new Error(`${event.type} ${event.id} names no invoice`);
    const ledgerInvoice = await ledgerInvoiceForBilling(em, invoiceId);
    if (!ledgerInvoice) throw new Error(`invoice ${invoiceId} is not issued (yet): cannot book ${event.type}`);
    if (event.type === 'billing.invoice.voided') {
      if (ledgerInvoice.status === 'posted' && ledgerInvoice.entryId) {
        await reverseEntry(em, ledgerInvoice.entryId, 'invoice voided', 'system', { invoiceBecomes: 'void' });
      } else if (ledgerInvoice.status === 'draft') {
        ledgerInvoice.status = 'void';
        ledgerInvoice.updatedAt = new Date();
      }
      return;
    }
    if (event.type === 'billing.credit_note.created') {
      const creditNoteId = typeof event.data.creditNoteId === 'string' ? event.data.creditNoteId : '';
      const amount = typeof event.data.amount === 'string' ? new Dec(event.data.amount) : undefined;
      if (!creditNoteId || !amount) throw new Error(`credit note event ${event.id} lacks creditNoteId or amount`);
      if (await findEntry(em, 'credit_note', creditNoteId)) return;
      await postCreditNote(em, ledgerInvoice, {
        id: creditNoteId,
        number: typeof event.data.number === 'string' ? event.data.number : creditNoteId,
        amount: new Dec(fixed(amount, MONEY_SCALE)),
        at: new Date(event.time),
      });
    }
  },
};
