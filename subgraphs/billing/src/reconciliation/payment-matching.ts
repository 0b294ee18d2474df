import type { Decimal } from '@switchboard/kit';

/**
 * Payments ↔ invoices (pure). A payment booked on its invoice is matched. A parked (suspense)
 * payment is matched by an exact reference to one invoice (its number, the app's id, the
 * provider's id, our id), else suggested when exactly one open invoice of the same currency (and
 * customer, when the payment names one) has that open amount and was issued within the window
 * before the payment (or up to 3 days after: clocks and batch runs disagree). Each invoice takes
 * at most one suggestion. What is left is listed as unmatched, on both sides.
 */

export interface PaymentFact {
  id: string;
  kind: 'charge' | 'refund';
  status: 'applied' | 'unmatched';
  amount: Decimal;
  currency: string;
  occurredAt: Date;
  invoiceId: string | null;
  reference: string | null;
  customerEmail: string | null;
}

export interface InvoiceFact {
  id: string;
  references: string[];
  customerEmail: string;
  currency: string;
  issuedAt: Date;
  /** Total − net payments applied (credit notes included in the total's reduction). */
  open: Decimal;
}

export type PaymentMatchLine =
  | { kind: 'matched'; paymentId: string; invoiceId: string; method: 'booked' | 'reference' }
  | { kind: 'suggested'; paymentId: string; invoiceId: string; method: 'amount_date' }
  | { kind: 'unmatched_payment'; paymentId: string; reason: string }
  | { kind: 'unmatched_invoice'; invoiceId: string; reason: string };

const DAY_MS = 86_400_000;
const EARLY_DAYS = 3;

export function matchPayments(payments: readonly PaymentFact[], invoices: readonly InvoiceFact[], windowDays: number): PaymentMatchLine[] {
  const lines: PaymentMatchLine[] = [];
  const byReference = new Map<string, InvoiceFact[]>();
  for (const invoice of invoices) {
    for (const ref of new Set(invoice.references.map((r) => r.trim()).filter(Boolean))) {
      byReference.set(ref, [...(byReference.get(ref) ?? []), invoice]);
    }
  }
  const settled = new Set<string>();
  const taken = new Set<string>();

  for (const payment of payments) {
    if (payment.status === 'applied' && payment.invoiceId) {
      lines.push({ kind: 'matched', paymentId: payment.id, invoiceId: payment.invoiceId, method: 'booked' });
      settled.add(payment.invoiceId);
    }
  }
  const parked = payments.filter((p) => p.status === 'unmatched').sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const needsAmountMatch: PaymentFact[] = [];
  for (const payment of parked) {
    const candidates = (payment.reference ? byReference.get(payment.reference.trim()) ?? [] : []).filter((i) => i.currency === payment.currency);
    if (candidates.length === 1) {
      lines.push({ kind: 'matched', paymentId: payment.id, invoiceId: candidates[0]!.id, method: 'reference' });
      taken.add(candidates[0]!.id);
    } else if (payment.kind === 'refund') {
      lines.push({ kind: 'unmatched_payment', paymentId: payment.id, reason: 'refund without a resolvable invoice reference' });
    } else {
      needsAmountMatch.push(payment);
    }
  }
  for (const payment of needsAmountMatch) {
    const from = payment.occurredAt.getTime() - windowDays * DAY_MS;
    const to = payment.occurredAt.getTime() + EARLY_DAYS * DAY_MS;
    const candidates = invoices.filter((i) =>
      !taken.has(i.id) && i.currency === payment.currency && i.open.eq(payment.amount)
      && (!payment.customerEmail || i.customerEmail === payment.customerEmail)
      && i.issuedAt.getTime() >= from && i.issuedAt.getTime() <= to);
    if (candidates.length === 1) {
      lines.push({ kind: 'suggested', paymentId: payment.id, invoiceId: candidates[0]!.id, method: 'amount_date' });
      taken.add(candidates[0]!.id);
    } else {
      lines.push({
        kind: 'unmatched_payment',
        paymentId: payment.id,
        reason: candidates.length > 1
          ? `${candidates.length} open invoices have this amount in the date window: apply it by hand`
          : 'no invoice matches its reference, or its amount within the date window',
      });
    }
  }
  for (const invoice of invoices) {
    if (taken.has(invoice.id)) continue;
    if (invoice.open.gt(0)) {
      lines.push({ kind: 'unmatched_invoice', invoiceId: invoice.id, reason: settled.has(invoice.id) ? 'partly paid' : 'no payment' });
    } else if (invoice.open.lt(0)) {
      lines.push({ kind: 'unmatched_invoice', invoiceId: invoice.id, reason: 'overpaid: more was received than invoiced' });
    }
  }
  return lines;
}
