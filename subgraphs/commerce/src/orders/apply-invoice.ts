import { shopTime } from '../prestashop/ps-values.js';
import { freshness, PROCESSED, type ApplyContext, type ApplyOutcome, type EventMeta } from '../prestashop/processing-types.js';
import type { ProcessingStore } from '../prestashop/processing-store.js';
import { orderIdOf } from './order.js';
import { OrderInvoice } from './order-invoice.js';
import type { InvoicePayload } from './order-payload.js';
import { stored } from './order-snapshot.js';

/**
 * An invoice event. `invoice_number_assigned` (actionSetInvoice) carries only the number, so it
 * updates the number and leaves the totals alone; every other action is a full snapshot.
 */
export function applyInvoiceEvent(store: ProcessingStore, ctx: ApplyContext, meta: EventMeta, invoice: InvoicePayload): ApplyOutcome {
  const existing = store.invoices.get(invoice.id);
  const stale = freshness(existing, meta);
  if (stale) return stale;
  const row = existing ?? store.add(Object.assign(new OrderInvoice(), { id: invoice.id, createdAt: ctx.now }));
  // PrestaShop numbers an invoice 0 until it assigns the real number.
  const number = invoice.number && invoice.number !== '0' ? invoice.number : null;
  if (meta.actionType === 'invoice_number_assigned') {
    Object.assign(row, { orderId: orderIdOf(invoice.id_order), number: number ?? row.number ?? null });
  } else {
    Object.assign(row, {
      orderId: orderIdOf(invoice.id_order),
      number,
      totalPaidTaxIncl: stored(invoice.total_paid_tax_incl),
      totalPaidTaxExcl: stored(invoice.total_paid_tax_excl),
      issuedAt: shopTime(invoice.date_add, ctx.config.timezone),
      lines: invoice.invoice_lines ? JSON.stringify(invoice.invoice_lines) : row.lines ?? null,
    });
  }
  Object.assign(row, { lastEventId: meta.sourceEventId, contentHash: meta.contentHash, updatedAt: ctx.now });
  store.invoices.set(row.id, row);
  return PROCESSED;
}
