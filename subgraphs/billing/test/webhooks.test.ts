import { createEvent, Delivery, DeliveryAttempt } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook, webhookHeaders } from '../src/webhooks/signing.js';
import { Infrastructure, registerApp, startBilling, startReceiver, type AppSetup, type BillingUnderTest, type DbKind } from './support/billing-harness.js';

describe('Standard Webhooks signing (pure)', () => {
  it('signs "id.timestamp.body" with the base64-decoded secret, as the public verifier expects', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'usage.threshold_reached', data: { deployment_id: 'd-1', note: 'ünïcode ✓' } });
    const headers = webhookHeaders(secret, 'msg_1', body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // The same bytes, the same signature as the library computes.
    const timestamp = Number(headers['webhook-timestamp']);
    expect(signWebhook(secret, 'msg_1', timestamp, body)).toBe(new Webhook(secret).sign('msg_1', new Date(timestamp * 1000), body));
    expect(() => new Webhook(secret).verify(body.replace('d-1', 'd-2'), headers)).toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });
});

describe.each<[DbKind, 'nats' | 'in-process']>([
  ['postgres', 'nats'],
  ['sqlite', 'in-process'],
])('webhooks to apps on %s with the %s bus', (db, busKind) => {
  const infra = new Infrastructure();
  let billing: BillingUnderTest;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let app: AppSetup;

  beforeAll(async () => {
    receiver = await startReceiver();
    billing = await startBilling({ databaseUrl: await infra.databaseUrl(db), bus: await infra.bus(busKind) });
    app = await registerApp(billing, 'nexacloud', receiver.url);
    await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'u-1', email: 'billing@acme.test' } });
    await billing.api('POST', '/subscriptions', { key: app.apiKey, body: { external_customer_id: 'u-1', plan_code: 'p-1', external_id: 's-1', deployment_id: 'd-1' } });
  });
  afterAll(async () => {
    await billing?.stop();
    await receiver?.stop();
    await infra.stop();
  });

  /** Every request the app received verifies with the public standardwebhooks library. */
  const verifiedOfType = (type: string) =>
    receiver.ofType(type).map((hit) => {
      const payload = new Webhook(app.webhookSecret).verify(hit.body, hit.headers) as { type: string; data: Record<string, unknown> };
      return { payload, headers: hit.headers };
    });

  const invoiceOf = async (externalSubscriptionId: string, status: string) =>
    (await billing.api('GET', `/invoices?subscription_id=${externalSubscriptionId}&status=${status}`, { key: app.apiKey })).body.invoices[0];

  it('usage.threshold_reached at 80 % and 100 %, each once, with deployment_id', async () => {
    const usage = [
      { subscription_id: 's-1', metric: 'cpu_seconds', quantity: 15000, idempotency_key: 'h1' },
      { subscription_id: 's-1', metric: 'cpu_seconds', quantity: 5000, idempotency_key: 'h2' },
    ];
    await billing.api('POST', '/usage', { key: app.apiKey, body: { usage: [usage[0]] } });
    await billing.api('POST', '/usage', { key: app.apiKey, body: { usage } });
    const hits = await eventually(async () => verifiedOfType('usage.threshold_reached'), (h) => h.length === 2);
    expect(hits.map((h) => h.payload.data.threshold_percent).sort()).toEqual([100, 80]);
    expect(hits.find((h) => h.payload.data.threshold_percent === 100)!.payload.data).toMatchObject({
      deployment_id: 'd-1',
      external_subscription_id: 's-1',
      external_customer_id: 'u-1',
      plan_code: 'p-1',
      metric: 'cpu_seconds',
      quantity: '20000',
      included_quota: '18000',
    });
  });

  it('a failed payment (payments.charge.failed on the bus) → invoice.payment_failed, past_due, an ops event', async () => {
    await billing.api('DELETE', '/subscriptions/s-1', { key: app.apiKey }); // issues the period's invoice
    await billing.api('POST', '/subscriptions', { key: app.apiKey, body: { external_customer_id: 'u-1', plan_code: 'p-1', external_id: 's-2', deployment_id: 'd-2' } });
    const oneOff = (await billing.api('POST', '/invoices', { key: app.apiKey, body: { external_customer_id: 'u-1', currency: 'CAD', lines: [{ description: 'Fee', unit_price: '9.99' }] } })).body.invoice;
    const issued = await invoiceOf('s-1', 'open');
    await billing.deps.bus.publish(createEvent({ type: 'payments.charge.failed', source: 'payments', data: { invoiceId: issued.id, reason: 'card declined' } }));
    await billing.deps.bus.publish(createEvent({ type: 'payments.charge.failed', source: 'payments', data: { orderId: 'o-1', reason: 'not ours' } }));

    const hits = await eventually(async () => verifiedOfType('invoice.payment_failed'), (h) => h.length === 1);
    expect(hits[0]!.payload.data).toMatchObject({
      invoice_id: issued.id,
      invoice_number: issued.number,
      deployment_id: 'd-1',
      external_subscription_id: 's-1',
      amount_due: issued.amount_due,
      currency: 'CAD',
      reason: 'card declined',
      attempts: 1,
    });
    const [event] = await billing.outbox('billing.invoice.payment_failed');
    expect(event!.subject).toBe(issued.id);
    expect(event!.data.summary).toMatch(/failed \(attempt 1\): card declined/);

    // A one-off invoice without a subscription still tells the app (deployment_id null).
    await billing.gql(`mutation($id: ID!) { recordInvoicePayment(id: $id, succeeded: false, reason: "insufficient funds") { paymentAttempts } }`, { id: oneOff.id }, ['finance']);
    const oneOffHits = await eventually(async () => verifiedOfType('invoice.payment_failed'), (h) => h.length === 2);
    expect(oneOffHits[1]!.payload.data).toMatchObject({ invoice_id: oneOff.id, deployment_id: null, external_customer_id: 'u-1' });
  });

  it('payment after a failure → invoice.payment_succeeded and subscription.reactivated', async () => {
    await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'u-9', email: 'nine@acme.test' } });
    await billing.api('POST', '/subscriptions', { key: app.apiKey, body: { external_customer_id: 'u-9', plan_code: 'p-1', external_id: 's-9', deployment_id: 'd-9' } });
    const { issued, subscriptionId } = await billing.deps.transaction(async (tx) => {
      const { Subscription } = await import('../src/subscriptions/subscription.js');
      const { Invoice } = await import('../src/invoices/invoice.js');
      const { issueInvoice } = await import('../src/invoices/invoicing.js');
      const { BillingService } = await import('../src/services/billing-service.js');
      const subscription = await tx.em.findOneOrFail(Subscription, { externalId: 's-9' });
      const draft = await tx.em.findOneOrFail(Invoice, { subscriptionId: subscription.id });
      await issueInvoice(tx, draft, await tx.em.findOneOrFail(BillingService, { id: subscription.serviceId }));
      return { issued: draft.id, subscriptionId: subscription.id };
    });
    await billing.gql(`mutation($id: ID!) { recordInvoicePayment(id: $id, succeeded: false, reason: "expired card") { status } }`, { id: issued }, ['finance']);
    expect((await billing.api('GET', '/subscriptions/s-9', { key: app.apiKey })).body.subscription.status).toBe('past_due');

    await billing.deps.bus.publish(createEvent({ type: 'payments.charge.succeeded', source: 'payments', data: { invoiceId: issued, paymentId: 'pay-1' } }));
    const paid = await eventually(async () => verifiedOfType('invoice.payment_succeeded'), (h) => h.some((x) => x.payload.data.invoice_id === issued));
    expect(paid.find((x) => x.payload.data.invoice_id === issued)!.payload.data).toMatchObject({ deployment_id: 'd-9', amount_paid: '20.00' });
    const reactivated = await eventually(async () => verifiedOfType('subscription.reactivated'), (h) => h.length === 1);
    expect(reactivated[0]!.payload.data).toMatchObject({ subscription_id: subscriptionId, deployment_id: 'd-9', status: 'active' });
    expect((await billing.api('GET', '/subscriptions/s-9', { key: app.apiKey })).body.subscription.status).toBe('active');
    // The same success again changes nothing and sends nothing more.
    await billing.deps.bus.publish(createEvent({ type: 'payments.charge.succeeded', source: 'payments', data: { invoiceId: issued, paymentId: 'pay-1b' } }));
    await new Promise((r) => setTimeout(r, 500));
    expect(verifiedOfType('subscription.reactivated')).toHaveLength(1);
  });

  it('subscription.terminated carries the deployment to deprovision', async () => {
    const hits = await eventually(async () => verifiedOfType('subscription.terminated'), (h) => h.length >= 1);
    expect(hits[0]!.payload.data).toMatchObject({ external_subscription_id: 's-1', deployment_id: 'd-1', status: 'terminated', terminated_at: expect.any(String) });
  });

  it('retries a failing receiver with the same webhook-id, signing every attempt anew, then reports it exhausted', async () => {
    receiver.respondWith(503);
    const before = receiver.received.length;
    await billing.api('DELETE', '/subscriptions/s-2', { key: app.apiKey });
    const delivery = await eventually(
      async () => billing.deps.db.em().findOne(Delivery, { kind: 'billing.app-webhook', status: 'exhausted' }),
      (d) => d !== null,
      { timeoutMs: 15_000 },
    );
    const attempts = receiver.received.slice(before).filter((r) => r.headers['webhook-id'] === delivery!.id);
    expect(attempts).toHaveLength(4); // first try + the 3 retries of BILLING_WEBHOOK_RETRY_SCHEDULE_MS
    for (const attempt of attempts) expect(() => new Webhook(app.webhookSecret).verify(attempt.body, attempt.headers)).not.toThrow();
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    const log = await billing.deps.db.em().find(DeliveryAttempt, { deliveryId: delivery!.id }, { orderBy: { attempt: 'asc' } });
    expect(log.map((a) => a.statusCode)).toEqual([503, 503, 503, 503]);
    const exhausted = (await billing.outbox('billing.delivery.exhausted')).find((e) => e.data.deliveryId === delivery!.id);
    expect(exhausted!.data.summary).toMatch(/billing.app-webhook .* gave up after 4 attempt/);
    // The stored message is the unsigned body; signatures exist only on the wire.
    expect(delivery!.headers).not.toMatch(/webhook-signature/);
    receiver.respondWith(204);
  });
});

describe('SSRF guard', () => {
  it('refuses to deliver to a private address when private networks are not allowed', async () => {
    const infra = new Infrastructure();
    const billing = await startBilling({ databaseUrl: await infra.databaseUrl('sqlite'), bus: await infra.bus(), env: { OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const app = await registerApp(billing, 'internal', 'http://127.0.0.1:9/hook');
      await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'u-1', email: 'a@b.test' } });
      await billing.api('POST', '/subscriptions', { key: app.apiKey, body: { external_customer_id: 'u-1', plan_code: 'p-1', external_id: 's-1' } });
      await billing.api('DELETE', '/subscriptions/s-1', { key: app.apiKey });
      const delivery = await eventually(async () => billing.deps.db.em().findOne(Delivery, { kind: 'billing.app-webhook' }), (d) => d?.status === 'exhausted', { timeoutMs: 10_000 });
      expect(delivery!.lastError).toMatch(/refused-url: host 127.0.0.1 resolves to a private or loopback address/);
    } finally {
      await billing.stop();
      await infra.stop();
    }
  });
});
