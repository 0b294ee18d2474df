import { useEffect, useState, type FormEvent } from 'react';
import { StatusBadge } from '../components/Badges';
import { BarChart } from '../components/Charts';
import { Dialog, DialogActions } from '../components/Dialog';
import { InvoiceTable } from '../components/InvoiceTable';
import { Page, Section } from '../components/Page';
import { ProgressBar } from '../components/ProgressBar';
import { ActionMessage, EmptyState, QueryView } from '../components/QueryView';
import { StatusFilter } from '../components/StatusFilter';
import { ACTIONS_COLUMN, ScrollingTable, StatusCell } from '../components/Table';
import {
  BillingInvoicesDocument,
  ReconciliationDocument,
  ResolveReconciliationItemDocument,
  StartReconciliationDocument,
  type ReconciliationQuery,
} from '../graphql/generated';
import { formatDateTime, formatMoney, formatNumber } from '../lib/format';
import { usageByPeriod } from '../lib/usage-series';
import { useMutation, useQuery } from '../lib/use-graphql';

type Item = ReconciliationQuery['reconciliationItems'][number];

/** Usage per period, invoices, and reconciliation runs with their deltas. */
export function BillingPage() {
  return (
    <Page title="Billing">
      <InvoicesAndUsage />
      <ReconciliationPanel />
    </Page>
  );
}

