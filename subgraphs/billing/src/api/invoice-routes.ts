import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { FastifyInstance } from 'fastify';
import type { BillingDeps } from '../deps.js';
import { CreditNote } from '../invoices/credit-note.js';
import { createCreditNote, createOneOffInvoice, voidInvoice, type CreditNoteInput, type OneOffInput } from '../invoices/invoice-actions.js';
import { renderInvoiceDocument } from '../invoices/invoice-document.js';
import { invoiceAnnounced, type InvoiceAnnounced } from '../invoices/invoice-events.js';
import { INVOICE_STATUSES, Invoice, type InvoiceStatus } from '../invoices/invoice.js';
import { InvoiceLine } from '../invoices/invoice-line.js';
import { amountDue, canRecordPayment } from '../invoices/invoice-rules.js';
import { fixed, MONEY_SCALE } from '../shared/decimal.js';
import { ConflictError, InputError, NotFoundError } from '../shared/validation.js';
import { findSubscription } from '../subscriptions/subscriptions.js';
import { AccountLink } from '../accounts/account-link.js';
import { serviceOf } from './api-auth.js';
import { creditNoteJson, invoiceJson, listLimit } from './serializers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An invoice of this service by id or number; any other service's invoice is "not found". */
async function mustFindInvoice(em: EntityManager, serviceId: string, ref: string): Promise<Invoice> {
  const invoice = UUID.test(ref) ? await em.findOne(Invoice, { id: ref.toLowerCase(), serviceId }) : await em.findOne(Invoice, { number: ref, serviceId });
  if (!invoice) throw new NotFoundError(`no invoice ${ref} at this service`);
  return invoice;
}

async function detailed(em: EntityManager, invoice: Invoice) {
  const lines = await em.find(InvoiceLine, { invoiceId: invoice.id }, { orderBy: { position: 'asc' } });
  const notes = await em.find(CreditNote, { invoiceId: invoice.id }, { orderBy: { createdAt: 'asc' } });
  return invoiceJson(invoice, lines, notes);
}

export async function invoiceRoutes(app: FastifyInstance, deps: BillingDeps): Promise<void> {
  /** A one-off invoice, issued at once. */
  app.post('/invoices', async (request, reply) => {
    const service = serviceOf(request);
    const json = await deps.transaction(async (tx) => detailed(tx.em, await createOneOffInvoice(tx, service, (request.body ?? {}) as OneOffInput)));
    return reply.code(201).send({ invoice: json });
  });

  app.get<{ Querystring: { status?: string; external_customer_id?: string; subscription_id?: string; limit?: string; offset?: string } }>('/invoices', async (request) => {
    const service = serviceOf(request);
    const em = deps.db.em();
    const { status, external_customer_id: customerId, subscription_id: subscriptionRef } = request.query;
    if (status !== undefined && !INVOICE_STATUSES.includes(status as InvoiceStatus)) throw new InputError('status', `must be one of ${INVOICE_STATUSES.join(', ')}`);
    const offset = Number(request.query.offset ?? 0);
    if (!Number.isInteger(offset) || offset < 0) throw new InputError('offset', 'must be a non-negative integer');
    const where: FilterQuery<Invoice> = { serviceId: service.id, ...(status ? { status: status as InvoiceStatus } : {}) };
    if (customerId !== undefined) {
      const link = await em.findOne(AccountLink, { serviceId: service.id, externalId: customerId });
      if (!link) return { invoices: [] };
      where.customerEmail = link.email;
    }
    if (subscriptionRef !== undefined) {
      const subscription = await findSubscription(em, service.id, subscriptionRef);
      if (!subscription) return { invoices: [] };
      where.subscriptionId = subscription.id;
    }
    const rows = await em.find(Invoice, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: listLimit(request.query.limit), offset });
    return { invoices: rows.map((invoice) => invoiceJson(invoice)) };
  });

  app.get<{ Params: { id: string } }>('/invoices/:id', async (request) => {
    const em = deps.db.em();
    return { invoice: await detailed(em, await mustFindInvoice(em, serviceOf(request).id, request.params.id)) };
  });

  /** The invoice as a printable HTML document. */
  app.post<{ Params: { id: string } }>('/invoices/:id/download', async (request, reply) => {
    const service = serviceOf(request);
    const em = deps.db.em();
    const invoice = await mustFindInvoice(em, service.id, request.params.id);
    const document = renderInvoiceDocument(service, await detailed(em, invoice));
    return reply
      .type('text/html; charset=utf-8')
      .header('content-disposition', `attachment; filename="${invoice.number ?? invoice.id}.html"`)
      .send(document);
  });

  /**
   * Ask for another collection attempt of an open invoice: `billing.invoice.payment_requested`
   * for the payments side; the outcome comes back as a payment event. 202: it happens later.
   */
  app.post<{ Params: { id: string } }>('/invoices/:id/retry_payment', async (request, reply) => {
    const service = serviceOf(request);
    const json = await deps.transaction(async (tx) => {
      const invoice = await mustFindInvoice(tx.em, service.id, request.params.id);
      const allowed = canRecordPayment(invoice.status);
      if (!allowed.ok) throw new ConflictError(`cannot retry the payment: ${allowed.reason}`);
      const due = fixed(amountDue(invoice), MONEY_SCALE);
      const summary = `retry payment of ${service.name} invoice ${invoice.number} (${due} ${invoice.currency})`;
      tx.events.emit<InvoiceAnnounced>('billing.invoice.payment_requested', invoiceAnnounced(invoice, service, due, summary), { subject: invoice.id });
      return invoiceJson(invoice);
    });
    return reply.code(202).send({ invoice: json });
  });

  app.post<{ Params: { id: string } }>('/invoices/:id/void', async (request) => {
    const service = serviceOf(request);
    const json = await deps.transaction(async (tx) => detailed(tx.em, await voidInvoice(tx, service, await mustFindInvoice(tx.em, service.id, request.params.id))));
    return { invoice: json };
  });

  /** Credit all or part of an issued invoice (the reversal of an invoice, fully or partly). */
  app.post('/credit_notes', async (request, reply) => {
    const service = serviceOf(request);
    const body = (request.body ?? {}) as CreditNoteInput;
    if (typeof body.invoice_id !== 'string' || !body.invoice_id) throw new InputError('invoice_id', 'must name an invoice (id or number)');
    const invoiceId = body.invoice_id;
    const note = await deps.transaction(async (tx) => createCreditNote(tx, service, await mustFindInvoice(tx.em, service.id, invoiceId), body));
    return reply.code(201).send({ credit_note: creditNoteJson(note) });
  });
}
