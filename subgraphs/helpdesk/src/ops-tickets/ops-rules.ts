import { escapeHtml } from '../shared/html.js';
import type { TicketPriority } from '../tickets/ticket-rules.js';

/**
 * Which events open ops tickets (DESIGN.md's table, plus every domain's exhausted deliveries and
 * the helpdesk's own undeliverable mail). Producers follow one convention: `subject` is the
 * stable source key, `data.summary` a one-line description, the rest detail. Pure.
 */
export const OPS_EVENT_TYPES = [
  'payments.delivery.exhausted',
  'commerce.delivery.exhausted',
  'billing.delivery.exhausted',
  'billing.reconciliation.delta',
  'billing.invoice.payment_failed',
  'commerce.sync.failing',
  'payments.deadletter',
  'commerce.deadletter',
  'billing.deadletter',
  'helpdesk.deadletter',
  'helpdesk.mail.failed',
] as const;

/** Dead letters of every domain share one family; the subject already names service and consumer. */
export function opsFamily(type: string): string {
  return type.endsWith('.deadletter') ? 'deadletter' : type;
}

/** One ops ticket per (family, source). */
export function opsSourceKey(type: string, subject: string): string {
  return `${opsFamily(type)}|${subject}`.slice(0, 400);
}

export function opsPriority(type: string): TicketPriority {
  if (type.endsWith('.deadletter') || type.endsWith('.delivery.exhausted')) return 'high';
  if (type === 'billing.invoice.payment_failed' || type === 'commerce.sync.failing') return 'high';
  return 'normal';
}

/** The ticket subject: the producer's one-line summary, else what happened where. */
export function opsSubject(type: string, subject: string, data: Record<string, unknown>): string {
  const summary = typeof data['summary'] === 'string' ? data['summary'].split('\n')[0]!.trim() : '';
  return (summary || `${type} for ${subject}`).slice(0, 300);
}

/** Everything but the summary, kept on the ticket as detail. */
export function opsDetail(data: Record<string, unknown>): Record<string, unknown> {
  const { summary: _summary, ...detail } = data;
  return detail;
}

/** Links to the graph when the event names a customer, order, invoice or payment. */
export function opsLinks(data: Record<string, unknown>): { customerEmail?: string; orderId?: string; invoiceId?: string; paymentId?: string } {
  const pick = (...keys: string[]) => {
    for (const key of keys) {
      const value = data[key];
      if (typeof value === 'string' && value.trim() && value.length <= 64) return value.trim();
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    }
    return undefined;
  };
  const email = pick('customerEmail', 'email');
  return {
    ...(email && /@/.test(email) ? { customerEmail: email.toLowerCase() } : {}),
    ...(pick('orderId') ? { orderId: pick('orderId') } : {}),
    ...(pick('invoiceId') ? { invoiceId: pick('invoiceId') } : {}),
    ...(pick('paymentId', 'chargeId') ? { paymentId: pick('paymentId', 'chargeId') } : {}),
  };
}

/** The ticket description: the summary and the detail as an escaped table. */
export function opsDescriptionHtml(type: string, subject: string, data: Record<string, unknown>): string {
  const rows = Object.entries(opsDetail(data)).map(([key, value]) =>
    `<tr><th>${escapeHtml(key)}</th><td><code>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</code></td></tr>`);
  return `<p>${escapeHtml(opsSubject(type, subject, data))}</p>` +
    `<p>Event <code>${escapeHtml(type)}</code>, source <code>${escapeHtml(subject)}</code>.</p>` +
    (rows.length ? `<table><tbody>${rows.join('')}</tbody></table>` : '');
}

/** The later of two instants (events can arrive out of order). */
export function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
