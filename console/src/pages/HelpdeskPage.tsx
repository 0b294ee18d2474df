import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { StatusBadge, UnreadBadge } from '../components/Badges';
import { Page, Section } from '../components/Page';
import { Pager } from '../components/Pager';
import { QueryView } from '../components/QueryView';
import { HelpdeskInboxDocument } from '../graphql/generated';
import { formatDateTime } from '../lib/format';
import { useQuery } from '../lib/use-graphql';

const PAGE_SIZE = 25;

/** The support inbox: most recently active first, unread badges, search and quick filters. */
export function HelpdeskPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const view = params.get('view') ?? 'open';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [draft, setDraft] = useState(search);
  const inbox = useQuery(
    HelpdeskInboxDocument,
    {
      search: search || null,
      filter: { openOnly: view === 'open' || view === 'unread' ? true : null, unreadOnly: view === 'unread' ? true : null },
      limit: PAGE_SIZE,
      offset,
    },
    { pollMs: 15_000 },
  );

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };

  function onSearch(event: FormEvent) {
    event.preventDefault();
    update({ q: draft.trim(), offset: '' });
  }

  return (
    <Page title="Helpdesk">
      <form className="toolbar" role="search" aria-label="Search tickets" onSubmit={onSearch}>
        <label htmlFor="hd-search">Search</label>
        <input id="hd-search" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Reference, subject, e-mail…" />
        <button type="submit" className="button">
          Search
        </button>
        <label htmlFor="hd-view">Show</label>
        <select id="hd-view" value={view} onChange={(e) => update({ view: e.target.value, offset: '' })}>
          <option value="open">Open tickets</option>
          <option value="unread">Unread by me</option>
          <option value="all">All tickets</option>
        </select>
      </form>
      <Section title={`Inbox${inbox.data ? ` (${inbox.data.helpdeskInbox.total}, ${inbox.data.helpdeskUnreadCount} unread)` : ''}`}>
        <QueryView
          state={inbox}
          label="the inbox"
          isEmpty={(d) => d.helpdeskInbox.items.length === 0}
          empty={view === 'unread' ? 'Nothing unread. Inbox zero.' : 'No tickets match.'}
        >
          {(data) => (
            <>
              <ul className="inbox" aria-label="Tickets">
                {data.helpdeskInbox.items.map((t) => (
                  <li key={t.id} className={t.unread ? 'unread' : undefined} data-testid="inbox-item">
                    <Link to={`/helpdesk/${t.id}`}>
                      <span className="inbox-ref">{t.reference}</span> {t.subject}
                    </Link>
                    {t.unread && <UnreadBadge />}
                    <div className="muted small">
                      <StatusBadge status={t.stage} /> {t.priority} · {t.kind} · {t.channel}
                      {t.clientLabel ? ` · ${t.clientLabel}` : ''} · {t.reporter.name ?? t.reporter.email ?? t.customerEmail ?? 'no reporter'} ·{' '}
                      {t.assignee ? `assigned to ${t.assignee}` : 'unassigned'} · {formatDateTime(t.updatedAt)}
                      {t.approvalState !== 'none' && (
                        <>
                          {' '}
                          · approval <StatusBadge status={t.approvalState} />
                        </>
                      )}
                    </div>
                  </li>
                ))}
              </ul>
              <Pager
                label="Inbox pages"
                hasPrevious={offset !== 0}
                hasNext={offset + PAGE_SIZE < data.helpdeskInbox.total}
                onPrevious={() => update({ offset: String(Math.max(0, offset - PAGE_SIZE)) })}
                onNext={() => update({ offset: String(offset + PAGE_SIZE) })}
              >
                {offset + 1}–{offset + data.helpdeskInbox.items.length} of {data.helpdeskInbox.total}
              </Pager>
            </>
          )}
        </QueryView>
      </Section>
    </Page>
  );
}
