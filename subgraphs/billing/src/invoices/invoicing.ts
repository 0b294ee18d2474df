import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/core';
import type { EventEmitter } from '@switchboard/kit';
import { AccountLink } from '../accounts/account-link.js';
import { loadPlanPricing, type PlanPricing } from '../catalog/plan-pricing.js';
import type { BillingDeps } from '../deps.js';
import { periodAt, periodContaining } from '../rating/periods.js';
import { ratePeriod, type RatedPeriod } from '../rating/rate-period.js';
import { BillingService } from '../services/billing-service.js';
import { Dec, fixed, MONEY_SCALE, RATE_SCALE } from '../shared/decimal.js';
import { Subscription } from '../subscriptions/subscription.js';
import { announceThresholds } from '../usage/threshold-check.js';
import { periodKey, periodQuantities } from '../usage/usage-aggregates.js';
import { Invoice } from './invoice.js';
import { invoiceAnnounced, type InvoiceAnnounced } from './invoice-events.js';
import { InvoiceLine } from './invoice-line.js';
import { nextInvoiceNumber } from './invoice-numbers.js';
import { amountDue } from './invoice-rules.js';

export type Tx = { em: EntityManager; events: EventEmitter };

interface Window {
  start: Date;
  end: Date;
}

/** Rate one subscription period from the usage recorded so far. */
export async function rateSubscriptionPeriod(em: EntityManager, subscription: Subscription, pricing: PlanPricing, period: Window): Promise<RatedPeriod> {
  const quantities = await periodQuantities(em, [{ subscriptionId: subscription.id, periodStart: period.start }], pricing.aggregations);
  const plan = pricing.plan;
  return ratePeriod({
    planName: plan.name,
    interval: subscription.billingInterval,
    flatPrice: new Dec(String(subscription.billingInterval === 'yearly' ? (plan.priceYearly ?? plan.priceMonthly) : plan.priceMonthly)),
    charges: pricing.charges,
    usage: quantities.get(periodKey(subscription.id, period.start)) ?? new Map(),
  });
}

/**
 * The period's invoice with fresh lines, as long as it is a draft; an issued or void invoice of
 * the period is never rewritten (returns it unchanged).
 */
export async function writeDraftInvoice(em: EntityManager, subscription: Subscription, pricing: PlanPricing, period: Window, rated: RatedPeriod): Promise<Invoice> {
  let invoice = await em.findOne(Invoice, { subscriptionId: subscription.id, periodStart: period.start });
  if (invoice && invoice.status !== 'draft') return invoice;
  const link = await em.findOneOrFail(AccountLink, { id: subscription.accountLinkId });
  const fields = {
    customerEmail: subscription.customerEmail,
    externalCustomerId: link.externalId,
    currency: pricing.plan.currency,
    periodEnd: period.end,
    subtotal: fixed(rated.subtotal, MONEY_SCALE),
    exactTotal: fixed(rated.exactTotal, RATE_SCALE),
    updatedAt: new Date(),
  };
  if (invoice) {
    Object.assign(invoice, fields);
    await em.nativeDelete(InvoiceLine, { invoiceId: invoice.id });
  } else {
    invoice = em.create(Invoice, {
      id: randomUUID(),
      serviceId: subscription.serviceId,
      subscriptionId: subscription.id,
      kind: 'subscription',
      periodStart: period.start,
      ...fields,
    });
    em.persist(invoice);
  }
  rated.lines.forEach((line, position) =>
    em.persist(em.create(InvoiceLine, {
      invoiceId: invoice.id,
      position,
      kind: line.kind,
      description: line.description,
      chargeId: line.chargeId,
      metricCode: line.metricCode,
      quantity: fixed(line.quantity, 6),
      billableQuantity: fixed(line.billableQuantity, 6),
      unitPrice: fixed(line.unitPrice, RATE_SCALE),
      exactAmount: fixed(line.exactAmount, RATE_SCALE),
      amount: fixed(line.amount, MONEY_SCALE),
    })),
  );
  return invoice;
}

/** Issue an invoice: numbered, `open`, announced (`billing.invoice.finalized`) for collection. */
export async function issueInvoice(tx: Tx, invoice: Invoice, service: BillingService, now = new Date()): Promise<void> {
  invoice.number = await nextInvoiceNumber(tx.em, service, now);
  invoice.status = 'open';
  invoice.issuedAt = now;
  invoice.updatedAt = now;
  const due = fixed(amountDue(invoice), MONEY_SCALE);
  const summary = `${service.name} invoice ${invoice.number} issued to ${invoice.customerEmail}: ${due} ${invoice.currency}`;
  tx.events.emit<InvoiceAnnounced>('billing.invoice.finalized', invoiceAnnounced(invoice, service, due, summary), { subject: invoice.id });
}

async function closePeriod(tx: Tx, subscription: Subscription, pricing: PlanPricing, service: BillingService, period: Window, now: Date): Promise<boolean> {
  const rated = await rateSubscriptionPeriod(tx.em, subscription, pricing, period);
  const invoice = await writeDraftInvoice(tx.em, subscription, pricing, period, rated);
  if (invoice.status !== 'draft') return false;
  await issueInvoice(tx, invoice, service, now);
  return true;
}

