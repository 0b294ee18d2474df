import type { ServiceRuntime } from '@switchboard/kit';
import { Ticket } from './tickets/ticket.js';

/** Demo tickets for `pnpm start`; stable ids make re-seeding harmless. */
export async function seedHelpdeskDemo(runtime: ServiceRuntime): Promise<void> {
  await runtime.transaction(async ({ em }) => {
    const demo = [
      { id: 'demo-ticket-1', reference: 'HD-000001', subject: 'Invoice INV-1001 shows the wrong VAT', kind: 'question', stage: 'new', customerEmail: 'ada@example.com' },
      { id: 'demo-ticket-2', reference: 'HD-000002', subject: 'Export to CSV', kind: 'feature', stage: 'solved', customerEmail: 'ada@example.com' },
    ];
    for (const row of demo) {
      if (!(await em.findOne(Ticket, { id: row.id }))) em.persist(em.create(Ticket, { ...row, createdAt: new Date() }));
    }
  });
}
