import type { ServiceRuntime } from '@switchboard/kit';
import { upsertCustomer } from './customers/customer-resolver.js';

export const DEMO_CUSTOMERS = [
  { email: 'ada@example.com', name: 'Ada Lovelace' },
  { email: 'grace@example.com', name: 'Grace Hopper' },
  { email: 'linus@example.com', name: 'Linus Torvalds' },
];

/** Demo data for `pnpm start`; upserts are idempotent, so re-running is harmless. */
export async function seedCommerceDemo(runtime: ServiceRuntime): Promise<void> {
  for (const customer of DEMO_CUSTOMERS) await upsertCustomer(runtime, customer);
}
