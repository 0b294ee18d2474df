import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Decimal } from '@switchboard/kit';
import { Dec, MONEY_SCALE, ZERO, fixed } from '../shared/decimal.js';
import { ConflictError, NotFoundError } from '../shared/validation.js';
import { normalizeChannel } from './accounts.js';
import { JournalEntry } from './journal-entry.js';
import { postEntry } from './ledger.js';
import { LedgerInvoice } from './ledger-invoice.js';
import { LedgerPayment, type LedgerPaymentKind } from './ledger-payment.js';
import { paymentPosting, refundPosting, suspenseApplicationPosting } from './posting-rules.js';

export interface PaymentToBook {
  /** Unique per source: `payments:<id>` or `import:<service>:<invoice>:paid:<cumulative>`. */
  sourceKey: string;
  paymentId?: string | null;
  kind: LedgerPaymentKind;
  provider: string;
  amount: Decimal;
  currency: string;
  occurredAt: Date;
  /** The invoice it settles, when one was found. */
  invoice: LedgerInvoice | null;
  /** Why no invoice was found (kept on the payment; listed for reconciliation). */
  unmatchedReason?: string;
  invoiceReference?: string | null;
  orderId?: string | null;
  customerEmail?: string | null;
  chargeId?: string | null;
  postedBy?: string;
}

/**
 * Book money received (charge) or paid back (refund), once per source. Against a posted invoice in
 * the same currency it moves the customer's receivable; otherwise it is parked in suspense with the
 * reason, to be applied by a person once reconciliation finds its invoice. Partial payments are
 * booked as what they are: the invoice stays open for the rest.
 */
export async function bookPayment(em: EntityManager, input: PaymentToBook): Promise<{ payment: LedgerPayment; created: boolean }> {
  const existing = await em.findOne(LedgerPayment, { sourceKey: input.sourceKey });
  if (existing) return { payment: existing, created: false };
  const provider = normalizeChannel(input.provider);
  let reason = input.unmatchedReason ?? (input.invoice ? undefined : 'no invoice referenced');
  if (input.invoice && input.invoice.status !== 'posted') reason = `invoice ${input.invoice.number ?? input.invoice.sourceKey} is ${input.invoice.status}, not posted`;
  else if (input.invoice && input.invoice.currency !== input.currency) reason = `currency ${input.currency} differs from the invoice's ${input.invoice.currency}`;
  const invoice = reason ? null : input.invoice;
  const id = randomUUID();
  const memo = `${input.kind === 'charge' ? 'Payment' : 'Refund'} ${input.paymentId ?? input.sourceKey}${invoice ? ` on invoice ${invoice.number ?? invoice.externalId ?? invoice.id}` : ' (unmatched)'}`;
  const movement = {
    currency: input.currency,
    amount: input.amount,
    channel: provider,
    customerEmail: invoice?.customerEmail ?? null,
    target: invoice ? 'receivable' as const : 'suspense' as const,
    memo,
  };
  const entry = await postEntry(em, {
    sourceType: input.kind === 'charge' ? 'payment' : 'refund',
    sourceId: input.sourceKey,
    description: memo,
    effectiveAt: input.occurredAt,
    postedBy: input.postedBy,
    customerEmail: invoice?.customerEmail ?? input.customerEmail ?? null,
    ledgerInvoiceId: invoice?.id ?? null,
    ledgerPaymentId: id,
  }, input.kind === 'charge' ? paymentPosting(movement) : refundPosting(movement));
  const payment = em.create(LedgerPayment, {
    id,
    sourceKey: input.sourceKey,
    paymentId: input.paymentId ?? null,
    kind: input.kind,
    provider,
    amount: fixed(input.amount, MONEY_SCALE),
    currency: input.currency,
    status: invoice ? 'applied' : 'unmatched',
    ledgerInvoiceId: invoice?.id ?? null,
    invoiceReference: input.invoiceReference?.slice(0, 200) ?? null,
    orderId: input.orderId?.slice(0, 64) ?? null,
    customerEmail: input.customerEmail ?? invoice?.customerEmail ?? null,
    chargeId: input.chargeId?.slice(0, 200) ?? null,
    unmatchedReason: reason?.slice(0, 300) ?? null,
    occurredAt: input.occurredAt,
    entryId: entry.id,
    appliedAt: invoice ? new Date() : null,
    appliedBy: invoice ? (input.postedBy ?? 'system') : null,
  });
  await em.flush();
  return { payment, created: true };
}

