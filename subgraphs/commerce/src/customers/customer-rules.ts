import { normalizeEmail } from '@switchboard/kit';

export interface CustomerInput {
  email: string;
  name: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Normalizes and checks an upsert; the message names the field at fault. */
export function validateCustomerInput(input: { email?: unknown; name?: unknown }): Validated<CustomerInput> {
  const email = normalizeEmail(input.email);
  if (!email) return { ok: false, field: 'email', message: 'email must be a valid e-mail address' };
  const name = typeof input.name === 'string' ? input.name.trim().replace(/\s+/g, ' ') : '';
  if (!name) return { ok: false, field: 'name', message: 'name must not be empty' };
  if (name.length > 200) return { ok: false, field: 'name', message: 'name must be at most 200 characters' };
  return { ok: true, value: { email, name } };
}

/** Payload of `commerce.customer.upserted`. */
export interface CustomerUpserted {
  email: string;
  name: string;
  created: boolean;
}
