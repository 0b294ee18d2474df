import { randomUUID } from 'node:crypto';
import { seedPaymentsDemo } from '@switchboard/payments';
import { DeadLetter } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { AppSource, loadImporterFixture } from '../../../subgraphs/billing/test/ledger/support/app-source.js';
import type { TestSystem } from '../../support/test-system.js';

export const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };
/** Whose billing account only exists once the planted dead letter is replayed. */
export const MARGARET = { email: 'margaret@example.com', name: 'Margaret Hamilton' };
export const APP_CODE = 'nexacloud';
export const TICKET_SUBJECT = 'Export button does nothing';

/** GraphQL through the gateway that must succeed. */
export async function gql(sb: TestSystem, query: string, variables: Record<string, unknown> = {}, roles = ['admin']): Promise<any> {
  const result = await sb.graphql(query, variables, roles);
  if (result.status !== 200 || result.body.errors?.length) {
    throw new Error(`GraphQL ${result.status}: ${JSON.stringify(result.body.errors ?? result.body)}`);
  }
  return result.body.data;
}

/**
 * The app's own database as billing's importer and reconciliation read it: Ada is one of its
 * users, and its February invoice says 19.98 where Switchboard computes 20.00 (a delta).
 */
export async function appSourceWithDelta(source: AppSource): Promise<void> {
  await loadImporterFixture(source, {
    users: [{ id: 'u-1', email: ADA.email, full_name: ADA.name, company: null, billing_email: null, billing_address: null, billing_city: null, billing_state: null, billing_postal_code: null, billing_country: null, tax_id: null, stripe_customer_id: 'cus_ADA' }],
    plans: [{ id: 'p-1', name: 'Starter', price_monthly: '20.0', price_yearly: '200.0', cpu_seconds_quota: 18000, is_active: true }],
    subscriptions: [
      { id: 's-1', user_id: 'u-1', deployment_id: 'd-1', plan_id: 'p-1', status: 'active', billing_cycle: 'monthly', current_period_start: '2025-01-01 00:00:00', current_period_end: '2025-02-01 00:00:00' },
    ],
  });
  await source.insertInvoices([
    { id: 'i-jan', user_id: 'u-1', subscription_id: 's-1', created_at: '2025-01-31 00:00:00', currency: 'CAD', status: 'paid', subtotal: '20.00', tax: '0', items: [{ description: 'Starter', amount: '20', period_start: '2025-01-01 00:00:00' }] },
    { id: 'i-feb', user_id: 'u-1', subscription_id: 's-1', created_at: '2025-02-28 00:00:00', currency: 'CAD', status: 'open', subtotal: '19.98', tax: '0', items: [{ description: 'Starter', amount: '19.98', period_start: '2025-02-01 00:00:00' }] },
  ]);
}

/**
 * Everything the console tests look at, made through the system's public interfaces: the
 * customer (commerce → billing account over the bus), payments, a billing app with a live
 * subscription and metered usage, an imported app catalogue reconciled into a delta, a ticket
 * filed from a client app (unread for agents), a WEX card whose delivery to Odoo failed, and a
 * dead letter.
 */