export interface RefreshOutcome {
  issued: number;
  drafted: boolean;
  thresholds: number;
}

/**
 * Bring one subscription up to `now`: issue the invoice of every period that ended more than the
 * grace ago (the quota resets with each one), then re-rate the open period's draft and announce any threshold reached.
 * Shadow subscriptions only move their period window: no invoice, no event, no webhook.
 */
export async function refreshSubscription(
  tx: Tx,
  deps: Pick<BillingDeps, 'webhooks' | 'billing'>,
  subscription: Subscription,
  pricing: PlanPricing,
  now = new Date(),
): Promise<RefreshOutcome> {
  const outcome: RefreshOutcome = { issued: 0, drafted: false, thresholds: 0 };
  if (subscription.status === 'terminated') return outcome;
  const service = await tx.em.findOneOrFail(BillingService, { id: subscription.serviceId });
  // A period is closed (invoiced) only after the grace, so the last hours' late pushes still count.
  while (subscription.currentPeriodEnd.getTime() + deps.billing.periodCloseGraceMs <= now.getTime()) {
    const closing = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
    if (!subscription.shadow && (await closePeriod(tx, subscription, pricing, service, closing, now))) outcome.issued++;
    const next = periodContaining(subscription.anchorAt, subscription.billingInterval, closing.end)!;
    subscription.currentPeriodStart = next.start;
    subscription.currentPeriodEnd = next.end;
    subscription.updatedAt = now;
  }
  if (subscription.shadow) return outcome;
  const current = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
  const rated = await rateSubscriptionPeriod(tx.em, subscription, pricing, current);
  await writeDraftInvoice(tx.em, subscription, pricing, current, rated);
  outcome.drafted = true;
  outcome.thresholds = await announceThresholds(tx, deps, [{ subscription, periodStart: current.start, periodEnd: current.end }], new Map([[pricing.plan.id, pricing]]));
  return outcome;
}

/** Termination closes the open period now: its invoice is issued with the usage recorded so far. */
export async function closeOnTermination(tx: Tx, subscription: Subscription, now = new Date()): Promise<Invoice | undefined> {
  if (subscription.shadow) return undefined;
  const pricing = (await loadPlanPricing(tx.em, [subscription.planId])).get(subscription.planId)!;
  const service = await tx.em.findOneOrFail(BillingService, { id: subscription.serviceId });
  const period = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
  const rated = await rateSubscriptionPeriod(tx.em, subscription, pricing, period);
  const invoice = await writeDraftInvoice(tx.em, subscription, pricing, period, rated);
  if (invoice.status === 'draft') await issueInvoice(tx, invoice, service, now);
  return invoice;
}

export interface RatingSummary {
  subscriptions: number;
  invoicesIssued: number;
  draftsRated: number;
  shadowSkipped: number;
  thresholdsAnnounced: number;
  failed: { subscriptionId: string; error: string }[];
}

/**
 * Rate every open period (the hourly job): each subscription in its own transaction, so one bad
 * subscription never blocks the others; on PostgreSQL replicas skip rows another one is rating.
 */
export async function rateOpenPeriods(deps: BillingDeps, now = new Date(), pageSize = 200): Promise<RatingSummary> {
  const summary: RatingSummary = { subscriptions: 0, invoicesIssued: 0, draftsRated: 0, shadowSkipped: 0, thresholdsAnnounced: 0, failed: [] };
  let after = '';
  for (;;) {
    const page = await deps.db.em().find(
      Subscription,
      { status: { $in: ['active', 'past_due'] }, id: { $gt: after } },
      { orderBy: { id: 'asc' }, limit: pageSize },
    );
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    const pricing = await loadPlanPricing(deps.db.em(), page.map((s) => s.planId));
    for (const row of page) {
      summary.subscriptions++;
      try {
        const outcome = await deps.transaction(async (tx) => {
          const subscription = await tx.em.findOne(Subscription, { id: row.id }, deps.db.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE } : {});
          if (!subscription) return undefined; // being rated by another replica
          const plan = pricing.get(subscription.planId) ?? (await loadPlanPricing(tx.em, [subscription.planId])).get(subscription.planId)!;
          return refreshSubscription(tx, deps, subscription, plan, now);
        });
        if (!outcome) continue;
        if (row.shadow) summary.shadowSkipped++;
        summary.invoicesIssued += outcome.issued;
        if (outcome.drafted) summary.draftsRated++;
        summary.thresholdsAnnounced += outcome.thresholds;
      } catch (error) {
        deps.logger.error({ err: error, subscriptionId: row.id }, 'rating a subscription failed');
        summary.failed.push({ subscriptionId: row.id, error: (error as Error).message });
      }
    }
    if (page.length < pageSize) break;
  }
  return summary;
}

/** Periods to bill start at the later of the subscription's start and now: earlier ones were billed elsewhere. */
export function initialPeriod(anchor: Date, interval: Subscription['billingInterval'], now: Date) {
  return anchor.getTime() > now.getTime() ? periodAt(anchor, interval, 0) : periodContaining(anchor, interval, now)!;
}
