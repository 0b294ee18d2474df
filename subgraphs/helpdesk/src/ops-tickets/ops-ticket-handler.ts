import { LockMode } from '@mikro-orm/core';
import type { EventHandler } from '@switchboard/kit';
import type { HelpdeskDeps } from '../deps.js';
import { Ticket } from '../tickets/ticket.js';
import { OPEN_STAGES } from '../tickets/ticket-rules.js';
import { openTicket, postMessage } from '../tickets/ticket-service.js';
import { OpsSource } from './ops-source.js';
import { later, OPS_EVENT_TYPES, opsDescriptionHtml, opsDetail, opsFamily, opsLinks, opsPriority, opsSourceKey, opsSubject } from './ops-rules.js';

/**
 * Something in Switchboard failed for good → one ops ticket per source, counted on every
 * occurrence. The runner applies each event id once, so a redelivery never counts twice; the
 * unique source key makes a race between replicas fail one of them, whose retry then counts.
 */
export function opsTicketHandler(deps: HelpdeskDeps): EventHandler<Record<string, unknown>> {
  return {
    name: 'ops-tickets',
    subjects: [...OPS_EVENT_TYPES],
    concurrency: 1,
    async handle(event, { em, events, logger }) {
      const data = event.data && typeof event.data === 'object' ? event.data : {};
      const subject = event.subject?.trim() || (typeof data['sourceKey'] === 'string' ? data['sourceKey'] : event.source);
      if (!event.subject) logger.warn({ eventType: event.type }, 'ops event without a subject; grouping by its source');
      const sourceKey = opsSourceKey(event.type, subject);
      const seenAt = Number.isNaN(Date.parse(event.time)) ? new Date() : new Date(event.time);
      const summary = opsSubject(event.type, subject, data);

      const source = await em.findOne(OpsSource, { sourceKey }, deps.db.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
      if (!source) {
        const links = opsLinks(data);
        const ticket = await openTicket({ em, events }, {
          kind: 'ops',
          channel: 'ops',
          subject: summary,
          descriptionHtml: opsDescriptionHtml(event.type, subject, data),
          priority: opsPriority(event.type),
          team: 'ops',
          reporter: { email: links.customerEmail ?? null, name: event.source },
          links,
        });
        em.persist(em.create(OpsSource, {
          ticketId: ticket.id,
          sourceKey,
          family: opsFamily(event.type),
          eventType: event.type,
          occurrenceCount: 1,
          firstSeenAt: seenAt,
          lastSeenAt: seenAt,
          lastEventId: event.id,
          lastSummary: summary.slice(0, 500),
          detail: opsDetail(data),
        }));
        return;
      }
      source.occurrenceCount += 1;
      source.eventType = event.type;
      if (seenAt.getTime() >= source.lastSeenAt.getTime()) {
        source.lastEventId = event.id;
        source.lastSummary = summary.slice(0, 500);
        source.detail = opsDetail(data);
      }
      source.lastSeenAt = later(source.lastSeenAt, seenAt);
      const ticket = await em.findOne(Ticket, { id: source.ticketId });
      if (!ticket) return;
      ticket.updatedAt = new Date();
      if (!OPEN_STAGES.includes(ticket.stage)) {
        // It came back after being closed: same ticket, reopened, with a note saying so.
        ticket.stage = 'new';
        await postMessage({ em, events }, ticket, {
          authorKind: 'system',
          authorName: 'Switchboard',
          bodyHtml: `<p>Reopened: this happened again (occurrence ${source.occurrenceCount}) at ${seenAt.toISOString()}.</p>`,
          visibility: 'internal',
        });
      }
    },
  };
}
