import { humanize } from '../lib/format';

const TONES: Record<string, 'good' | 'bad' | 'warn' | 'info' | 'muted'> = {
  delivered: 'good', acknowledged: 'good', succeeded: 'good', processed: 'good', verified: 'good', forwarded: 'good',
  issued: 'good', paid: 'good', match: 'good', resolved: 'good', replayed: 'good', completed: 'good', success: 'good',
  solved: 'good', active: 'good', approved: 'good',
  exhausted: 'bad', failed: 'bad', dead: 'bad', rejected: 'bad', declined: 'bad', delta: 'bad', void: 'muted', cancelled: 'muted',
  pending: 'warn', in_flight: 'info', awaiting_ack: 'info', running: 'info', retrying: 'warn', unknown: 'warn',
  waiting: 'warn', delayed: 'warn', open: 'info', draft: 'muted', new: 'info', in_progress: 'info', issuing: 'info',
  duplicate: 'muted', superseded: 'muted', consolidated: 'muted', ignored: 'muted', partially_refunded: 'warn', refunded: 'muted',
};

/** A status as a coloured pill; the text always says it too (colour is never the only signal). */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="badge badge-muted">—</span>;
  const tone = TONES[status.toLowerCase()] ?? 'muted';
  return <span className={`badge badge-${tone}`}>{humanize(status.toLowerCase())}</span>;
}

/** The unread marker of a ticket or a count of unread tickets. */
export function UnreadBadge({ count, label = 'unread' }: { count?: number; label?: string }) {
  if (count === 0) return null;
  return (
    <span className="badge badge-unread" data-testid="unread-badge">
      {count === undefined ? label : `${count} ${label}`}
    </span>
  );
}
