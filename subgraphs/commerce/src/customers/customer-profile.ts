import { Customer } from './customer.js';
import type { CustomerInput, CustomerUpserted } from './customer-rules.js';

export const CUSTOMER_UPSERTED = 'commerce.customer.upserted';

/**
 * Creates the profile or renames it. `upserted` is the `commerce.customer.upserted` payload, or
 * null when nothing changed (re-sending the same data announces nothing). Shared by the
 * upsertCustomer mutation and the PrestaShop intake so both keep one contract.
 */
export function applyCustomerProfile(
  existing: Customer | null,
  input: CustomerInput,
  now: Date,
): { customer: Customer; upserted: CustomerUpserted | null } {
  if (!existing) {
    const customer = Object.assign(new Customer(), { email: input.email, name: input.name, createdAt: now, updatedAt: now });
    return { customer, upserted: { email: customer.email, name: customer.name, created: true } };
  }
  if (existing.name === input.name) return { customer: existing, upserted: null };
  existing.name = input.name;
  existing.updatedAt = now;
  return { customer: existing, upserted: { email: existing.email, name: existing.name, created: false } };
}
