import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Database, Decimal } from '@switchboard/kit';
import { AccountLink } from '../accounts/account-link.js';
import { upsertCustomer } from '../accounts/account-links.js';
import { upsertMetric, upsertPlan } from '../catalog/catalog-admin.js';
import { Charge } from '../catalog/charge.js';
import { Plan } from '../catalog/plan.js';
import type { BillingService } from '../services/billing-service.js';
import { Dec } from '../shared/decimal.js';
import { Subscription } from '../subscriptions/subscription.js';
import type { Progress } from './background-runs.js';
import { CPU_METRIC, mapPlan, mapSubscription, mapUser } from './catalog-mapping.js';
import { count, describeError, emptySummary, note, type RunSummary } from './run-summary.js';
import { SourceCustomer } from './source-customer.js';
import type { CatalogRows } from './source-reader.js';

export interface CatalogImportOptions {
  dryRun: boolean;
  currency: string;
  cpuPricePerCoreHour: Decimal;
}

class DryRunRollback extends Error {}

type Change = 'created' | 'updated' | 'unchanged';

/**
 * Import an app's users, plans and subscriptions (a re-runnable migration, not a sync): customers
 * and account links by user id, plans and their CPU charge by plan id, shadow subscriptions by
 * subscription id. One transaction, one savepoint per row: a failing row is reported and rolled
 * back alone. A dry run does all of it and rolls everything back, so its summary is exact and
 * nothing is written. Shadow subscriptions are never invoiced, charged or announced (issue 8's
 * rating skips them); a live subscription under the same id is never touched.
 */
