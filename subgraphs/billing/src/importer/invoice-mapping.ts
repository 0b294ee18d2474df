import { isCurrency, normalizeEmail } from '@switchboard/kit';
import { Dec } from '../shared/decimal.js';
import type { InvoiceInput } from '../ledger/invoice-document.js';
import { RowError } from './catalog-mapping.js';
import type { SourceInvoice } from './source-reader.js';

/**
 * What the ingest does with one of the app's invoices, before looking at the ledger (pure):
 * void and draft invoices are not booked, $0 invoices have nothing to book, everything else is
 * checked and turned into the ledger's input. Currency comes from the source.
 */
export type SourceDisposition =
  | { action: 'skip'; reason: string; void: boolean }
  | { action: 'ingest'; invoice: CheckedSourceInvoice };

export interface CheckedSourceInvoice {
  externalId: string;
  userExternalId: string;
  customerEmail: string | null;
  customerName: string | null;
  issuedAt: Date;
  currency: string;
  status: string;
  document: InvoiceInput;
  /** What the source says was paid, to the cent (status `paid` with no amount = paid in full). */
  paid: Dec;
  paidAt: Date | null;
}

function amount(value: string | null, field: string, id: string): string {
  if (value === null || value === undefined || !/^-?\d+(\.\d+)?$/.test(String(value).trim())) {
    throw new RowError(`invoice ${id}: ${field} "${value ?? ''}" is not a decimal amount`);
  }
  return String(value).trim();
}

export function checkSourceInvoice(row: SourceInvoice): SourceDisposition {
  const externalId = (row.id ?? '').trim();
  if (!externalId) throw new RowError('invoice row without an id');
  const status = (row.status ?? '').trim().toLowerCase();
  if (status === 'void' || status === 'voided') return { action: 'skip', reason: 'void at source', void: true };
  if (status === 'draft') return { action: 'skip', reason: 'draft at source (not issued yet)', void: false };
  const userExternalId = (row.user_external_id ?? '').trim();
  if (!userExternalId) throw new RowError(`invoice ${externalId} has no user`);
  const currency = (row.currency ?? '').trim().toUpperCase();
  if (!isCurrency(currency)) throw new RowError(`invoice ${externalId}: currency "${row.currency ?? ''}" is not an ISO 4217 code`);
  if (!row.invoice_date) throw new RowError(`invoice ${externalId} has no date`);
  const subtotal = amount(row.subtotal, 'subtotal', externalId);
  const tax = amount(row.tax ?? '0', 'tax', externalId);
  // Zero to the cent: the ledger books whole cents, so 0.0001 is nothing to book either.
  if (new Dec(subtotal).toDecimalPlaces(2, Dec.ROUND_HALF_UP).isZero() && new Dec(tax).toDecimalPlaces(2, Dec.ROUND_HALF_UP).isZero()) {
    return { action: 'skip', reason: 'zero amount (nothing to book)', void: false };
  }
  const total = new Dec(subtotal).plus(tax).toDecimalPlaces(2, Dec.ROUND_HALF_UP);
  const reported = row.amount_paid === null || row.amount_paid === undefined || String(row.amount_paid).trim() === ''
    ? new Dec(0)
    : new Dec(amount(row.amount_paid, 'amount_paid', externalId)).toDecimalPlaces(2, Dec.ROUND_HALF_UP);
  const paid = reported.gt(0) ? reported : status === 'paid' ? total : new Dec(0);
  return {
    action: 'ingest',
    invoice: {
      externalId,
      userExternalId,
      customerEmail: normalizeEmail(row.partner_email ?? '') ?? null,
      customerName: (row.partner_company ?? row.partner_name ?? '').trim() || null,
      issuedAt: row.invoice_date,
      currency,
      status: status || 'open',
      document: {
        currency,
        subtotal,
        tax,
        lines: row.items.map((item) => ({
          description: item.description,
          quantity: item.quantity,
          unitPrice: item.unit_price,
          amount: item.amount,
          periodStart: item.period_start,
        })),
      },
      paid,
      paidAt: row.paid_at,
    },
  };
}
