import { randomUUID } from 'node:crypto';
import { isCurrency } from '@switchboard/kit';
import { AccountLink } from '../accounts/account-link.js';
import type { BillingService } from '../services/billing-service.js';
import { Dec, fixed, MONEY_SCALE, RATE_SCALE, parseDecimal, ZERO } from '../shared/decimal.js';
import { ConflictError, InputError, text, UnresolvedError } from '../shared/validation.js';
import { QUANTITY_SCALE } from '../rating/quantities.js';
import { CreditNote } from './credit-note.js';
import { Invoice } from './invoice.js';
import { invoiceAnnounced, type InvoiceAnnounced } from './invoice-events.js';
import { InvoiceLine } from './invoice-line.js';
import { nextCreditNoteNumber } from './invoice-numbers.js';
import { amountDue, canVoid, checkCredit, oneOffLineAmount, type OneOffLineInput } from './invoice-rules.js';
import { issueInvoice, type Tx } from './invoicing.js';

export interface OneOffInput {
  external_customer_id?: unknown;
  currency?: unknown;
  lines?: unknown;
}

const MAX_LINES = 100;

function checkLines(value: unknown): OneOffLineInput[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LINES) throw new InputError('lines', `must be an array of 1–${MAX_LINES} lines`);
  return value.map((raw, index) => {
    const line = (raw ?? {}) as Record<string, unknown>;
    const description = text(line.description, 300);
    if (!description) throw new InputError(`lines[${index}].description`, 'must be 1–300 characters');
    const quantity = parseDecimal(line.quantity ?? '1', QUANTITY_SCALE);
    if (!quantity || quantity.lte(0)) throw new InputError(`lines[${index}].quantity`, `must be a positive decimal with at most ${QUANTITY_SCALE} decimal places`);
    const unitPrice = parseDecimal(line.unit_price, RATE_SCALE);
    if (!unitPrice || unitPrice.isNegative()) throw new InputError(`lines[${index}].unit_price`, `must be a non-negative decimal string with at most ${RATE_SCALE} decimal places`);
    return { description, quantity, unitPrice };
  });
}

/** A one-off invoice (token pack, throttle-removal fee): issued at once, outside any period. */
export async function createOneOffInvoice(tx: Tx, service: BillingService, input: OneOffInput, now = new Date()): Promise<Invoice> {
  const customerId = text(input.external_customer_id, 200);
  if (!customerId) throw new InputError('external_customer_id', 'must be a non-empty string of at most 200 characters');
  const currency = typeof input.currency === 'string' ? input.currency.toUpperCase() : '';
  if (!isCurrency(currency)) throw new InputError('currency', 'must be an ISO 4217 code such as USD or CAD');
  const lines = checkLines(input.lines);
  const link = await tx.em.findOne(AccountLink, { serviceId: service.id, externalId: customerId });
  if (!link) throw new UnresolvedError('external_customer_id', `names no customer of this service: ${customerId} (POST /customers first)`);

  const amounts = lines.map(oneOffLineAmount);
  const exact = lines.map((line) => line.quantity.mul(line.unitPrice));
  const invoice = tx.em.create(Invoice, {
    id: randomUUID(),
    serviceId: service.id,
    customerEmail: link.email,
    externalCustomerId: link.externalId,
    kind: 'one_off',
    currency,
    subtotal: fixed(amounts.reduce((sum, a) => sum.plus(a), ZERO), MONEY_SCALE),
    exactTotal: fixed(exact.reduce((sum, a) => sum.plus(a), ZERO), RATE_SCALE),
  });
  tx.em.persist(invoice);
  lines.forEach((line, position) =>
    tx.em.persist(tx.em.create(InvoiceLine, {
      invoiceId: invoice.id,
      position,
      kind: 'one_off',
      description: line.description,
      quantity: fixed(line.quantity, QUANTITY_SCALE),
      billableQuantity: fixed(line.quantity, QUANTITY_SCALE),
      unitPrice: fixed(line.unitPrice, RATE_SCALE),
      exactAmount: fixed(exact[position]!, RATE_SCALE),
      amount: fixed(amounts[position]!, MONEY_SCALE),
    })),
  );
  await issueInvoice(tx, invoice, service, now);
  return invoice;
}

/** Void an issued, unpaid invoice; nothing is owed on it any more. */
export async function voidInvoice(tx: Tx, service: BillingService, invoice: Invoice, now = new Date()): Promise<Invoice> {
  const allowed = canVoid(invoice.status);
  if (!allowed.ok) throw new ConflictError(`cannot void invoice ${invoice.number ?? invoice.id}: ${allowed.reason}`);
  invoice.status = 'void';
  invoice.voidedAt = now;
  invoice.updatedAt = now;
  tx.events.emit<InvoiceAnnounced>('billing.invoice.voided', invoiceAnnounced(invoice, service, '0.00', `${service.name} invoice ${invoice.number} voided`), { subject: invoice.id });
  return invoice;
}

export interface CreditNoteInput {
  invoice_id?: unknown;
  amount?: unknown;
  reason?: unknown;
}

/** Credit all (default) or part of an issued invoice; the credited total never exceeds the invoice. */
export async function createCreditNote(tx: Tx, service: BillingService, invoice: Invoice, input: CreditNoteInput, now = new Date()): Promise<CreditNote> {
  const reason = text(input.reason, 500);
  if (!reason) throw new InputError('reason', 'must be 1–500 characters');
  const remaining = new Dec(String(invoice.subtotal)).minus(String(invoice.creditedAmount));
  const amount = input.amount === undefined || input.amount === null ? remaining : parseDecimal(input.amount, MONEY_SCALE);
  if (!amount) throw new InputError('amount', 'must be a decimal string with at most 2 decimal places');
  const allowed = checkCredit(invoice, amount);
  if (!allowed.ok) throw (invoice.status === 'open' || invoice.status === 'paid') ? new InputError('amount', allowed.reason) : new ConflictError(allowed.reason);
  const note = tx.em.create(CreditNote, {
    id: randomUUID(),
    number: await nextCreditNoteNumber(tx.em, service, now),
    invoiceId: invoice.id,
    serviceId: service.id,
    amount: fixed(amount, MONEY_SCALE),
    currency: invoice.currency,
    reason,
    createdAt: now,
  });
  tx.em.persist(note);
  invoice.creditedAmount = fixed(new Dec(String(invoice.creditedAmount)).plus(amount), MONEY_SCALE);
  invoice.updatedAt = now;
  tx.events.emit('billing.credit_note.created', {
    creditNoteId: note.id,
    number: note.number,
    invoiceId: invoice.id,
    invoiceNumber: invoice.number ?? null,
    serviceCode: service.code,
    customerEmail: invoice.customerEmail,
    amount: note.amount,
    currency: note.currency,
    amountDue: fixed(amountDue(invoice), MONEY_SCALE),
    reason,
  }, { subject: invoice.id });
  return note;
}