export async function importCatalog(db: Database, service: BillingService, rows: CatalogRows, options: CatalogImportOptions, progress?: Progress): Promise<RunSummary> {
  const summary = emptySummary(options.dryRun);
  progress?.setTotal(rows.users.length + rows.plans.length + rows.subscriptions.length);
  const row = async (em: EntityManager, kind: string, id: string | null, work: (tx: EntityManager) => Promise<void>) => {
    try {
      await em.transactional(work);
    } catch (error) {
      note(summary, 'failed', { kind, id: id ?? '(no id)', reason: describeError(error) });
    }
    // Rows re-read what they need: an identity map kept across rows makes every savepoint fork
    // and flush walk all earlier rows (quadratic on a catalog of thousands).
    em.clear();
    progress?.advance();
  };
  try {
    await db.em().transactional(async (em) => {
      if (rows.plans.length > 0) {
        await upsertMetric(em, service.id, { ...CPU_METRIC });
        await em.flush();
      }
      for (const user of rows.users) await row(em, 'user', user.id, (tx) => importUser(tx, service, user, options, summary));
      for (const plan of rows.plans) await row(em, 'plan', plan.id, (tx) => importPlan(tx, service, plan, options, summary));
      for (const subscription of rows.subscriptions) await row(em, 'subscription', subscription.id, (tx) => importSubscription(tx, service, subscription, summary));
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return summary;
}

async function importUser(em: EntityManager, service: BillingService, row: CatalogRows['users'][number], options: CatalogImportOptions, summary: RunSummary): Promise<void> {
  const user = mapUser(row);
  if (!user.email) {
    note(summary, 'skipped', { kind: 'user', id: user.externalId, reason: 'no e-mail address (neither billing_email nor email)' });
    return;
  }
  const before = await em.findOne(AccountLink, { serviceId: service.id, externalId: user.externalId });
  const previousEmail = before?.email;
  const { link } = await upsertCustomer(em, service.id, { externalId: user.externalId, email: user.email, name: user.name, currency: options.currency });
  let profile = await em.findOne(SourceCustomer, { serviceId: service.id, externalId: user.externalId });
  const fields = { email: link.email, ...user.profile };
  const profileChanged = !profile || Object.entries(fields).some(([key, value]) => (profile as unknown as Record<string, unknown>)[key] !== value);
  if (!profile) {
    profile = em.create(SourceCustomer, { serviceId: service.id, externalId: user.externalId, ...fields });
  } else if (profileChanged) {
    Object.assign(profile, fields, { updatedAt: new Date() });
  }
  await em.flush();
  const change: Change = !before ? 'created' : previousEmail !== link.email || profileChanged ? 'updated' : 'unchanged';
  count(summary[change], 'customers');
}

/** Decimal text compared by value ('18000', '18000.000000' and 18000 read back from SQLite are equal). */
function canonical(value: unknown): string {
  return new Dec(String(value)).toString();
}

function planSnapshot(plan: Plan | null, charges: Charge[]): string {
  if (!plan) return '';
  return JSON.stringify([
    plan.name, plan.currency, canonical(plan.priceMonthly), plan.priceYearly === null || plan.priceYearly === undefined ? null : canonical(plan.priceYearly), plan.active,
    charges.map((c) => [c.metricId, c.name, c.chargeModel, canonical(c.includedQuota), canonical(c.pricePerUnit), canonical(c.unitBatch), c.tiers ?? null]),
  ]);
}

async function importPlan(em: EntityManager, service: BillingService, row: CatalogRows['plans'][number], options: CatalogImportOptions, summary: RunSummary): Promise<void> {
  const input = mapPlan(row, { serviceName: service.name, currency: options.currency, cpuPricePerCoreHour: options.cpuPricePerCoreHour });
  const existing = await em.findOne(Plan, { serviceId: service.id, code: input.code });
  const before = planSnapshot(existing, existing ? await em.find(Charge, { planId: existing.id }, { orderBy: { metricId: 'asc' } }) : []);
  const { plan } = await upsertPlan(em, service.id, input);
  await em.flush();
  const after = planSnapshot(plan, await em.find(Charge, { planId: plan.id }, { orderBy: { metricId: 'asc' } }));
  count(summary[!existing ? 'created' : before === after ? 'unchanged' : 'updated'], 'plans');
}

async function importSubscription(em: EntityManager, service: BillingService, row: CatalogRows['subscriptions'][number], summary: RunSummary): Promise<void> {
  const mapped = mapSubscription(row);
  const skip = (reason: string) => note(summary, 'skipped', { kind: 'subscription', id: mapped.externalId, reason });
  const link = mapped.userExternalId ? await em.findOne(AccountLink, { serviceId: service.id, externalId: mapped.userExternalId }) : null;
  if (!link) return skip(`unresolved user${mapped.userExternalId ? ` ${mapped.userExternalId}` : ''}`);
  const plan = mapped.planCode ? await em.findOne(Plan, { serviceId: service.id, code: mapped.planCode }) : null;
  if (!plan) return skip(`unresolved plan${mapped.planCode ? ` ${mapped.planCode}` : ''}`);
  if (mapped.interval === 'yearly' && (plan.priceYearly === null || plan.priceYearly === undefined)) return skip(`plan ${plan.code} has no yearly price`);

  const existing = await em.findOne(Subscription, { serviceId: service.id, externalId: mapped.externalId });
  if (existing && !existing.shadow) return skip('a live (non-shadow) subscription has this id: the importer never touches it');
  const now = new Date();
  const fields = {
    accountLinkId: link.id,
    customerEmail: link.email,
    planId: plan.id,
    billingInterval: mapped.interval,
    anchorAt: mapped.periodStart,
    status: mapped.status,
    deploymentId: mapped.deploymentId,
  };
  if (!existing) {
    em.create(Subscription, {
      id: randomUUID(),
      serviceId: service.id,
      externalId: mapped.externalId,
      ...fields,
      currentPeriodStart: mapped.periodStart,
      currentPeriodEnd: mapped.periodEnd,
      shadow: true,
      terminatedAt: mapped.status === 'terminated' ? mapped.periodEnd : null,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    count(summary.created, 'subscriptions');
    return;
  }
  const changed = existing.accountLinkId !== fields.accountLinkId || existing.customerEmail !== fields.customerEmail
    || existing.planId !== fields.planId || existing.billingInterval !== fields.billingInterval
    || existing.anchorAt.getTime() !== fields.anchorAt.getTime() || existing.status !== fields.status
    || (existing.deploymentId ?? null) !== fields.deploymentId;
  if (!changed) {
    count(summary.unchanged, 'subscriptions');
    return;
  }
  // The period window is the source's only when the anchor moved: otherwise rating keeps it current.
  const moved = existing.anchorAt.getTime() !== fields.anchorAt.getTime() || existing.billingInterval !== fields.billingInterval;
  Object.assign(existing, fields, {
    ...(moved ? { currentPeriodStart: mapped.periodStart, currentPeriodEnd: mapped.periodEnd } : {}),
    terminatedAt: fields.status === 'terminated' ? existing.terminatedAt ?? mapped.periodEnd : null,
    updatedAt: now,
  });
  await em.flush();
  count(summary.updated, 'subscriptions');
}