/** A parked payment applied to its invoice at last: suspense → the customer's receivable. */
export async function applySuspensePayment(em: EntityManager, paymentId: string, invoiceId: string, by: string): Promise<LedgerPayment> {
  const payment = await em.findOne(LedgerPayment, { id: paymentId });
  if (!payment) throw new NotFoundError(`no ledger payment ${paymentId}`);
  if (payment.status !== 'unmatched') throw new ConflictError(`payment ${paymentId} is ${payment.status}; only unmatched payments can be applied`);
  const invoice = await em.findOne(LedgerInvoice, { id: invoiceId });
  if (!invoice) throw new NotFoundError(`no ledger invoice ${invoiceId}`);
  if (invoice.status !== 'posted') throw new ConflictError(`invoice ${invoice.number ?? invoice.sourceKey} is ${invoice.status}; payments apply to posted invoices`);
  if (invoice.currency !== payment.currency) throw new ConflictError(`the payment is in ${payment.currency}, the invoice in ${invoice.currency}`);
  const memo = `${payment.kind === 'charge' ? 'Payment' : 'Refund'} ${payment.paymentId ?? payment.sourceKey} applied to invoice ${invoice.number ?? invoice.externalId ?? invoice.id}`;
  // A reversed application may be applied again (to the right invoice): the next revision.
  const earlier = await em.count(JournalEntry, { sourceType: 'suspense_application', sourceId: payment.id });
  const entry = await postEntry(em, {
    sourceType: 'suspense_application',
    sourceId: payment.id,
    revision: earlier + 1,
    description: memo,
    effectiveAt: new Date(),
    postedBy: by,
    customerEmail: invoice.customerEmail,
    ledgerInvoiceId: invoice.id,
    ledgerPaymentId: payment.id,
  }, suspenseApplicationPosting({ currency: payment.currency, amount: new Dec(String(payment.amount)), kind: payment.kind, customerEmail: invoice.customerEmail, memo }));
  payment.status = 'applied';
  payment.ledgerInvoiceId = invoice.id;
  payment.applyEntryId = entry.id;
  payment.appliedAt = new Date();
  payment.appliedBy = by.slice(0, 200);
  payment.unmatchedReason = null;
  await em.flush();
  return payment;
}

/** Net amount applied to each invoice (charges − refunds), summed exactly in decimal. */
export async function paidByInvoice(em: EntityManager, invoiceIds: readonly string[]): Promise<Map<string, Decimal>> {
  const paid = new Map<string, Decimal>();
  if (invoiceIds.length === 0) return paid;
  const payments = await em.find(LedgerPayment, { ledgerInvoiceId: { $in: [...invoiceIds] }, status: 'applied' });
  for (const p of payments) {
    const signed = new Dec(String(p.amount)).mul(p.kind === 'charge' ? 1 : -1);
    paid.set(p.ledgerInvoiceId!, (paid.get(p.ledgerInvoiceId!) ?? ZERO).plus(signed));
  }
  return paid;
}

/**
 * The invoice a payment names: our billing invoice id first, then the ledger id, the provider's
 * invoice id (`in_…`), the invoice number, the app's invoice id. Ambiguous references match nothing.
 */
export async function findInvoiceByReference(em: EntityManager, reference: string): Promise<LedgerInvoice | null> {
  const ref = reference.trim();
  if (!ref) return null;
  for (const field of ['billingInvoiceId', 'id', 'providerInvoiceId', 'number', 'externalId'] as const) {
    const found = await em.find(LedgerInvoice, { [field]: ref }, { limit: 2 });
    if (found.length === 1) return found[0]!;
    if (found.length > 1) return null;
  }
  return null;
}
