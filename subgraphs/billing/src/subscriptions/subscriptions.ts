import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { AccountLink } from '../accounts/account-link.js';
import { loadPlanPricing } from '../catalog/plan-pricing.js';
import { Plan } from '../catalog/plan.js';
import type { BillingDeps } from '../deps.js';
import { closeOnTermination, initialPeriod, refreshSubscription, type Tx } from '../invoices/invoicing.js';
import { BILLING_INTERVALS, type BillingInterval } from '../rating/periods.js';
import type { BillingService } from '../services/billing-service.js';
import { ConflictError, InputError, instant, text, UnresolvedError } from '../shared/validation.js';
import { Subscription } from './subscription.js';
import { subscriptionRef } from './subscription-refs.js';

type Deps = Pick<BillingDeps, 'webhooks' | 'billing'>;

export interface SubscriptionInput {
  external_customer_id?: unknown;
  plan_code?: unknown;
  external_id?: unknown;
  billing_interval?: unknown;
  started_at?: unknown;
  deployment_id?: unknown;
  shadow?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A subscription of this service by our id or the app's external id; other services' are invisible. */
export async function findSubscription(em: EntityManager, serviceId: string, ref: string): Promise<Subscription | null> {
  const byExternal = await em.findOne(Subscription, { serviceId, externalId: ref });
  if (byExternal) return byExternal;
  return UUID.test(ref) ? em.findOne(Subscription, { serviceId, id: ref.toLowerCase() }) : null;
}

function optionalText(value: unknown, field: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const checked = text(value, 200);
  if (!checked) throw new InputError(field, 'must be a non-empty string of at most 200 characters or null');
  return checked;
}

async function activePlan(em: EntityManager, serviceId: string, code: unknown, interval: BillingInterval): Promise<Plan> {
  const planCode = text(code, 100);
  if (!planCode) throw new InputError('plan_code', 'must be a non-empty string');
  const plan = await em.findOne(Plan, { serviceId, code: planCode });
  if (!plan || !plan.active) throw new UnresolvedError('plan_code', `names no active plan of this service: ${planCode}`);
  if (interval === 'yearly' && plan.priceYearly === null) throw new UnresolvedError('billing_interval', `plan ${planCode} is not sold yearly`);
  return plan;
}

async function refresh(tx: Tx, deps: Deps, subscription: Subscription, now: Date): Promise<void> {
  const pricing = (await loadPlanPricing(tx.em, [subscription.planId])).get(subscription.planId)!;
  await tx.em.flush();
  await refreshSubscription(tx, deps, subscription, pricing, now);
}

/**
 * Create a subscription (idempotent on the app's external id: the same request again returns the
 * existing one; a different plan or customer under that id is a conflict). Billing starts with
 * the period containing now (or the first period when the start is in the future); earlier periods
 * of a migrated subscription were billed by the app. A draft invoice exists at once unless shadow.
 */
export async function createSubscription(tx: Tx, deps: Deps, service: BillingService, input: SubscriptionInput, now = new Date()): Promise<{ subscription: Subscription; created: boolean }> {
  const { em } = tx;
  const externalId = text(input.external_id, 200);
  if (!externalId) throw new InputError('external_id', 'must be a non-empty string of at most 200 characters');
  const customerId = text(input.external_customer_id, 200);
  if (!customerId) throw new InputError('external_customer_id', 'must be a non-empty string of at most 200 characters');
  const interval = (input.billing_interval ?? 'monthly') as BillingInterval;
  if (!BILLING_INTERVALS.includes(interval)) throw new InputError('billing_interval', `must be one of ${BILLING_INTERVALS.join(', ')}`);
  const startedAt = input.started_at === undefined || input.started_at === null ? now : instant(input.started_at);
  if (!startedAt) throw new InputError('started_at', 'must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T00:00:00Z');
  if (input.shadow !== undefined && typeof input.shadow !== 'boolean') throw new InputError('shadow', 'must be true or false');
  const deploymentId = optionalText(input.deployment_id, 'deployment_id') ?? null;

  const link = await em.findOne(AccountLink, { serviceId: service.id, externalId: customerId });
  if (!link) throw new UnresolvedError('external_customer_id', `names no customer of this service: ${customerId} (POST /customers first)`);
  const plan = await activePlan(em, service.id, input.plan_code, interval);

  const existing = await em.findOne(Subscription, { serviceId: service.id, externalId });
  if (existing) {
    const same = existing.planId === plan.id && existing.accountLinkId === link.id && existing.billingInterval === interval;
    if (!same) throw new ConflictError(`external_id ${externalId} already names another subscription; change it with PUT /subscriptions/${externalId}`);
    return { subscription: existing, created: false };
  }
  const period = initialPeriod(startedAt, interval, now);
  const subscription = em.create(Subscription, {
    id: randomUUID(),
    serviceId: service.id,
    externalId,
    accountLinkId: link.id,
    customerEmail: link.email,
    planId: plan.id,
    billingInterval: interval,
    anchorAt: startedAt,
    currentPeriodStart: period.start,
    currentPeriodEnd: period.end,
    shadow: input.shadow === true,
    deploymentId,
  });
  em.persist(subscription);
  if (!subscription.shadow) await refresh(tx, deps, subscription, now);
  return { subscription, created: true };
}

/**
 * Change the plan (effective for the open period, which is re-rated: no proration), the
 * deployment, or flip a shadow subscription live (`shadow: false`; never back). The interval
 * cannot change: terminate and create another.
 */
export async function updateSubscription(tx: Tx, deps: Deps, service: BillingService, subscription: Subscription, input: SubscriptionInput, now = new Date()): Promise<Subscription> {
  if (subscription.status === 'terminated') throw new ConflictError(`subscription ${subscription.externalId} is terminated`);
  if (input.billing_interval !== undefined && input.billing_interval !== subscription.billingInterval) {
    throw new InputError('billing_interval', 'cannot change on an existing subscription; terminate it and create another');
  }
  if (input.external_id !== undefined && input.external_id !== subscription.externalId) throw new InputError('external_id', 'cannot change');
  if (input.external_customer_id !== undefined) throw new InputError('external_customer_id', 'cannot change; point the customer at another e-mail with POST /customers');
  if (input.started_at !== undefined) throw new InputError('started_at', 'cannot change');
  if (input.shadow !== undefined) {
    if (typeof input.shadow !== 'boolean') throw new InputError('shadow', 'must be true or false');
    if (input.shadow && !subscription.shadow) throw new InputError('shadow', 'a live subscription cannot go back to shadow');
    subscription.shadow = input.shadow;
  }
  if (input.plan_code !== undefined) subscription.planId = (await activePlan(tx.em, service.id, input.plan_code, subscription.billingInterval)).id;
  const deploymentId = optionalText(input.deployment_id, 'deployment_id');
  if (deploymentId !== undefined) subscription.deploymentId = deploymentId;
  subscription.updatedAt = now;
  if (!subscription.shadow) await refresh(tx, deps, subscription, now);
  return subscription;
}

/**
 * End a subscription now: the open period's invoice is issued with the usage so far and the app is
 * told to deprovision (`subscription.terminated`). Terminating twice changes nothing.
 */
export async function terminateSubscription(tx: Tx, deps: Deps, service: BillingService, subscription: Subscription, now = new Date()): Promise<Subscription> {
  if (subscription.status === 'terminated') return subscription;
  await closeOnTermination(tx, subscription, now);
  subscription.status = 'terminated';
  subscription.terminatedAt = now;
  subscription.updatedAt = now;
  if (!subscription.shadow) {
    deps.webhooks.send(tx, service, 'subscription.terminated', {
      ...(await subscriptionRef(tx.em, subscription)),
      status: 'terminated',
      terminated_at: now.toISOString(),
    }, subscription.id);
  }
  return subscription;
}
