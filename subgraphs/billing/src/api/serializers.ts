import type { AccountLink } from '../accounts/account-link.js';
import type { BillingAccount } from '../accounts/billing-account.js';
import type { Charge, StoredTier } from '../catalog/charge.js';
import type { Metric } from '../catalog/metric.js';
import type { Plan } from '../catalog/plan.js';
import type { CreditNote } from '../invoices/credit-note.js';
import type { Invoice } from '../invoices/invoice.js';
import type { InvoiceLine } from '../invoices/invoice-line.js';
import { amountDue } from '../invoices/invoice-rules.js';
import { fixed, MONEY_SCALE, RATE_SCALE } from '../shared/decimal.js';
import type { Subscription } from '../subscriptions/subscription.js';

/** REST shapes: snake_case, decimal strings, ISO instants (the Lago-style contract apps already speak). */

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const dec = (value: string | number, scale: number) => fixed(String(value), scale);
const qty = (value: string | number) => fixed(String(value), 6).replace(/\.?0+$/, '') || '0';

export function customerJson(link: AccountLink, account: BillingAccount) {
  return {
    external_id: link.externalId,
    email: link.email,
    name: account.name,
    currency: account.currency,
    account_number: account.number,
    created_at: iso(link.createdAt),
  };
}

export function subscriptionJson(subscription: Subscription, refs: { planCode: string; externalCustomerId: string }) {
  return {
    id: subscription.id,
    external_id: subscription.externalId,
    external_customer_id: refs.externalCustomerId,
    plan_code: refs.planCode,
    billing_interval: subscription.billingInterval,
    status: subscription.status,
    shadow: subscription.shadow,
    deployment_id: subscription.deploymentId ?? null,
    started_at: iso(subscription.anchorAt),
    current_period_start: iso(subscription.currentPeriodStart),
    current_period_end: iso(subscription.currentPeriodEnd),
    terminated_at: iso(subscription.terminatedAt),
    created_at: iso(subscription.createdAt),
  };
}

export function invoiceJson(invoice: Invoice, lines?: InvoiceLine[], creditNotes?: CreditNote[]) {
  return {
    id: invoice.id,
    number: invoice.number ?? null,
    kind: invoice.kind,
    status: invoice.status,
    external_customer_id: invoice.externalCustomerId,
    customer_email: invoice.customerEmail,
    subscription_id: invoice.subscriptionId ?? null,
    currency: invoice.currency,
    period_start: iso(invoice.periodStart),
    period_end: iso(invoice.periodEnd),
    subtotal: dec(invoice.subtotal, MONEY_SCALE),
    credited_amount: dec(invoice.creditedAmount, MONEY_SCALE),
    amount_due: fixed(amountDue(invoice), MONEY_SCALE),
    issued_at: iso(invoice.issuedAt),
    paid_at: iso(invoice.paidAt),
    voided_at: iso(invoice.voidedAt),
    payment_attempts: invoice.paymentAttempts,
    last_payment_error: invoice.lastPaymentError ?? null,
    updated_at: iso(invoice.updatedAt),
    ...(lines
      ? {
          lines: lines.map((line) => ({
            kind: line.kind,
            description: line.description,
            metric: line.metricCode ?? null,
            quantity: qty(line.quantity),
            billable_quantity: qty(line.billableQuantity),
            unit_price: dec(line.unitPrice, RATE_SCALE),
            exact_amount: dec(line.exactAmount, RATE_SCALE),
            amount: dec(line.amount, MONEY_SCALE),
          })),
        }
      : {}),
    ...(creditNotes ? { credit_notes: creditNotes.map(creditNoteJson) } : {}),
  };
}

export function creditNoteJson(note: CreditNote) {
  return {
    id: note.id,
    number: note.number,
    invoice_id: note.invoiceId,
    amount: dec(note.amount, MONEY_SCALE),
    currency: note.currency,
    reason: note.reason,
    created_at: iso(note.createdAt),
  };
}

export function metricJson(metric: Metric) {
  return {
    code: metric.code,
    name: metric.name,
    aggregation: metric.aggregation,
    unit_label: metric.unitLabel,
    rounding: { mode: metric.roundingMode, scale: metric.roundingScale },
  };
}

export function planJson(plan: Plan, charges: Charge[], metricById: Map<number, Metric>) {
  return {
    code: plan.code,
    name: plan.name,
    currency: plan.currency,
    price_monthly: dec(plan.priceMonthly, MONEY_SCALE),
    price_yearly: plan.priceYearly === null || plan.priceYearly === undefined ? null : dec(plan.priceYearly, MONEY_SCALE),
    active: plan.active,
    charges: charges.map((charge) => ({
      metric: metricById.get(charge.metricId)?.code ?? null,
      name: charge.name,
      charge_model: charge.chargeModel,
      included_quota: qty(charge.includedQuota),
      price_per_unit: dec(charge.pricePerUnit, RATE_SCALE),
      unit_batch: qty(charge.unitBatch),
      tiers: charge.tiers ? (JSON.parse(charge.tiers) as StoredTier[]) : null,
    })),
  };
}

/** `?limit=` of list endpoints: 1–200, default 50. */
export function listLimit(raw: string | undefined, fallback = 50): number {
  const parsed = Number(raw);
  return Number.isInteger(parsed) ? Math.min(Math.max(parsed, 1), 200) : fallback;
}
