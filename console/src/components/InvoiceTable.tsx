import type { BillingInvoicesQuery } from '../graphql/generated';
import { formatDate, formatMoney } from '../lib/format';
import { ScrollingTable, StatusCell } from './Table';

/** What the table reads of an invoice; `customerEmail` is shown only when `detailed`. */
export type InvoiceRow = Pick<
  BillingInvoicesQuery['invoices'][number],
  'id' | 'number' | 'status' | 'serviceCode' | 'periodStart' | 'periodEnd' | 'subtotal' | 'amountDue'
> & { customerEmail?: string };

/**
 * Invoices by number, period, status and amount due. `detailed` also names each invoice's customer
 * and its subtotal (the list across customers); `tall` caps the height and scrolls.
 */
export function InvoiceTable({ invoices, detailed, tall }: { invoices: InvoiceRow[]; detailed?: boolean; tall?: boolean }) {
  return (
    <ScrollingTable tall={tall} columns={['Invoice', 'Period', 'Status', { label: 'Due', numeric: true }]}>
      {invoices.map((i) => (
        <tr key={i.id}>
          <td>
            {i.number ?? 'draft'} <span className="muted small">{i.serviceCode}</span>
            {detailed && <div className="muted small">{i.customerEmail}</div>}
          </td>
          <td>
            {formatDate(i.periodStart)} – {formatDate(i.periodEnd)}
          </td>
          <StatusCell status={i.status} />
          <td className="num">
            {formatMoney(i.amountDue)}
            {detailed && <div className="muted small">of {formatMoney(i.subtotal)}</div>}
          </td>
        </tr>
      ))}
    </ScrollingTable>
  );
}
