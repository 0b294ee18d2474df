import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { StatusBadge, UnreadBadge } from '../components/Badges';
import { Dialog, DialogActions } from '../components/Dialog';
import { Page, Section } from '../components/Page';
import { ActionMessage, LoadingState, ErrorState, QueryView } from '../components/QueryView';
import {
  AddInternalNoteDocument,
  ApprovalDraftDocument,
  MarkTicketReadDocument,
  ReplyToTicketDocument,
  RequestApprovalDocument,
  TicketThreadDocument,
  type TicketThreadQuery,
} from '../graphql/generated';
import { formatDateTime } from '../lib/format';
import { htmlToText, textToHtml } from '../lib/html';
import { notifyUnreadChanged } from '../lib/unread-events';
import { useMutation, useQuery } from '../lib/use-graphql';

type Ticket = NonNullable<TicketThreadQuery['ticket']>;

/** One ticket: the thread (internal notes marked), reply or note, and the owner approval. */
export function TicketPage() {
  const id = useParams().id ?? '';
  const thread = useQuery(TicketThreadDocument, { id });
  const [markRead] = useMutation(MarkTicketReadDocument);
  const marked = useRef<string | undefined>(undefined);

  // Opening the thread reads it: the unread badge clears here and in the navigation.
  const unread = thread.data?.ticket?.unread;
  useEffect(() => {
    if (!unread || marked.current === id) return;
    marked.current = id;
    markRead({ id })
      .then(() => {
        notifyUnreadChanged();
        return thread.refetch();
      })
      .catch(() => {
        marked.current = undefined;
      });
  }, [unread, id, markRead, thread]);

  const ticket = thread.data?.ticket;
  return (
    <Page title={ticket ? `${ticket.reference} · ${ticket.subject}` : 'Ticket'} actions={<Link to="/helpdesk">Back to inbox</Link>}>
      <QueryView state={thread} label="the ticket" isEmpty={(d) => !d.ticket} empty={`No ticket ${id}.`}>
        {(data) => <TicketView ticket={data.ticket!} onChanged={thread.refetch} />}
      </QueryView>
    </Page>
  );
}

function TicketView({ ticket, onChanged }: { ticket: Ticket; onChanged: () => Promise<void> }) {
  const [approvalOpen, setApprovalOpen] = useState(false);
  return (
    <div className="ticket-layout">
      <div>
        <Section title="Thread">
          <ol className="thread" aria-label="Messages, oldest first">
            {ticket.description && (
              <li className="message customer">
                <div className="message-meta">
                  <strong>{ticket.reporter.name ?? ticket.reporter.email ?? 'Reporter'}</strong> <span className="muted small">(original report)</span>
                  <time className="muted small" dateTime={ticket.createdAt}>
                    {formatDateTime(ticket.createdAt)}
                  </time>
                </div>
                <div className="message-body">{htmlToText(ticket.description)}</div>
              </li>
            )}
            {ticket.messages.map((m) => (
              <li key={m.id} className={m.internal ? 'message internal' : `message ${m.author.kind}`}>
                <div className="message-meta">
                  <strong>{m.author.name ?? m.author.email ?? m.author.kind}</strong> <span className="muted small">({m.author.kind})</span>
                  {m.internal && <span className="badge badge-warn">Internal note</span>}
                  <time className="muted small" dateTime={m.createdAt}>
                    {formatDateTime(m.createdAt)}
                  </time>
                </div>
                <div className="message-body">{htmlToText(m.body) || <em className="muted">(empty)</em>}</div>
              </li>
            ))}
            {ticket.messages.length === 0 && !ticket.description && <li className="muted">No messages yet.</li>}
          </ol>
        </Section>
        <Composer ticketId={ticket.id} disabled={ticket.stage === 'cancelled'} onSent={onChanged} />
      </div>
      <aside aria-label="Ticket details">
        <Section title="Details">
          <dl className="details">
            <dt>Stage</dt>
            <dd>
              <StatusBadge status={ticket.stage} /> {ticket.unread && <UnreadBadge />}
            </dd>
            <dt>Priority</dt>
            <dd>{ticket.priority}</dd>
            <dt>Kind / channel</dt>
            <dd>
              {ticket.kind} · {ticket.channel}
              {ticket.clientLabel ? ` · ${ticket.clientLabel}` : ''}
            </dd>
            <dt>Reporter</dt>
            <dd>
              {ticket.reporter.name ?? '—'} {ticket.reporter.email ? `<${ticket.reporter.email}>` : '(no e-mail: no follow-up by mail)'}
              {ticket.reporter.company ? ` · ${ticket.reporter.company}` : ''}
            </dd>
            <dt>Customer</dt>
            <dd>{ticket.customerEmail ? <Link to={`/customers/${encodeURIComponent(ticket.customerEmail)}`}>{ticket.customerEmail}</Link> : '—'}</dd>
            <dt>Assignee</dt>
            <dd>{ticket.assignee ?? 'unassigned'}</dd>
            <dt>Owner approval</dt>
            <dd>
              <StatusBadge status={ticket.approvalState} />
              {ticket.approval && (
                <div className="muted small">
                  {ticket.approval.ownerEmail} · asked {formatDateTime(ticket.approval.requestedAt)}
                  {ticket.approval.decidedAt ? ` · decided ${formatDateTime(ticket.approval.decidedAt)}` : ''}
                  {ticket.approval.decisionComment ? ` · “${ticket.approval.decisionComment}”` : ''}
                </div>
              )}
            </dd>
          </dl>
          <button type="button" className="button secondary" onClick={() => setApprovalOpen(true)} disabled={!ticket.clientLabel}>
            Request owner approval…
          </button>
          {!ticket.clientLabel && <p className="muted small">Only tickets from a client deployment have an owner to ask.</p>}
        </Section>
      </aside>
      <ApprovalDialog ticket={ticket} open={approvalOpen} onClose={() => setApprovalOpen(false)} onSent={onChanged} />
    </div>
  );
}

