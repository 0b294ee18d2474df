import { useState } from 'react';
import { BarChart } from '../components/Charts';
import { Page, Section } from '../components/Page';
import { ActionMessage, EmptyState, QueryView } from '../components/QueryView';
import { ACTIONS_COLUMN, ScrollingTable, StatusCell, Table } from '../components/Table';
import { DeliveriesOverviewDocument, type DeadLetterRowFragment, type DeliveriesOverviewQuery, type DeliveryRowFragment } from '../graphql/generated';
import { deliveryStats } from '../lib/delivery-stats';
import { formatDateTime } from '../lib/format';
import { isService, replayDeadLetter, resendDelivery, SERVICES, type ServiceName } from '../lib/services';
import { useQuery } from '../lib/use-graphql';

const DELIVERY_STATUSES = ['pending', 'in_flight', 'awaiting_ack', 'delivered', 'acknowledged', 'exhausted', 'cancelled'];

interface Filters {
  service: 'all' | ServiceName;
  status: string;
  kind: string;
  reference: string;
  deadStatus: string;
}

/** The services' rows as one list, newest first (a service the filters leave out has no list). */
function newestFirst<Row extends { createdAt: string }>(perService: (Row[] | null | undefined)[]): Row[] {
  return perService.flatMap((rows) => rows ?? []).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function rowsOf(data: DeliveriesOverviewQuery) {
  const deliveries: DeliveryRowFragment[] = newestFirst([data.paymentsDeliveries, data.commerceDeliveries, data.billingDeliveries, data.helpdeskDeliveries]);
  const deadLetters: DeadLetterRowFragment[] = newestFirst([data.paymentsDeadLetters, data.commerceDeadLetters, data.billingDeadLetters, data.helpdeskDeadLetters]);
  return { deliveries, deadLetters };
}

/** Outbound deliveries and dead letters of every service, with re-send and replay. */
export function DeliveriesPage() {
  const [filters, setFilters] = useState<Filters>({ service: 'all', status: '', kind: '', reference: '', deadStatus: 'dead' });
  const include = (s: ServiceName) => filters.service === 'all' || filters.service === s;
  const overview = useQuery(
    DeliveriesOverviewDocument,
    {
      limit: 100,
      status: filters.status || null,
      kind: filters.kind.trim() || null,
      reference: filters.reference.trim() || null,
      deadStatus: filters.deadStatus || null,
      payments: include('payments'),
      commerce: include('commerce'),
      billing: include('billing'),
      helpdesk: include('helpdesk'),
    },
    { pollMs: 10_000 },
  );
  const [message, setMessage] = useState<{ error?: Error; success?: string }>({});
  const [busy, setBusy] = useState<string>();

  async function act(key: string, action: () => Promise<string>) {
    setBusy(key);
    setMessage({});
    try {
      setMessage({ success: await action() });
      await overview.refetch();
    } catch (error) {
      setMessage({ error: error as Error });
    } finally {
      setBusy(undefined);
    }
  }

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));

  return (
    <Page title="Deliveries & dead letters">
      <form className="toolbar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="f-service">Service</label>
        <select id="f-service" value={filters.service} onChange={(e) => set('service', isService(e.target.value) ? e.target.value : 'all')}>
          <option value="all">All services</option>
          {SERVICES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label htmlFor="f-status">Delivery status</label>
        <select id="f-status" value={filters.status} onChange={(e) => set('status', e.target.value)}>
          <option value="">Any</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
        <label htmlFor="f-kind">Kind</label>
        <input id="f-kind" value={filters.kind} onChange={(e) => set('kind', e.target.value)} placeholder="e.g. wex.result" />
        <label htmlFor="f-reference">Reference</label>
        <input id="f-reference" value={filters.reference} onChange={(e) => set('reference', e.target.value)} />
        <label htmlFor="f-dead">Dead letters</label>
        <select id="f-dead" value={filters.deadStatus} onChange={(e) => set('deadStatus', e.target.value)}>
          <option value="dead">Waiting for replay</option>
          <option value="replayed">Replayed</option>
          <option value="">All</option>
        </select>
      </form>
      <ActionMessage {...message} />
      <QueryView state={overview} label="deliveries">
        {(data) => {
          const { deliveries, deadLetters } = rowsOf(data);
          const stats = SERVICES.filter(include).map((s) => deliveryStats(s, deliveries.filter((d) => d.service === s)));
          return (
            <>
              <Section title="Delivery success by service">
                <BarChart
                  title="Deliveries by outcome (success rate among finished)"
                  series={[
                    { name: 'Succeeded', tone: 'good' },
                    { name: 'Failed', tone: 'bad' },
                    { name: 'In progress', tone: 'warn' },
                  ]}
                  data={stats.map((s) => ({
                    label: s.service,
                    sublabel: s.successRate === undefined ? 'none finished' : `${Math.round(s.successRate)}% succeeded`,
                    values: [s.succeeded, s.failed, s.inProgress].map((n) => ({ display: String(n), plot: n })),
                  }))}
                />
              </Section>
              <Section title={`Dead letters (${deadLetters.length})`} id="dead-letters">
                {deadLetters.length === 0 ? (
                  <EmptyState>No dead letters{filters.deadStatus === 'dead' ? ' waiting for a replay' : ''}. Every event was handled.</EmptyState>
                ) : (
                  <ScrollingTable columns={['Event', 'Consumer', 'Error', 'Status', ACTIONS_COLUMN]}>
                    {deadLetters.map((d) => (
                      <tr key={d.id} data-testid="dead-letter-row">
                        <td>
                          {d.eventType}
                          <div className="muted small">
                            {d.service} · {formatDateTime(d.createdAt)}
                          </div>
                        </td>
                        <td>{d.consumer}</td>
                        <td className="wrap">
                          {d.error}
                          <div className="muted small">after {d.attempts} attempts</div>
                        </td>
                        <StatusCell status={d.status}>{d.replayedAt && <div className="muted small">{formatDateTime(d.replayedAt)}</div>}</StatusCell>
                        <td>
                          {d.status === 'dead' && isService(d.service) && (
                            <button
                              type="button"
                              className="button small"
                              disabled={busy === d.id}
                              aria-label={`Replay ${d.eventType} for ${d.consumer}`}
                              onClick={() =>
                                act(d.id, async () => {
                                  const replayed = await replayDeadLetter(d.service as ServiceName, d.id);
                                  return `Replayed ${replayed.eventType} through ${replayed.consumer}: ${replayed.status}.`;
                                })
                              }
                            >
                              {busy === d.id ? 'Replaying…' : 'Replay'}
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </ScrollingTable>
                )}
              </Section>
              <Section title={`Deliveries (${deliveries.length})`} id="deliveries">
                {deliveries.length === 0 ? (
                  <EmptyState>No deliveries match these filters.</EmptyState>
                ) : (
                  <ScrollingTable columns={['Delivery', 'Status', 'Attempts', ACTIONS_COLUMN]}>
                    {deliveries.map((d) => (
                      <tr key={d.id}>
                        <td className="wrap">
                          {d.kind} <span className="muted small">{d.service}</span>
                          <div className="muted small">
                            {d.reference ? `${d.reference} · ` : ''}
                            {d.targetUrl}
                          </div>
                          <AttemptLog delivery={d} />
                        </td>
                        <StatusCell status={d.status}>
                          {d.nextAttemptAt && !d.completedAt && ['pending', 'awaiting_ack'].includes(d.status) && (
                            <div className="muted small">next {formatDateTime(d.nextAttemptAt)}</div>
                          )}
                        </StatusCell>
                        <td>
                          {d.attempts} / {d.maxAttempts}
                          {d.lastStatusCode != null && <div className="muted small">last HTTP {d.lastStatusCode}</div>}
                        </td>
                        <td>
                          {isService(d.service) && d.status !== 'in_flight' && (
                            <button
                              type="button"
                              className="button small secondary"
                              disabled={busy === d.id}
                              aria-label={`Retry delivery ${d.kind} ${d.reference ?? d.id}`}
                              onClick={() =>
                                act(d.id, async () => {
                                  const resent = await resendDelivery(d.service as ServiceName, d.id);
                                  return `Delivery ${resent.kind} queued again (${resent.status}).`;
                                })
                              }
                            >
                              Retry
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </ScrollingTable>
                )}
              </Section>
            </>
          );
        }}
      </QueryView>
    </Page>
  );
}

function AttemptLog({ delivery }: { delivery: DeliveryRowFragment }) {
  if (delivery.attemptLog.length === 0) return <div className="muted small">No attempt yet.</div>;
  return (
    <details className="attempts">
      <summary>
        {delivery.attemptLog.length} attempt{delivery.attemptLog.length === 1 ? '' : 's'}
        {delivery.lastError ? ` · ${delivery.lastError}` : ''}
      </summary>
      <Table columns={['#', 'Started', 'HTTP', { label: 'Latency', numeric: true }, 'Error']}>
        {delivery.attemptLog.map((a) => (
          <tr key={a.attempt}>
            <td>{a.attempt}</td>
            <td>{formatDateTime(a.startedAt)}</td>
            <td>{a.statusCode ?? '—'}</td>
            <td className="num">{a.latencyMs} ms</td>
            <td className="wrap">{a.error ?? ''}</td>
          </tr>
        ))}
      </Table>
    </details>
  );
}
