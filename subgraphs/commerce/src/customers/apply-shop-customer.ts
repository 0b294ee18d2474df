import { shopTime } from '../prestashop/ps-values.js';
import { freshness, PROCESSED, type ApplyContext, type ApplyOutcome, type EventMeta } from '../prestashop/processing-types.js';
import type { ProcessingStore } from '../prestashop/processing-store.js';
import { CustomerAddress } from './customer-address.js';
import type { AddressPayload, CustomerPayload } from './customer-payload.js';
import { applyCustomerProfile, CUSTOMER_UPSERTED } from './customer-profile.js';
import { validateCustomerInput, type CustomerUpserted } from './customer-rules.js';
import { ShopCustomerAccount } from './shop-account.js';

/**
 * A customer account event. The account is keyed by PrestaShop id; its e-mail names the
 * federated Customer, whose profile (name) is upserted with the same rules and event as the
 * upsertCustomer mutation. Orders that arrived before their customer get its e-mail now.
 */
export function applyCustomerEvent(store: ProcessingStore, ctx: ApplyContext, meta: EventMeta, payload: CustomerPayload): ApplyOutcome {
  const existing = store.accounts.get(payload.id);
  const stale = freshness(existing, meta);
  if (stale) return stale;
  const previousEmail = existing?.email;
  const account = existing ?? store.add(Object.assign(new ShopCustomerAccount(), { id: payload.id, createdAt: ctx.now }));
  const deleted = meta.actionType === 'deleted';
  Object.assign(account, {
    email: payload.email,
    firstName: payload.firstname ?? null,
    lastName: payload.lastname ?? null,
    defaultGroupId: payload.id_default_group ?? null,
    active: payload.active ?? null,
    newsletter: payload.newsletter ?? null,
    optin: payload.optin ?? null,
    registeredAt: shopTime(payload.date_add, ctx.config.timezone),
    deletedAt: deleted ? (account.deletedAt ?? meta.occurredAt) : null,
    lastEventId: meta.sourceEventId,
    contentHash: meta.contentHash,
    updatedAt: ctx.now,
  });
  store.accounts.set(account.id, account);
  if (previousEmail !== payload.email) store.emailChanges.set(account.id, payload.email);

  // A deleted shop account leaves the Customer (and what other subgraphs hang on it) in place.
  if (!deleted) {
    const name = [payload.firstname, payload.lastname].filter(Boolean).join(' ');
    const checked = validateCustomerInput({ email: payload.email, name: name || payload.email.split('@')[0] });
    if (checked.ok) {
      const current = store.customers.get(checked.value.email) ?? null;
      const { customer, upserted } = applyCustomerProfile(current, checked.value, ctx.now);
      if (!current) store.customers.set(customer.email, store.add(customer));
      if (upserted) ctx.events.emit<CustomerUpserted>(CUSTOMER_UPSERTED, upserted, { subject: customer.email });
    }
  }
  return PROCESSED;
}

/** An address hook, folded into a customer update by the module. */
export function applyAddressEvent(
  store: ProcessingStore,
  ctx: ApplyContext,
  meta: EventMeta,
  payload: { customerId: number; action: 'created' | 'updated' | 'deleted'; address: AddressPayload },
): ApplyOutcome {
  const { address } = payload;
  const existing = store.addresses.get(address.id);
  const stale = freshness(existing, meta);
  if (stale) return stale;
  const row = existing ?? store.add(Object.assign(new CustomerAddress(), { id: address.id }));
  Object.assign(row, {
    accountId: payload.customerId,
    alias: address.alias ?? null,
    company: address.company ?? null,
    firstName: address.firstname ?? null,
    lastName: address.lastname ?? null,
    address1: address.address1 ?? null,
    address2: address.address2 ?? null,
    postcode: address.postcode ?? null,
    city: address.city ?? null,
    countryId: address.id_country || null,
    stateId: address.id_state || null,
    phone: address.phone ?? null,
    phoneMobile: address.phone_mobile ?? null,
    deletedAt: payload.action === 'deleted' ? (row.deletedAt ?? meta.occurredAt) : null,
    lastEventId: meta.sourceEventId,
    contentHash: meta.contentHash,
    updatedAt: ctx.now,
  });
  store.addresses.set(row.id, row);
  return PROCESSED;
}

/**
 * Gives the orders of accounts whose e-mail the run set their new e-mail. The run loaded every
 * order of those accounts (ProcessingStore), so this is in memory and written with the rest.
 */
export function applyEmailChanges(store: ProcessingStore, now: Date): void {
  if (store.emailChanges.size === 0) return;
  for (const order of store.orders.values()) {
    const email = order.accountId ? store.emailChanges.get(order.accountId) : undefined;
    if (email && order.customerEmail !== email) {
      order.customerEmail = email;
      order.updatedAt = now;
    }
  }
}