function Composer({ ticketId, disabled, onSent }: { ticketId: string; disabled: boolean; onSent: () => Promise<void> }) {
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  const [reply, replying] = useMutation(ReplyToTicketDocument);
  const [note, noting] = useMutation(AddInternalNoteDocument);
  const [result, setResult] = useState<{ error?: Error; success?: string }>({});
  const running = replying.running || noting.running;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!text.trim()) {
      setResult({ error: new Error(mode === 'reply' ? 'Write a reply first.' : 'Write a note first.') });
      return;
    }
    try {
      const body = textToHtml(text);
      if (mode === 'reply') await reply({ id: ticketId, body });
      else await note({ id: ticketId, body });
      setText('');
      setResult({ success: mode === 'reply' ? 'Reply sent; the reporter is e-mailed.' : 'Internal note added.' });
      notifyUnreadChanged();
      await onSent();
    } catch (error) {
      setResult({ error: error as Error });
    }
  }

  return (
    <Section title="Respond">
      <form onSubmit={onSubmit} className="composer">
        <fieldset className="segmented">
          <legend className="visually-hidden">Kind of message</legend>
          <label>
            <input type="radio" name="mode" value="reply" checked={mode === 'reply'} onChange={() => setMode('reply')} /> Public reply
          </label>
          <label>
            <input type="radio" name="mode" value="note" checked={mode === 'note'} onChange={() => setMode('note')} /> Internal note
          </label>
        </fieldset>
        <label htmlFor="composer-text">{mode === 'reply' ? 'Reply to the reporter' : 'Note for the team (never shown to the reporter)'}</label>
        <textarea id="composer-text" rows={5} value={text} onChange={(e) => setText(e.target.value)} disabled={disabled} />
        <ActionMessage {...result} />
        <button type="submit" className="button" disabled={disabled || running}>
          {running ? 'Sending…' : mode === 'reply' ? 'Send reply' : 'Add note'}
        </button>
        {disabled && <p className="muted small">A cancelled ticket takes no replies.</p>}
      </form>
    </Section>
  );
}

function ApprovalDialog({ ticket, open, onClose, onSent }: { ticket: Ticket; open: boolean; onClose: () => void; onSent: () => Promise<void> }) {
  const draft = useQuery(ApprovalDraftDocument, { ticketIds: [ticket.id] }, { skip: !open });
  const [request, requesting] = useMutation(RequestApprovalDocument);
  const [personalNote, setPersonalNote] = useState('');
  const [summary, setSummary] = useState<string>();
  const drafted = draft.data?.approvalDraft.summaries[0];

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    try {
      await request({
        input: {
          ticketIds: [ticket.id],
          personalNote: personalNote.trim() || null,
          summaries: [{ ticketId: ticket.id, summary: (summary ?? drafted?.summary ?? '').trim() }],
        },
      });
      onClose();
      await onSent();
    } catch {
      // Shown below.
    }
  }

  return (
    <Dialog open={open} title="Request owner approval" onClose={onClose}>
      {draft.error ? (
        <ErrorState error={draft.error} label="the approval draft" onRetry={draft.refetch} />
      ) : !draft.data ? (
        <LoadingState label="the approval draft" />
      ) : (
        <form onSubmit={onSubmit}>
          <p>
            The owner of {draft.data.approvalDraft.clientLabel}, {draft.data.approvalDraft.ownerName ?? ''} &lt;{draft.data.approvalDraft.ownerEmail}&gt;, gets an
            e-mail with one-click approve and reject links.
          </p>
          {draft.data.approvalDraft.banner && <p className="state state-awaiting">{draft.data.approvalDraft.banner}</p>}
          <label htmlFor="approval-summary">Summary for the owner</label>
          <textarea id="approval-summary" rows={4} value={summary ?? drafted?.summary ?? ''} onChange={(e) => setSummary(e.target.value)} />
          <label htmlFor="approval-note">Personal note (optional)</label>
          <textarea id="approval-note" rows={2} value={personalNote} onChange={(e) => setPersonalNote(e.target.value)} />
          <ActionMessage error={requesting.error} />
          <DialogActions onCancel={onClose} running={requesting.running} submitLabel="Send approval request" runningLabel="Sending…" />
        </form>
      )}
    </Dialog>
  );
}
