import type { EntityManager } from '@mikro-orm/core';
import type { Database } from '@switchboard/kit';
import type { Progress } from '../importer/background-runs.js';
import { count, emptySummary, note, type RunSummary } from '../importer/run-summary.js';
import { LedgerInvoice } from '../ledger/ledger-invoice.js';
import { LedgerPayment } from '../ledger/ledger-payment.js';
import { applySuspensePayment, paidByInvoice } from '../ledger/payments.js';
import { Dec, MONEY_SCALE, ZERO, fixed } from '../shared/decimal.js';
import { PaymentMatch } from './payment-match.js';
import { matchPayments, type InvoiceFact, type PaymentFact } from './payment-matching.js';

/**
 * Payments ↔ invoices for every posted invoice (of one service, or all): exact references are
 * applied from suspense at once (the invoice was posted after the payment arrived); amount/date
 * fits are suggested for a person; the unmatched on both sides are listed with the run.
 */
export async function reconcilePayments(
  db: Database,
  input: { runId: string; serviceId?: string | null; windowDays: number; appliedBy: string },
  progress?: Progress,
): Promise<RunSummary> {
  const summary = emptySummary(false);
  const em = db.em();
  const invoices = await em.find(LedgerInvoice, { status: 'posted', ...(input.serviceId ? { serviceId: input.serviceId } : {}) });
  const paid = await paidByInvoice(em, invoices.map((i) => i.id));
  const payments = await em.find(LedgerPayment, { status: { $in: ['applied', 'unmatched'] } });
  const invoiceIds = new Set(invoices.map((i) => i.id));
  const relevant = payments.filter((p) => p.status === 'unmatched' || (p.ledgerInvoiceId && invoiceIds.has(p.ledgerInvoiceId)));
  progress?.setTotal(relevant.length + invoices.length);

  const invoiceFacts: InvoiceFact[] = invoices.map((i) => ({
    id: i.id,
    references: [i.id, i.billingInvoiceId, i.number, i.externalId, i.providerInvoiceId].filter((r): r is string => Boolean(r)),
    customerEmail: i.customerEmail,
    currency: i.currency,
    issuedAt: i.issuedAt,
    open: new Dec(String(i.total)).minus(paid.get(i.id) ?? ZERO),
  }));
  const paymentFacts: PaymentFact[] = relevant.map((p) => ({
    id: p.id,
    kind: p.kind,
    status: p.status as 'applied' | 'unmatched',
    amount: new Dec(String(p.amount)),
    currency: p.currency,
    occurredAt: p.occurredAt,
    invoiceId: p.ledgerInvoiceId ?? null,
    reference: p.invoiceReference ?? null,
    customerEmail: p.customerEmail ?? null,
  }));
  const lines = matchPayments(paymentFacts, invoiceFacts, input.windowDays);
  const paymentById = new Map(relevant.map((p) => [p.id, p]));
  const invoiceById = new Map(invoiceFacts.map((i) => [i.id, i]));

  const rows: Omit<PaymentMatch, 'id'>[] = [];
  for (const line of lines) {
    if (line.kind === 'matched' && line.method === 'reference') {
      try {
        await db.em().transactional((tx: EntityManager) => applySuspensePayment(tx, line.paymentId, line.invoiceId, input.appliedBy));
        count(summary.updated, 'payments applied');
      } catch (error) {
        note(summary, 'failed', { kind: 'payment', id: line.paymentId, reason: (error as Error).message });
        continue;
      }
    }
    const payment = 'paymentId' in line ? paymentById.get(line.paymentId) : undefined;
    const invoice = 'invoiceId' in line ? invoiceById.get(line.invoiceId) : undefined;
    rows.push({
      runId: input.runId,
      kind: line.kind,
      ledgerPaymentId: payment?.id ?? null,
      ledgerInvoiceId: invoice?.id ?? null,
      method: 'method' in line ? line.method : null,
      amount: fixed(payment ? String(payment.amount) : invoice!.open, MONEY_SCALE),
      currency: payment?.currency ?? invoice!.currency,
      reason: 'reason' in line ? line.reason : null,
    });
    count(summary.created, line.kind);
  }
  const writer = db.em();
  for (let start = 0; start < rows.length; start += 1_000) {
    await writer.insertMany(PaymentMatch, rows.slice(start, start + 1_000));
  }
  progress?.advance(relevant.length + invoices.length);
  summary.figures = Object.fromEntries(Object.entries(summary.created).map(([k, v]) => [k, String(v)]));
  return summary;
}
