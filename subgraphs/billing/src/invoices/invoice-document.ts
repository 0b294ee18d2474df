import type { BillingService } from '../services/billing-service.js';
import type { invoiceJson } from '../api/serializers.js';

const escape = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A self-contained, printable HTML rendering of an invoice (what `download` returns). */
export function renderInvoiceDocument(service: BillingService, invoice: ReturnType<typeof invoiceJson>): string {
  const lines = (invoice.lines ?? [])
    .map((l) => `<tr><td>${escape(l.description)}</td><td class="n">${escape(l.quantity)}</td><td class="n">${escape(l.unit_price)}</td><td class="n">${escape(l.amount)}</td></tr>`)
    .join('');
  const period = invoice.period_start ? `<p>Period: ${escape(invoice.period_start)} – ${escape(invoice.period_end)}</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invoice ${escape(invoice.number ?? invoice.id)}</title>
<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}.n{text-align:right}</style></head>
<body><h1>${escape(service.name)} — invoice ${escape(invoice.number ?? '(draft)')}</h1>
<p>Customer: ${escape(invoice.customer_email)} (${escape(invoice.external_customer_id)})</p>${period}
<p>Status: ${escape(invoice.status)}</p>
<table><thead><tr><th>Description</th><th class="n">Quantity</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead><tbody>${lines}</tbody></table>
<p class="n">Subtotal: ${escape(invoice.subtotal)} ${escape(invoice.currency)}<br>Credited: ${escape(invoice.credited_amount)} ${escape(invoice.currency)}<br><strong>Amount due: ${escape(invoice.amount_due)} ${escape(invoice.currency)}</strong></p>
</body></html>`;
}
