import type { EntityManager } from '@mikro-orm/core';
import { isCurrency, normalizeEmail } from '@switchboard/kit';
import { Subscription } from '../subscriptions/subscription.js';
import { InputError, text } from '../shared/validation.js';
import { AccountLink } from './account-link.js';
import { BillingAccount } from './billing-account.js';

export interface CustomerInput {
  externalId: unknown;
  email: unknown;
  name?: unknown;
  currency?: unknown;
}

export interface UpsertedCustomer {
  link: AccountLink;
  account: BillingAccount;
  created: boolean;
}

/**
 * An app announces one of its customers: the (service, external id) link points at the customer's
 * e-mail, and the billing account for that e-mail exists. A changed e-mail moves the link and its
 * subscriptions to the new customer; the account's name stays commerce's once commerce has one.
 */
export async function upsertCustomer(em: EntityManager, serviceId: string, input: CustomerInput): Promise<UpsertedCustomer> {
  const externalId = text(input.externalId, 200);
  if (!externalId) throw new InputError('external_id', 'must be a non-empty string of at most 200 characters');
  const email = normalizeEmail(input.email);
  if (!email) throw new InputError('email', 'must be a valid e-mail address');
  const name = input.name === undefined || input.name === null ? undefined : text(input.name, 200);
  if (input.name !== undefined && input.name !== null && !name) throw new InputError('name', 'must be 1–200 characters');
  const currency = input.currency === undefined || input.currency === null ? undefined : String(input.currency).toUpperCase();
  if (currency !== undefined && !isCurrency(currency)) throw new InputError('currency', 'must be an ISO 4217 code such as USD or CAD');

  let account = await em.findOne(BillingAccount, { email });
  if (!account) {
    account = em.create(BillingAccount, { email, name: name ?? email, ...(currency ? { currency } : {}), openedAt: new Date() });
    em.persist(account);
  }
  let link = await em.findOne(AccountLink, { serviceId, externalId });
  const created = !link;
  if (!link) {
    link = em.create(AccountLink, { serviceId, externalId, email });
    em.persist(link);
  } else if (link.email !== email) {
    link.email = email;
    link.updatedAt = new Date();
    await em.nativeUpdate(Subscription, { accountLinkId: link.id }, { customerEmail: email, updatedAt: new Date() });
  }
  return { link, account, created };
}
