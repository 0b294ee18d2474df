import type { ServiceRuntime } from '@switchboard/kit';
import { Ticket } from './tickets/ticket.js';
import { openTicket } from './tickets/ticket-service.js';

/**
 * Demo tickets for `pnpm start`; keyed by subject and customer, so re-seeding is harmless. They
 * are opened like any support ticket (numbered by the sequence, announced, acknowledged).
 */
export async function seedHelpdeskDemo(runtime: ServiceRuntime): Promise<void> {
  const demo = [
    { subject: 'Invoice INV-1001 shows the wrong VAT', kind: 'question' as const, stage: 'new', customerEmail: 'ada@example.com' },
    { subject: 'Export to CSV', kind: 'feature' as const, stage: 'solved', customerEmail: 'ada@example.com' },
  ];
  for (const row of demo) {
    await runtime.transaction(async ({ em, events }) => {
      if (await em.findOne(Ticket, { subject: row.subject, customerEmail: row.customerEmail })) return;
      const ticket = await openTicket({ em, events }, {
        kind: row.kind,
        subject: row.subject,
        descriptionHtml: '',
        channel: 'support',
        reporter: { email: row.customerEmail, name: 'Ada Lovelace' },
      });
      ticket.stage = row.stage;
    });
  }
}
