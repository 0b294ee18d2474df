import { normalizeEmail, type Decimal } from '@switchboard/kit';
import type { PlanInput } from '../catalog/catalog-rules.js';
import type { BillingInterval } from '../rating/periods.js';
import type { SubscriptionStatus } from '../subscriptions/subscription.js';
import type { SourcePlan, SourceSubscription, SourceUser } from './source-reader.js';

/**
 * How an app's users, plans and subscriptions become billing's customers, catalog and shadow
 * subscriptions (pure). Stable keys: the user id (account link), the plan id (plan code), the
 * subscription id (subscription external id).
 */

/** A row the importer refuses (missing key, bad value): reported under `failed`, the batch goes on. */
export class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}

/** The metric NexaCloud-style sources meter overage on. */
export const CPU_METRIC = { code: 'cpu_seconds', name: 'CPU seconds', aggregation: 'sum', unitLabel: 'CPU-seconds' } as const;
/** One core-hour: the unit the CPU price refers to. */
export const CPU_SECONDS_PER_CORE_HOUR = '3600';

function clean(value: string | null | undefined): string | null {
  const text = (value ?? '').trim();
  return text ? text : null;
}

export interface MappedUser {
  externalId: string;
  /** `billing_email` wins over `email` (trimmed, lower-case); null → the user cannot be billed. */
  email: string | null;
  name: string;
  profile: {
    fullName: string | null;
    company: string | null;
    billingAddress: string | null;
    billingCity: string | null;
    billingState: string | null;
    billingPostalCode: string | null;
    billingCountry: string | null;
    taxId: string | null;
    providerCustomerId: string | null;
  };
}

export function mapUser(row: SourceUser): MappedUser {
  const externalId = clean(row.id);
  if (!externalId) throw new RowError('user row without an id');
  const email = normalizeEmail(clean(row.billing_email) ?? clean(row.email) ?? '') ?? null;
  const name = (clean(row.full_name) ?? clean(row.company) ?? email ?? externalId).slice(0, 200);
  const country = clean(row.billing_country);
  return {
    externalId,
    email,
    name,
    profile: {
      fullName: clean(row.full_name),
      company: clean(row.company),
      billingAddress: clean(row.billing_address),
      billingCity: clean(row.billing_city),
      billingState: clean(row.billing_state),
      billingPostalCode: clean(row.billing_postal_code),
      // ISO codes are stored upper-case; a country written out in full is kept as written.
      billingCountry: country && country.length === 2 ? country.toUpperCase() : country,
      taxId: clean(row.tax_id),
      providerCustomerId: clean(row.stripe_customer_id),
    },
  };
}

export interface PlanMappingOptions {
  serviceName: string;
  currency: string;
  cpuPricePerCoreHour: Decimal;
}

/** A plan with its CPU overage charge (quota in CPU-seconds, priced per core-hour). */
export function mapPlan(row: SourcePlan, options: PlanMappingOptions): PlanInput {
  const code = clean(row.id);
  if (!code) throw new RowError('plan row without an id');
  const name = clean(row.name) ?? code;
  if (row.price_monthly === null || row.price_monthly === undefined) throw new RowError(`plan ${code} has no monthly price`);
  return {
    code,
    name,
    currency: options.currency,
    priceMonthly: row.price_monthly,
    priceYearly: row.price_yearly,
    active: row.is_active !== false,
    charges: [{
      metricCode: CPU_METRIC.code,
      name: `${options.serviceName} CPU overage — ${name}`.slice(0, 200),
      chargeModel: 'standard',
      includedQuota: row.cpu_seconds_quota ?? '0',
      pricePerUnit: options.cpuPricePerCoreHour.toFixed(),
      unitBatch: CPU_SECONDS_PER_CORE_HOUR,
    }],
  };
}

export interface MappedSubscription {
  externalId: string;
  userExternalId: string | null;
  planCode: string | null;
  interval: BillingInterval;
  status: SubscriptionStatus;
  deploymentId: string | null;
  periodStart: Date;
  periodEnd: Date;
}

/**
 * `yearly`/`annual` cycles are yearly, anything else monthly (as the seed). Status: the app's
 * `cancelled` is `terminated`, `past_due` stays, everything else (`active`, `trialing`, `paused`)
 * is `active` — a shadow subscription is never charged whatever its status.
 */
export function mapSubscription(row: SourceSubscription): MappedSubscription {
  const externalId = clean(row.id);
  if (!externalId) throw new RowError('subscription row without an id');
  if (!row.current_period_start) throw new RowError(`subscription ${externalId} has no current_period_start`);
  const cycle = (clean(row.billing_cycle) ?? 'monthly').toLowerCase();
  const interval: BillingInterval = cycle === 'yearly' || cycle === 'annual' || cycle === 'annually' ? 'yearly' : 'monthly';
  const status = (clean(row.status) ?? 'active').toLowerCase();
  const mapped: SubscriptionStatus = status === 'cancelled' || status === 'canceled' ? 'terminated' : status === 'past_due' ? 'past_due' : 'active';
  const periodStart = row.current_period_start;
  let periodEnd = row.current_period_end;
  if (!periodEnd || periodEnd.getTime() <= periodStart.getTime()) {
    periodEnd = new Date(periodStart);
    periodEnd.setUTCMonth(periodEnd.getUTCMonth() + (interval === 'yearly' ? 12 : 1));
  }
  return {
    externalId,
    userExternalId: clean(row.user_id),
    planCode: clean(row.plan_id),
    interval,
    status: mapped,
    deploymentId: clean(row.deployment_id),
    periodStart,
    periodEnd,
  };
}
