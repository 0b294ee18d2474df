import { useEffect, useState, type FormEvent } from 'react';
import { StatusBadge } from '../components/Badges';
import { BarChart } from '../components/Charts';
import { Page, Section, Stat } from '../components/Page';
import { Pager } from '../components/Pager';
import { ProgressBar } from '../components/ProgressBar';
import { ActionMessage, EmptyState, QueryView } from '../components/QueryView';
import { ScrollingTable, StatusCell } from '../components/Table';
import {
  InventorySyncDocument,
  StartFullSyncDocument,
  SyncJobProgressDocument,
  type OdooSyncStatus,
  type OdooSyncTrigger,
  type SyncJobFragment,
} from '../graphql/generated';
import { formatDateTime, humanize } from '../lib/format';
import { useMutation, useQuery } from '../lib/use-graphql';

const TRIGGERS: OdooSyncTrigger[] = ['MANUAL_FULL', 'ORDER_SHIPPED', 'INVENTORY_ADJUSTMENT', 'TEST'];
const FINISHED = new Set(['COMPLETED', 'FAILED']);

interface LogFilters {
  variantSku: string;
  status: '' | OdooSyncStatus;
  triggerType: '' | OdooSyncTrigger;
  startDate: string;
  endDate: string;
}

/** Stock pushed to the Odoo vendor API: statistics, the attempt log, and full syncs. */
export function InventoryPage() {
  const [draft, setDraft] = useState<LogFilters>({ variantSku: '', status: '', triggerType: '', startDate: '', endDate: '' });
  const [filters, setFilters] = useState(draft);
  const [page, setPage] = useState(1);
  const sync = useQuery(
    InventorySyncDocument,
    {
      page,
      limit: 25,
      variantSku: filters.variantSku.trim() || null,
      status: filters.status || null,
      triggerType: filters.triggerType || null,
      startDate: filters.startDate || null,
      endDate: filters.endDate || null,
    },
    { pollMs: 10_000 },
  );
  const [startFullSync, starting] = useMutation(StartFullSyncDocument);
  const [watchedJobId, setWatchedJobId] = useState<string>();
  const runningJob = sync.data?.odooSyncJobs.find((j) => !FINISHED.has(j.state));
  const jobId = watchedJobId ?? runningJob?.id;
  const [jobDone, setJobDone] = useState(false);
  // Polls the job every second until it has finished.
  const progress = useQuery(SyncJobProgressDocument, { id: jobId ?? '' }, { skip: !jobId, pollMs: jobDone ? undefined : 1_000 });
  const job = progress.data?.odooSyncJob ?? runningJob;
  // When the watched sync ends, the statistics, the job list and the log have news.
  const jobFinished = job !== undefined && FINISHED.has(job.state);
  const refetchSync = sync.refetch;
  useEffect(() => {
    setJobDone(jobFinished);
    if (jobFinished) void refetchSync();
  }, [jobFinished, refetchSync]);

  function onFilter(event: FormEvent) {
    event.preventDefault();
    setPage(1);
    setFilters(draft);
  }

  async function onStart() {
    try {
      const result = await startFullSync({});
      setWatchedJobId(result.startOdooFullSync.id);
    } catch {
      // Shown by ActionMessage below.
    }
  }

  return (
    <Page
      title="Inventory sync"
      actions={
        <button type="button" className="button" onClick={onStart} disabled={starting.running || (job !== undefined && !FINISHED.has(job.state))}>
          {starting.running ? 'Starting…' : 'Start full sync'}
        </button>
      }
    >
      <ActionMessage error={starting.error} />
      {job && <FullSyncProgress job={job} />}
      <QueryView state={sync} label="inventory sync">
        {(data) => (
          <>
            <div className="stats" aria-label="Sync statistics">
              <Stat label="Attempts" value={data.odooSyncStats.total} />
              <Stat label="Successful" value={data.odooSyncStats.successful} tone="good" />
              <Stat label="Failed" value={data.odooSyncStats.failed} tone={data.odooSyncStats.failed > 0 ? 'bad' : undefined} />
              <Stat label="Success rate" value={`${data.odooSyncStats.successRate}%`} />
              <Stat
                label="Failures in a row"
                value={data.odooSyncStats.consecutiveFailures}
                tone={data.odooSyncStats.consecutiveFailures > 0 ? 'bad' : undefined}
              />
              <Stat label="Queued / running" value={`${data.odooSyncQueueStats.waiting + data.odooSyncQueueStats.delayed} / ${data.odooSyncQueueStats.active}`} />
            </div>
            <div className="grid-2">
              <Section title="Attempts by trigger">
                {data.odooSyncStats.total === 0 ? (
                  <EmptyState>No sync attempts yet.</EmptyState>
                ) : (
                <BarChart
                  title="Sync attempts by trigger"
                  series={[{ name: 'Attempts', tone: 'series-0' }]}
                  data={TRIGGERS.map((t) => {
                    const n = data.odooSyncStats.byTrigger.find((b) => b.trigger === t)?.count ?? 0;
                    const [first, ...rest] = humanize(t.toLowerCase()).split(' ');
                    return { label: first!, sublabel: rest.join(' ') || undefined, values: [{ display: String(n), plot: n }] };
                  })}
                />
                )}
              </Section>
              <Section title="Recent full syncs">
                {data.odooSyncJobs.length === 0 ? (
                  <EmptyState>No full sync has run yet.</EmptyState>
                ) : (
                  <ul className="plain-list">
                    {data.odooSyncJobs.map((j) => (
                      <li key={j.id}>
                        <StatusBadge status={j.state} /> {formatDateTime(j.createdAt)} · {j.progress}%
                        {j.error && <span className="error-text small"> · {j.error}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </Section>
            </div>
            <Section title={`Sync log (${data.odooSyncLogs.pagination.total})`}>
              <form className="toolbar" role="search" aria-label="Search the sync log" onSubmit={onFilter}>
                <label htmlFor="log-sku">SKU</label>
                <input id="log-sku" type="search" value={draft.variantSku} onChange={(e) => setDraft({ ...draft, variantSku: e.target.value })} />
                <label htmlFor="log-status">Status</label>
                <select id="log-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as LogFilters['status'] })}>
                  <option value="">Any</option>
                  <option value="SUCCESS">Success</option>
                  <option value="FAILED">Failed</option>
                </select>
                <label htmlFor="log-trigger">Trigger</label>
                <select id="log-trigger" value={draft.triggerType} onChange={(e) => setDraft({ ...draft, triggerType: e.target.value as LogFilters['triggerType'] })}>
                  <option value="">Any</option>
                  {TRIGGERS.map((t) => (
                    <option key={t} value={t}>
                      {humanize(t.toLowerCase())}
                    </option>
                  ))}
                </select>
                <label htmlFor="log-from">From</label>
                <input id="log-from" type="date" value={draft.startDate} onChange={(e) => setDraft({ ...draft, startDate: e.target.value })} />
                <label htmlFor="log-to">To</label>
                <input id="log-to" type="date" value={draft.endDate} onChange={(e) => setDraft({ ...draft, endDate: e.target.value })} />
                <button type="submit" className="button">
                  Search
                </button>
              </form>
              {data.odooSyncLogs.logs.length === 0 ? (
                <EmptyState>No sync attempts match.</EmptyState>
              ) : (
                <>
                  <ScrollingTable columns={['When', 'SKU', 'Trigger', 'Status', 'Error']}>
                    {data.odooSyncLogs.logs.map((l) => (
                      <tr key={l.id}>
                        <td>{formatDateTime(l.createdAt)}</td>
                        <td>{l.variantSku}</td>
                        <td>{humanize(l.triggerType.toLowerCase())}</td>
                        <StatusCell status={l.status} />
                        <td className="wrap">{l.errorMessage ?? ''}</td>
                      </tr>
                    ))}
                  </ScrollingTable>
                  <Pager
                    label="Sync log pages"
                    hasPrevious={page > 1}
                    hasNext={page < data.odooSyncLogs.pagination.pages}
                    onPrevious={() => setPage(page - 1)}
                    onNext={() => setPage(page + 1)}
                  >
                    Page {data.odooSyncLogs.pagination.page} of {Math.max(1, data.odooSyncLogs.pagination.pages)}
                  </Pager>
                </>
              )}
            </Section>
          </>
        )}
      </QueryView>
    </Page>
  );
}

function FullSyncProgress({ job }: { job: SyncJobFragment }) {
  const done = FINISHED.has(job.state);
  return (
    <section className="panel" aria-label="Full sync progress" aria-live="polite">
      <ProgressBar
        value={job.progress}
        label={`Full sync ${done ? (job.state === 'COMPLETED' ? 'finished' : 'failed') : humanize(job.state.toLowerCase())}`}
        detail={`${job.progress}%`}
      />
      <p className="muted small">
        Started {formatDateTime(job.startedAt ?? job.createdAt)}
        {job.finishedAt ? ` · finished ${formatDateTime(job.finishedAt)}` : ''}
        {job.error ? ` · ${job.error}` : ''}
      </p>
    </section>
  );
}
