import type { EntityManager } from '@mikro-orm/core';
import { Dec } from '../shared/decimal.js';
import { ConflictError, InputError, NotFoundError } from '../shared/validation.js';
import { JournalEntry } from './journal-entry.js';
import { JournalLine } from './journal-line.js';
import { storeEntry } from './ledger.js';
import { LedgerInvoice } from './ledger-invoice.js';
import { LedgerPayment } from './ledger-payment.js';

/**
 * Correct a posted entry the only way the ledger allows: a new entry with every line on the other
 * side. The documents follow: a reversed invoice goes back to draft (the next ingest rewrites it
 * from the source and it can be posted again as the next revision) or to void (when its issuer
 * voided it); a reversed payment is `reversed`; a reversed application sends the payment back to
 * suspense. Reversals themselves are not reversed: post the correct entry instead.
 */
export async function reverseEntry(
  em: EntityManager,
  entryId: string,
  reason: string,
  by: string,
  options: { invoiceBecomes?: 'draft' | 'void' } = {},
): Promise<JournalEntry> {
  const why = reason.trim();
  if (!why) throw new InputError('reason', 'is required: say why the entry is reversed');
  const entry = await em.findOne(JournalEntry, { id: entryId });
  if (!entry) throw new NotFoundError(`no journal entry ${entryId}`);
  if (entry.sourceType === 'reversal') throw new ConflictError(`${entry.number} is itself a reversal; post the correct entry instead`);
  if (await em.count(JournalEntry, { reversesEntryId: entry.id })) throw new ConflictError(`${entry.number} is already reversed`);

  const payment = entry.ledgerPaymentId ? await em.findOne(LedgerPayment, { id: entry.ledgerPaymentId }) : null;
  if ((entry.sourceType === 'payment' || entry.sourceType === 'refund') && payment?.applyEntryId) {
    const applied = await em.count(JournalEntry, { reversesEntryId: payment.applyEntryId });
    if (!applied) throw new ConflictError(`reverse the application of ${entry.number}'s payment to its invoice first`);
  }

  const lines = await em.find(JournalLine, { entryId: entry.id }, { orderBy: { position: 'asc' } });
  const memo = `Reversal of ${entry.number}: ${why}`.slice(0, 300);
  const reversal = await storeEntry(em, {
    sourceType: 'reversal',
    sourceId: entry.id,
    description: memo,
    effectiveAt: new Date(),
    postedBy: by,
    customerEmail: entry.customerEmail ?? null,
    ledgerInvoiceId: entry.ledgerInvoiceId ?? null,
    ledgerPaymentId: entry.ledgerPaymentId ?? null,
    reversesEntryId: entry.id,
  }, entry.currency, lines.map((l) => ({
    accountId: l.accountId,
    debit: new Dec(String(l.credit)),
    credit: new Dec(String(l.debit)),
    customerEmail: l.customerEmail ?? null,
    memo,
  })));

  if (entry.sourceType === 'invoice' && entry.ledgerInvoiceId) {
    const invoice = await em.findOneOrFail(LedgerInvoice, { id: entry.ledgerInvoiceId });
    if (invoice.entryId === entry.id) {
      invoice.status = options.invoiceBecomes ?? 'draft';
      invoice.entryId = null;
      invoice.postedAt = null;
      invoice.revision += 1;
      invoice.updatedAt = new Date();
    }
  } else if ((entry.sourceType === 'payment' || entry.sourceType === 'refund') && payment) {
    payment.status = 'reversed';
  } else if (entry.sourceType === 'suspense_application' && payment) {
    payment.status = 'unmatched';
    payment.ledgerInvoiceId = null;
    payment.applyEntryId = null;
    payment.appliedAt = null;
    payment.appliedBy = null;
    payment.unmatchedReason = `application reversed: ${why}`.slice(0, 300);
  }
  await em.flush();
  return reversal;
}