export async function seedConsoleData(sb: TestSystem): Promise<{ apiKey: string }> {
  const upsert = 'mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { email } }';
  await gql(sb, upsert, { input: ADA });
  await seedPaymentsDemo(sb.system.services.payments!.deps);
  await eventually(() => gql(sb, '{ billingAccount(email: "ada@example.com") { number } }'), (d) => d.billingAccount !== null);

  // Billing: the app, its metric and plan, then (as the app, over REST) Ada's live subscription and usage.
  const created = await gql(sb, `mutation { createBillingService(input: { code: "${APP_CODE}", name: "NexaCloud", webhookUrl: null }) { apiKey } }`);
  const apiKey = created.createBillingService.apiKey as string;
  await gql(sb, `mutation { upsertBillingMetric(serviceCode: "${APP_CODE}", input: { code: "cpu_seconds", name: "CPU seconds", aggregation: "sum", unitLabel: "CPU-seconds" }) { code } }`);
  await gql(sb, `mutation($input: BillingPlanInput!) { upsertBillingPlan(serviceCode: "${APP_CODE}", input: $input) { code } }`, {
    input: {
      code: 'p-live', name: 'Starter', currency: 'CAD', priceMonthly: '20.00', priceYearly: '200.00',
      charges: [{ metricCode: 'cpu_seconds', name: 'CPU overage', chargeModel: 'standard', includedQuota: '18000', pricePerUnit: '0.0075', unitBatch: '3600' }],
    },
  });
  const api = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${sb.gatewayUrl}/api/billing/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  await api('POST', '/customers', { external_id: 'u-live', email: ADA.email });
  await api('POST', '/subscriptions', { external_customer_id: 'u-live', plan_code: 'p-live', external_id: 's-live', deployment_id: 'd-live', started_at: new Date(Date.now() - 5 * 86_400_000).toISOString() });
  await api('POST', '/usage', { usage: [{ subscription_id: 's-live', metric: 'cpu_seconds', quantity: 21_600, idempotency_key: 'console-e2e-1', timestamp: new Date(Date.now() - 60_000).toISOString() }] });
  await gql(sb, 'mutation { rateOpenBillingPeriods { invoicesIssued } }');

  // Reconciliation against the app's own database: import its catalogue, reconcile, one delta.
  const importRun = await gql(sb, `mutation { importBillingCatalog(serviceCode: "${APP_CODE}", dryRun: false) { id } }`);
  await eventually(() => gql(sb, 'query($id: ID!) { importRun(id: $id) { status error } }', { id: importRun.importBillingCatalog.id }), (d) => d.importRun.status !== 'running', { timeoutMs: 60_000 });
  const run = await gql(sb, `mutation { startReconciliation(kind: "subscriptions", serviceCode: "${APP_CODE}") { id } }`);
  const finished = await eventually(() => gql(sb, 'query($id: ID!) { reconciliationRun(id: $id) { status error } }', { id: run.startReconciliation.id }), (d) => d.reconciliationRun.status !== 'running', { timeoutMs: 60_000 });
  if (finished.reconciliationRun.status !== 'succeeded') throw new Error(`reconciliation ${finished.reconciliationRun.status}: ${finished.reconciliationRun.error}`);

  // Helpdesk: a client deployment, and a bug Ada files from inside its app.
  const client = await gql(sb, 'mutation { registerHelpdeskClient(input: { label: "ENTECH", name: "Entech", ownerEmail: "owner@entech.test", ownerName: "Olivia Owner" }) { apiKey } }');
  const submitted = await fetch(`${sb.gatewayUrl}/api/helpdesk/submit`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${client.registerHelpdeskClient.apiKey}`,
      'content-type': 'application/json',
      'x-helpdesk-user-email': ADA.email,
      'x-helpdesk-user-name': ADA.name,
      'x-helpdesk-user-admin': 'false',
    },
    body: JSON.stringify({ kind: 'bug', subject: TICKET_SUBJECT, description: 'Clicking Export on the invoices screen does nothing.' }),
  });
  if (submitted.status !== 201) throw new Error(`helpdesk submit: ${submitted.status} ${await submitted.text()}`);
  // …and follows up from the app: a customer message no agent has read yet.
  const { ticket_id: ticketId } = (await submitted.json()) as { ticket_id: string };
  const followUp = await fetch(`${sb.gatewayUrl}/api/helpdesk/ticket/${ticketId}/reply`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${client.registerHelpdeskClient.apiKey}`,
      'content-type': 'application/json',
      'x-helpdesk-user-email': ADA.email,
      'x-helpdesk-user-name': ADA.name,
      'x-helpdesk-user-admin': 'false',
    },
    body: JSON.stringify({ body: 'Still broken this morning, and we need the export for month end.' }),
  });
  if (followUp.status !== 201) throw new Error(`helpdesk reply: ${followUp.status} ${await followUp.text()}`);

  // A dead letter: billing's account opener gave up on Margaret's announcement (as after a
  // database outage outlasting its retries); replaying it must open her account.
  await plantDeadLetter(sb);
  return { apiKey };
}

/**
 * The row the consumer runner writes after an event's last failed attempt (kit tests cover how
 * it gets there; waiting out the real 2½-minute backoff here would only slow the suite).
 */
async function plantDeadLetter(sb: TestSystem): Promise<void> {
  const event = {
    id: randomUUID(),
    type: 'commerce.customer.upserted',
    source: 'commerce',
    time: new Date().toISOString(),
    subject: MARGARET.email,
    data: MARGARET,
  };
  const em = sb.system.services.billing!.deps.db.em();
  em.persist(Object.assign(new DeadLetter(), {
    consumer: 'open-account-on-customer',
    eventId: event.id,
    eventType: event.type,
    envelope: JSON.stringify(event),
    error: 'connect ECONNREFUSED 10.0.0.7:5432 (database unavailable)',
    attempts: 5,
    status: 'dead',
  }));
  await em.flush();
}
