import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { StatusBadge, UnreadBadge } from '../components/Badges';
import { Page, Section } from '../components/Page';
import { QueryView } from '../components/QueryView';
import { ScrollingTable } from '../components/Table';
import { CustomerSearchDocument } from '../graphql/generated';
import { formatDate } from '../lib/format';
import { useQuery } from '../lib/use-graphql';

/** Customer 360, step one: find the customer by e-mail or name. */
export function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const [draft, setDraft] = useState(search);
  const customers = useQuery(CustomerSearchDocument, { search: search || null, limit: 25 });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setParams(draft.trim() ? { q: draft.trim() } : {});
  }

  return (
    <Page title="Customer 360">
      <form className="toolbar" role="search" onSubmit={onSubmit}>
        <label htmlFor="customer-search">E-mail or name</label>
        <input id="customer-search" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="ada@example.com" />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <Section title={search ? `Customers matching “${search}”` : 'Newest customers'}>
        <QueryView
          state={customers}
          label="customers"
          isEmpty={(d) => d.customers.length === 0}
          empty={search ? `No customer’s e-mail or name contains “${search}”.` : 'No customers yet.'}
        >
          {(data) => (
            <ScrollingTable columns={['Customer', 'Billing account', 'Open tickets', 'Since']}>
              {data.customers.map((c) => (
                <tr key={c.email}>
                  <td>
                    <Link to={`/customers/${encodeURIComponent(c.email)}`}>{c.name}</Link>
                    <div className="muted small">{c.email}</div>
                  </td>
                  <td>
                    {c.billingAccount ? (
                      <>
                        {c.billingAccount.number} <StatusBadge status={c.billingAccount.status} />
                      </>
                    ) : (
                      <span className="muted">none yet</span>
                    )}
                  </td>
                  <td>
                    {c.openTicketCount} <UnreadBadge count={c.unreadTicketCount} label="unread by customer" />
                  </td>
                  <td>{formatDate(c.createdAt)}</td>
                </tr>
              ))}
            </ScrollingTable>
          )}
        </QueryView>
      </Section>
    </Page>
  );
}
