import type { BillingDeps } from '../deps.js';
import { BillingService } from '../services/billing-service.js';
import { fixed, MONEY_SCALE } from '../shared/decimal.js';
import { ConflictError } from '../shared/validation.js';
import { Subscription } from '../subscriptions/subscription.js';
import { subscriptionRef } from '../subscriptions/subscription-refs.js';
import type { SubscriptionRef } from '../webhooks/app-events.js';
import { Invoice } from './invoice.js';
import { invoiceAnnounced, type InvoicePaymentFailed, type InvoicePaymentSucceeded } from './invoice-events.js';
import { amountDue, canRecordPayment } from './invoice-rules.js';
import type { Tx } from './invoicing.js';

type Deps = Pick<BillingDeps, 'webhooks'>;

async function context(tx: Tx, invoice: Invoice) {
  const service = await tx.em.findOneOrFail(BillingService, { id: invoice.serviceId });
  const subscription = invoice.subscriptionId ? await tx.em.findOne(Subscription, { id: invoice.subscriptionId }) : null;
  const ref: Partial<SubscriptionRef> & { deployment_id: string | null } = subscription
    ? await subscriptionRef(tx.em, subscription)
    : { deployment_id: null, external_customer_id: invoice.externalCustomerId };
  return { service, subscription, ref };
}

function invoiceData(invoice: Invoice) {
  return {
    invoice_id: invoice.id,
    invoice_number: invoice.number ?? null,
    amount_due: fixed(amountDue(invoice), MONEY_SCALE),
    total: fixed(invoice.subtotal, MONEY_SCALE),
    currency: invoice.currency,
  };
}

/**
 * A payment attempt failed: the invoice stays open (it can be retried), the subscription goes
 * `past_due`, the app is told (`invoice.payment_failed` → suspend), and ops hear of it
 * (`billing.invoice.payment_failed`, one ticket per invoice). Shadow subscriptions never get here:
 * they have no invoices.
 */
export async function recordPaymentFailed(tx: Tx, deps: Deps, invoice: Invoice, reason: string, now = new Date()): Promise<Invoice> {
  const allowed = canRecordPayment(invoice.status);
  if (!allowed.ok) throw new ConflictError(`cannot record a failed payment: ${allowed.reason}`);
  invoice.paymentAttempts += 1;
  invoice.paymentFailedAt = now;
  invoice.lastPaymentError = reason;
  invoice.updatedAt = now;
  const { service, subscription, ref } = await context(tx, invoice);
  if (subscription && subscription.status === 'active') {
    subscription.status = 'past_due';
    subscription.updatedAt = now;
  }
  const due = fixed(amountDue(invoice), MONEY_SCALE);
  const summary = `Payment of ${service.name} invoice ${invoice.number} (${due} ${invoice.currency}, ${invoice.customerEmail}) failed (attempt ${invoice.paymentAttempts}): ${reason}`;
  tx.events.emit<InvoicePaymentFailed>('billing.invoice.payment_failed', {
    ...invoiceAnnounced(invoice, service, due, summary),
    deploymentId: ref.deployment_id,
    attempts: invoice.paymentAttempts,
    reason,
  }, { subject: invoice.id });
  deps.webhooks.send(tx, service, 'invoice.payment_failed', {
    ...ref,
    ...invoiceData(invoice),
    attempts: invoice.paymentAttempts,
    reason,
    failed_at: now.toISOString(),
  }, invoice.id);
  return invoice;
}

/**
 * The invoice is paid: `invoice.payment_succeeded` to the app, and a `past_due` subscription with
 * nothing else failing becomes `active` again (`subscription.reactivated` → restore). Recording the
 * same success twice is a no-op.
 */
export async function recordPaymentSucceeded(tx: Tx, deps: Deps, invoice: Invoice, paymentReference: string | null, now = new Date()): Promise<Invoice> {
  if (invoice.status === 'paid') return invoice;
  const allowed = canRecordPayment(invoice.status);
  if (!allowed.ok) throw new ConflictError(`cannot record a payment: ${allowed.reason}`);
  const due = fixed(amountDue(invoice), MONEY_SCALE);
  invoice.status = 'paid';
  invoice.paidAt = now;
  invoice.updatedAt = now;
  const { service, subscription, ref } = await context(tx, invoice);
  tx.events.emit<InvoicePaymentSucceeded>('billing.invoice.payment_succeeded', {
    ...invoiceAnnounced(invoice, service, due, `${service.name} invoice ${invoice.number} paid (${due} ${invoice.currency})`),
    paidAt: now.toISOString(),
    paymentReference,
  }, { subject: invoice.id });
  deps.webhooks.send(tx, service, 'invoice.payment_succeeded', { ...ref, ...invoiceData(invoice), amount_paid: due, paid_at: now.toISOString() }, invoice.id);

  if (subscription?.status === 'past_due') {
    await tx.em.flush();
    const stillFailing = await tx.em.count(Invoice, { subscriptionId: subscription.id, status: 'open', paymentFailedAt: { $ne: null } });
    if (stillFailing === 0) {
      subscription.status = 'active';
      subscription.updatedAt = now;
      deps.webhooks.send(tx, service, 'subscription.reactivated', { ...ref, status: 'active', reactivated_at: now.toISOString() }, subscription.id);
    }
  }
  return invoice;
}