function InvoicesAndUsage() {
  const [draft, setDraft] = useState({ customerEmail: '', status: '' });
  const [filters, setFilters] = useState(draft);
  const invoices = useQuery(BillingInvoicesDocument, {
    limit: 200,
    customerEmail: filters.customerEmail.trim() || null,
    status: filters.status || null,
    serviceCode: null,
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  return (
    <>
      <form className="toolbar" role="search" aria-label="Filter invoices" onSubmit={onSubmit}>
        <label htmlFor="inv-customer">Customer e-mail</label>
        <input id="inv-customer" type="search" value={draft.customerEmail} onChange={(e) => setDraft({ ...draft, customerEmail: e.target.value })} />
        <StatusFilter id="inv-status" value={draft.status} statuses={['draft', 'open', 'paid', 'void']} onChange={(status) => setDraft({ ...draft, status })} />
        <button type="submit" className="button">
          Apply
        </button>
      </form>
      <QueryView state={invoices} label="invoices">
        {(data) => {
          const usage = usageByPeriod(data.invoices);
          return (
            <div className="grid-2">
              <Section title="Usage per period">
                {usage.periods.length === 0 ? (
                  <EmptyState>No metered usage on these invoices.</EmptyState>
                ) : (
                  <BarChart
                    title={filters.customerEmail ? `Usage of ${filters.customerEmail}` : 'Usage, all customers'}
                    unit="metered quantity"
                    stacked={false}
                    series={usage.metrics.map((m, i) => ({ name: m, tone: `series-${i % 6}` }))}
                    data={usage.periods.map((p) => ({
                      label: p.period,
                      values: p.totals.map((t) => ({ display: formatNumber(t), plot: Number(t) })),
                    }))}
                  />
                )}
              </Section>
              <Section title={`Invoices (${data.invoices.length})`}>
                {data.invoices.length === 0 ? (
                  <EmptyState>No invoices match.</EmptyState>
                ) : (
                  <InvoiceTable invoices={data.invoices} detailed tall />
                )}
              </Section>
            </div>
          );
        }}
      </QueryView>
    </>
  );
}

function ReconciliationPanel() {
  const [itemStatus, setItemStatus] = useState('delta');
  const [polling, setPolling] = useState(false);
  // Polls while a run is in progress, so its bar moves.
  const reconciliation = useQuery(ReconciliationDocument, { itemStatus: itemStatus || null, serviceCode: null }, { pollMs: polling ? 2_000 : undefined });
  const running = reconciliation.data?.reconciliationRuns.some((r) => r.status === 'running') ?? false;
  useEffect(() => setPolling(running), [running]);
  const [start, starting] = useMutation(StartReconciliationDocument);
  const [resolving, setResolving] = useState<Item>();
  const [message, setMessage] = useState<string>();

  async function onStart(kind: 'subscriptions' | 'payments') {
    setMessage(undefined);
    try {
      await start({ kind });
      await reconciliation.refetch();
    } catch {
      // Shown below.
    }
  }

  return (
    <>
      <Section
        title="Reconciliation runs"
        actions={
          <>
            <button type="button" className="button small" disabled={starting.running} onClick={() => onStart('subscriptions')}>
              Reconcile subscriptions
            </button>
            <button type="button" className="button small secondary" disabled={starting.running} onClick={() => onStart('payments')}>
              Reconcile payments
            </button>
          </>
        }
      >
        <ActionMessage error={starting.error} />
        <QueryView state={reconciliation} label="reconciliation runs" isEmpty={(d) => d.reconciliationRuns.length === 0} empty="No reconciliation has run yet.">
          {(data) => (
            <ul className="plain-list runs">
              {data.reconciliationRuns.map((r) => (
                <li key={r.id}>
                  <div>
                    <StatusBadge status={r.status} /> {r.kind}
                    {r.serviceCode ? ` · ${r.serviceCode}` : ''}
                    {r.period ? ` · ${r.period}` : ''} · {r.trigger} by {r.requestedBy} · {formatDateTime(r.startedAt)}
                    {r.error && <span className="error-text small"> · {r.error}</span>}
                  </div>
                  {r.total != null && r.total > 0 && (
                    <ProgressBar value={(r.processed / r.total) * 100} label={`Run ${r.id.slice(0, 8)}`} detail={`${r.processed} of ${r.total}`} />
                  )}
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </Section>
      <Section
        title="Reconciliation items"
        id="deltas"
        actions={
          <>
            <label htmlFor="item-status">Show</label>
            <select id="item-status" value={itemStatus} onChange={(e) => setItemStatus(e.target.value)}>
              <option value="delta">Open deltas</option>
              <option value="resolved">Resolved</option>
              <option value="match">Matches</option>
              <option value="">All</option>
            </select>
          </>
        }
      >
        <ActionMessage success={message} />
        <QueryView
          state={reconciliation}
          label="reconciliation items"
          isEmpty={(d) => d.reconciliationItems.length === 0}
          empty={itemStatus === 'delta' ? 'No open deltas: Switchboard and the apps agree.' : 'No items.'}
        >
          {(data) => (
            <ScrollingTable
              columns={[
                'Subscription',
                'Period',
                { label: 'Switchboard', numeric: true },
                { label: 'App', numeric: true },
                { label: 'Delta', numeric: true },
                'Status',
                ACTIONS_COLUMN,
              ]}
            >
              {data.reconciliationItems.map((item) => (
                <tr key={item.id} data-testid="reconciliation-item">
                  <td>
                    {item.subscriptionExternalId} <span className="muted small">{item.serviceCode}</span>
                    <div className="muted small">
                      {item.customerEmail ?? 'unknown customer'} · {formatNumber(item.usageQuantity)} metered
                    </div>
                  </td>
                  <td>{item.period}</td>
                  <td className="num">{formatMoney(item.computedAmount)}</td>
                  <td className="num">{formatMoney(item.externalAmount)}</td>
                  <td className="num">{formatMoney(item.delta)}</td>
                  <StatusCell status={item.status}>
                    {item.note && (
                      <div className="muted small">
                        “{item.note}” — {item.resolvedBy}, {formatDateTime(item.resolvedAt)}
                      </div>
                    )}
                  </StatusCell>
                  <td>
                    {item.status === 'delta' && (
                      <button
                        type="button"
                        className="button small"
                        aria-label={`Resolve delta of ${item.subscriptionExternalId} for ${item.period}`}
                        onClick={() => setResolving(item)}
                      >
                        Resolve…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </ScrollingTable>
          )}
        </QueryView>
      </Section>
      <ResolveDialog
        item={resolving}
        onClose={() => setResolving(undefined)}
        onResolved={async (item) => {
          setResolving(undefined);
          setMessage(`Delta of ${item.subscriptionExternalId} for ${item.period} resolved.`);
          await reconciliation.refetch();
        }}
      />
    </>
  );
}

function ResolveDialog({ item, onClose, onResolved }: { item?: Item; onClose: () => void; onResolved: (item: Item) => void }) {
  const [note, setNote] = useState('');
  const [resolve, state] = useMutation(ResolveReconciliationItemDocument);
  const [problem, setProblem] = useState<string>();

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!item) return;
    if (!note.trim()) {
      setProblem('Write a note: it is what the next person reads.');
      return;
    }
    setProblem(undefined);
    try {
      await resolve({ id: item.id, note: note.trim() });
      setNote('');
      onResolved(item);
    } catch {
      // Shown below.
    }
  }

  return (
    <Dialog open={item !== undefined} title="Resolve reconciliation delta" onClose={onClose}>
      {item && (
        <form onSubmit={onSubmit}>
          <p>
            {item.subscriptionExternalId} · {item.period}: Switchboard {formatMoney(item.computedAmount)}, app {formatMoney(item.externalAmount)}, delta{' '}
            <strong>{formatMoney(item.delta)}</strong>. It reopens if the figures change.
          </p>
          <label htmlFor="resolve-note">Note (required)</label>
          <textarea id="resolve-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} aria-invalid={problem ? true : undefined} />
          {problem && (
            <p className="action-message error" role="alert">
              {problem}
            </p>
          )}
          <ActionMessage error={state.error} />
          <DialogActions onCancel={onClose} running={state.running} submitLabel="Resolve with note" runningLabel="Resolving…" />
        </form>
      )}
    </Dialog>
  );
}
