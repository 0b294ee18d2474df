import { useState } from 'react';
import { StatusBadge } from '../components/Badges';
import { BarChart } from '../components/Charts';
import { AwaitingFields, Page, Section } from '../components/Page';
import { EmptyState, QueryView } from '../components/QueryView';
import { WebhookIntakeDocument, type WebhookIntakeQuery } from '../graphql/generated';
import { formatDateTime, formatMoney } from '../lib/format';
import { useQuery } from '../lib/use-graphql';

const LIMIT = 50;

/** Accepted / rejected per source, from the rows each source reports. */
function intakeTotals(data: WebhookIntakeQuery) {
  const clover = {
    accepted: data.cloverWebhooks.filter((w) => w.status !== 'rejected').length,
    rejected: data.cloverWebhooks.filter((w) => w.status === 'rejected').length,
  };
  const count = (status: string) => data.prestashopEventCounts.find((c) => c.status === status)?.count ?? 0;
  const prestashopTotal = data.prestashopEventCounts.reduce((sum, c) => sum + c.count, 0);
  const prestashop = { accepted: prestashopTotal - count('failed'), rejected: count('failed') };
  const wex = {
    accepted: data.wexVirtualCards.filter((c) => c.status === 'issued' || c.status === 'issuing').length,
    rejected: data.wexVirtualCards.filter((c) => c.status !== 'issued' && c.status !== 'issuing').length,
  };
  return { clover, prestashop, wex };
}

