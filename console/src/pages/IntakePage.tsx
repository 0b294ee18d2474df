import { useState } from 'react';
import { StatusBadge } from '../components/Badges';
import { BarChart } from '../components/Charts';
import { AwaitingFields, Page, Section } from '../components/Page';
import { EmptyState, QueryView } from '../components/QueryView';
import { StatusFilter } from '../components/StatusFilter';
import { ScrollingTable, StatusCell } from '../components/Table';
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
                  actions={<StatusFilter id="clover-status" value={cloverStatus} statuses={['verified', 'forwarded', 'verification', 'rejected']} onChange={setCloverStatus} />}
                >
                  {data.cloverWebhooks.length === 0 ? (
                    <EmptyState>No Clover webhooks received{cloverStatus ? ` with status ${cloverStatus}` : ''}.</EmptyState>
                  ) : (
                    <ScrollingTable columns={['Received', 'Endpoint', 'Status', 'Why / processing']}>
                      {data.cloverWebhooks.map((w) => (
                        <tr key={w.id}>
                          <td>
                            {formatDateTime(w.receivedAt)}
                            <div className="muted small">
                              {w.remoteIp ?? 'unknown IP'} · {w.bodyBytes} bytes{w.signaturePresent ? ' · signed' : ''}
                            </div>
                          </td>
                          <td>{w.endpoint}</td>
                          <StatusCell status={w.status} />
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
                    </ScrollingTable>
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
                    <StatusFilter
                      id="ps-status"
                      value={prestashopStatus}
                      statuses={['pending', 'processed', 'duplicate', 'superseded', 'consolidated', 'ignored', 'failed']}
                      onChange={setPrestashopStatus}
                    />
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
                    <ScrollingTable columns={['Event', 'Status', 'Received']}>
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
                          <StatusCell status={e.status} />
                          <td>{formatDateTime(e.receivedAt)}</td>
                        </tr>
                      ))}
                    </ScrollingTable>
                  )}
                </Section>
                <Section title="WEX card requests (Odoo → /proxy)">
                  {data.wexVirtualCards.length === 0 ? (
                    <EmptyState>No virtual card requested yet.</EmptyState>
                  ) : (
                    <ScrollingTable columns={['Request', 'Status', { label: 'Amount', numeric: true }]}>
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
                          <StatusCell status={c.status} />
                          <td className="num">{formatMoney(c.amount)}</td>
                        </tr>
                      ))}
                    </ScrollingTable>
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
