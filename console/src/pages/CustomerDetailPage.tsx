import { Link, useParams } from 'react-router-dom';
import { StatusBadge, UnreadBadge } from '../components/Badges';
import { Meter } from '../components/Charts';
import { InvoiceTable } from '../components/InvoiceTable';
import { Page, Section, Stat } from '../components/Page';
import { EmptyState, QueryView } from '../components/QueryView';
import { ScrollingTable, StatusCell } from '../components/Table';
import { CustomerDetailDocument, type CustomerDetailQuery } from '../graphql/generated';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../lib/format';
import { useQuery } from '../lib/use-graphql';

type Customer = NonNullable<CustomerDetailQuery['customer']>;

/** Customer 360: one federated query — commerce, payments, billing and helpdesk — on one page. */
export function CustomerDetailPage() {
  const email = decodeURIComponent(useParams().email ?? '');
  const detail = useQuery(CustomerDetailDocument, { email });
  const name = detail.data?.customer?.name;
  return (
    <Page title={name ? `Customer 360 · ${name}` : 'Customer 360'} actions={<Link to="/customers">All customers</Link>}>
      <QueryView state={detail} label="the customer" isEmpty={(d) => !d.customer} empty={`No customer with the e-mail ${email}.`}>
        {(data) => <CustomerView customer={data.customer!} />}
      </QueryView>
    </Page>
  );
}

function CustomerView({ customer }: { customer: Customer }) {
  const owed = customer.ledgerBalance.map(formatMoney).join(' · ') || formatMoney(customer.billingAccount?.balance);
  return (
    <>
      <div className="stats" aria-label="Summary">
        <Stat label="E-mail" value={customer.email} />
        <Stat label="Billing account" value={customer.billingAccount ? customer.billingAccount.number : 'none'} />
        <Stat label="Balance" value={owed} />
        <Stat label="Open tickets" value={customer.openTicketCount} tone={customer.openTicketCount > 0 ? 'warn' : undefined} />
        <Stat label="Unread by customer" value={customer.unreadTicketCount} />
      </div>
      <div className="grid-2">
        <Section title="Orders">
          {customer.orders.length === 0 ? (
            <EmptyState>No orders.</EmptyState>
          ) : (
            <ScrollingTable columns={['Order', 'Placed', 'State', { label: 'Total', numeric: true }]}>
              {customer.orders.map((o) => (
                <tr key={o.id}>
                  <td>{o.reference}</td>
                  <td>{formatDate(o.placedAt)}</td>
                  <td>{o.state.name ?? '—'}{o.shippedAt ? ' · shipped' : ''}</td>
                  <td className="num">{formatMoney(o.totalPaid)}</td>
                </tr>
              ))}
            </ScrollingTable>
          )}
        </Section>
        <Section title="Payments and virtual cards">
          {customer.payments.length === 0 ? (
            <EmptyState>No payments.</EmptyState>
          ) : (
            <ScrollingTable columns={['Payment', 'Status', { label: 'Amount', numeric: true }]}>
              {customer.payments.map((p) => (
                <tr key={p.id}>
                  <td>
                    {p.kind.replace('_', ' ')} · {p.provider}
                    {p.cardLast4 ? ` · ${p.cardBrand ?? 'card'} ••${p.cardLast4}` : ''}
                    <div className="muted small">
                      {p.reference ?? p.id} · {formatDateTime(p.createdAt)}
                      {p.virtualCard ? ` · card for ${p.virtualCard.vendorName} (${p.virtualCard.invoiceNumber}), Odoo: ${p.virtualCard.deliveryStatus ?? '—'}` : ''}
                    </div>
                  </td>
                  <StatusCell status={p.status}>{p.failureCode && <div className="muted small">{p.failureCode}</div>}</StatusCell>
                  <td className="num">
                    {formatMoney(p.amount)}
                    {p.refundedAmount.amount !== '0' && !/^0(\.0+)?$/.test(p.refundedAmount.amount) && (
                      <div className="muted small">refunded {formatMoney(p.refundedAmount)}</div>
                    )}
                  </td>
                </tr>
              ))}
            </ScrollingTable>
          )}
        </Section>
        <Section title="Billing">
          {customer.billingAccount ? (
            <p>
              Account {customer.billingAccount.number} <StatusBadge status={customer.billingAccount.status} /> · {customer.billingAccount.currency} · opened{' '}
              {formatDate(customer.billingAccount.openedAt)}
            </p>
          ) : (
            <EmptyState>No billing account yet (it opens when commerce announces the customer).</EmptyState>
          )}
          <h3>Usage this period</h3>
          {customer.billingUsage.length === 0 ? (
            <EmptyState>No metered usage in the current period.</EmptyState>
          ) : (
            customer.billingUsage.map((u) => (
              <Meter
                key={`${u.subscriptionId}-${u.metric}`}
                label={`${u.metric} (${formatDate(u.periodStart)} – ${formatDate(u.periodEnd)})`}
                value={Number(u.quantity)}
                max={Number(u.includedQuota)}
                display={`${formatNumber(u.quantity)} of ${formatNumber(u.includedQuota)} ${u.unitLabel} included${u.overage !== '0' ? ` · overage ${formatMoney(u.amount)}` : ''}`}
              />
            ))
          )}
          <h3>Invoices</h3>
          {customer.invoices.length === 0 ? (
            <EmptyState>No invoices.</EmptyState>
          ) : (
            <InvoiceTable invoices={customer.invoices} />
          )}
        </Section>
        <Section title="Tickets">
          {customer.tickets.length === 0 ? (
            <EmptyState>No tickets.</EmptyState>
          ) : (
            <ul className="ticket-list">
              {customer.tickets.map((t) => (
                <li key={t.id}>
                  <Link to={`/helpdesk/${t.id}`}>
                    {t.reference} · {t.subject}
                  </Link>{' '}
                  <StatusBadge status={t.stage} /> {t.unread && <UnreadBadge />}
                  <div className="muted small">
                    {t.priority} priority · updated {formatDateTime(t.updatedAt)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </>
  );
}