/** Inbound traffic from Clover, PrestaShop, WEX requests (Odoo) and billing apps. */
export function IntakePage() {
  const [cloverStatus, setCloverStatus] = useState('');
  const [prestashopStatus, setPrestashopStatus] = useState('');
  const intake = useQuery(
    WebhookIntakeDocument,
    { limit: LIMIT, cloverStatus: cloverStatus || null, prestashopStatus: prestashopStatus || null, wexStatus: null },
    { pollMs: 15_000 },
  );

  return (
    <Page title="Webhook intake">
      <QueryView state={intake} label="webhook intake">
        {(data) => {
          const totals = intakeTotals(data);
          return (
            <>
              <Section title="Accepted and rejected">
                <BarChart
                  title={`Inbound requests by source (latest ${LIMIT} Clover webhooks and WEX requests; all PrestaShop events)`}
                  series={[
                    { name: 'Accepted', tone: 'good' },
                    { name: 'Rejected or failed', tone: 'bad' },
                  ]}
                  data={[
                    { label: 'Clover', ...totals.clover },
                    { label: 'PrestaShop', ...totals.prestashop },
                    { label: 'WEX', ...totals.wex },
                  ].map((t) => ({ label: t.label, values: [t.accepted, t.rejected].map((n) => ({ display: String(n), plot: n })) }))}
                />
              </Section>
              <div className="grid-2">
                <Section
                  title="Clover webhooks"
                  actions={
                    <>
                      <label htmlFor="clover-status">Status</label>
                      <select id="clover-status" value={cloverStatus} onChange={(e) => setCloverStatus(e.target.value)}>
                        <option value="">Any</option>
                        {['verified', 'forwarded', 'verification', 'rejected'].map((s) => (
                          <option key={s}>{s}</option>
                        ))}
                      </select>
                    </>
                  }
                >
                  {data.cloverWebhooks.length === 0 ? (
                    <EmptyState>No Clover webhooks received{cloverStatus ? ` with status ${cloverStatus}` : ''}.</EmptyState>
                  ) : (
                    <div className="table-wrap">
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">Received</th>
                            <th scope="col">Endpoint</th>
                            <th scope="col">Status</th>
                            <th scope="col">Why / processing</th>
                          </tr>
                        </thead>
                        <tbody>
                          {data.cloverWebhooks.map((w) => (
                            <tr key={w.id}>
                              <td>
                                {formatDateTime(w.receivedAt)}
                                <div className="muted small">
                                  {w.remoteIp ?? 'unknown IP'} · {w.bodyBytes} bytes{w.signaturePresent ? ' · signed' : ''}
                                </div>
                              </td>
                              <td>{w.endpoint}</td>
                              <td>
                                <StatusBadge status={w.status} />
                              </td>
                              <td className="wrap">
                                {w.reason ? `${w.reason}${w.detail ? `: ${w.detail}` : ''}` : `${w.shape ?? ''} ${w.objectCount} objects, ${w.merchantCount} merchants`}
                                {w.processingStatus && (
                                  <div className="muted small">
                                    processing {w.processingStatus}
                                    {w.processingError ? `: ${w.processingError}` : ''}
                                  </div>
                                )}
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </Section>
                <Section title="Clover verification codes">
                  {data.cloverWebhookVerificationCodes.length === 0 ? (
                    <EmptyState>No verification code received. Clover sends one when a webhook URL is saved in its dashboard.</EmptyState>
                  ) : (
                    <ul className="plain-list">
                      {data.cloverWebhookVerificationCodes.map((c) => (
                        <li key={c.webhookId}>
                          <code className="code">{c.code}</code> <span className="muted small">{c.endpoint} · {formatDateTime(c.receivedAt)}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </Section>
                <Section
                  title={`PrestaShop sales events (${data.prestashopEvents.totalCount})`}
                  actions={
                    <>
                      <label htmlFor="ps-status">Status</label>
                      <select id="ps-status" value={prestashopStatus} onChange={(e) => setPrestashopStatus(e.target.value)}>
                        <option value="">Any</option>
                        {['pending', 'processed', 'duplicate', 'superseded', 'consolidated', 'ignored', 'failed'].map((s) => (
                          <option key={s}>{s}</option>
                        ))}
                      </select>
                    </>
                  }
                >
                  {data.prestashopEventCounts.length > 0 && (
                    <p className="chips">
                      {data.prestashopEventCounts.map((c) => (
                        <span key={c.status}>
                          <StatusBadge status={c.status} /> {c.count}
                        </span>
                      ))}
                    </p>
                  )}
                  {data.prestashopEvents.nodes.length === 0 ? (
                    <EmptyState>No PrestaShop events{prestashopStatus ? ` with status ${prestashopStatus}` : ''}.</EmptyState>
                  ) : (
                    <div className="table-wrap">
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">Event</th>
                            <th scope="col">Status</th>
                            <th scope="col">Received</th>
                          </tr>
                        </thead>
                        <tbody>
                          {data.prestashopEvents.nodes.map((e) => (
                            <tr key={e.id}>
                              <td className="wrap">
                                #{e.eventId} {e.entityType} {e.entityId} · {e.actionType}
                                <div className="muted small">
                                  batch {e.batchId}
                                  {e.timesReceived > 1 ? ` · received ${e.timesReceived}×` : ''}
                                </div>
                                {e.error && <div className="error-text small">{e.error}</div>}
                              </td>
                              <td>
                                <StatusBadge status={e.status} />
                              </td>
                              <td>{formatDateTime(e.receivedAt)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </Section>
                <Section title="WEX card requests (Odoo → /proxy)">
                  {data.wexVirtualCards.length === 0 ? (
                    <EmptyState>No virtual card requested yet.</EmptyState>
                  ) : (
                    <div className="table-wrap">
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">Request</th>
                            <th scope="col">Status</th>
                            <th scope="col" className="num">Amount</th>
                          </tr>
                        </thead>
                        <tbody>
                          {data.wexVirtualCards.map((c) => (
                            <tr key={c.id}>
                              <td className="wrap">
                                {c.paymentId} · {c.vendorName}
                                <div className="muted small">
                                  {c.invoiceNumber} · {formatDateTime(c.createdAt)}
                                </div>
                                {c.error && (
                                  <div className="error-text small">
                                    {c.responseStatus ? `${c.responseStatus}: ` : ''}
                                    {c.error}
                                  </div>
                                )}
                              </td>
                              <td>
                                <StatusBadge status={c.status} />
                              </td>
                              <td className="num">{formatMoney(c.amount)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </Section>
                <Section title="Billing API (usage pushes from apps)">
                  <AwaitingFields>
                    The billing subgraph does not list its API traffic in GraphQL yet. This panel will show accepted and rejected
                    <code> POST /api/billing/usage</code> calls per app once a query such as <code>billingApiRequests(limit, status, serviceCode)</code> exists.
                  </AwaitingFields>
                </Section>
              </div>
            </>
          );
        }}
      </QueryView>
    </Page>
  );
}
