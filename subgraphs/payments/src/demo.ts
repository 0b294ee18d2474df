import type { ServiceRuntime } from '@switchboard/kit';
import { Payment } from './payments/payment.js';

/** Demo payments for `pnpm start`; stable ids make re-seeding harmless. */
export async function seedPaymentsDemo(runtime: ServiceRuntime): Promise<void> {
  await runtime.transaction(async ({ em }) => {
    const demo = [
      { id: 'demo-charge-1', customerEmail: 'ada@example.com', kind: 'charge', provider: 'clover', status: 'succeeded', amountValue: '120.00', currency: 'USD', reference: 'INV-1001' },
      { id: 'demo-refund-1', customerEmail: 'ada@example.com', kind: 'refund', provider: 'clover', status: 'succeeded', amountValue: '20.00', currency: 'USD', reference: 'INV-1001' },
      { id: 'demo-charge-2', customerEmail: 'grace@example.com', kind: 'charge', provider: 'clover', status: 'failed', amountValue: '75.50', currency: 'USD', reference: 'INV-1002' },
    ];
    for (const row of demo) {
      if (!(await em.findOne(Payment, { id: row.id }))) em.persist(em.create(Payment, { ...row, createdAt: new Date() }));
    }
  });
}
