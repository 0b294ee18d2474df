import { ConfigError, createSubgraphService } from '@switchboard/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBillingConfig } from '../src/config.js';
import { billing as billingDefinition } from '../src/service.js';
import { Infrastructure, quietLogger, registerApp, SIGNING_SECRET, startBilling, type AppSetup, type BillingUnderTest } from './support/billing-harness.js';

describe('billing GraphQL', () => {
  const infra = new Infrastructure();
  let billing: BillingUnderTest;
  let app: AppSetup;
  let invoiceId: string;

  beforeAll(async () => {
    billing = await startBilling({ databaseUrl: await infra.databaseUrl('sqlite'), bus: await infra.bus() });
    app = await registerApp(billing, 'nexacloud');
    for (const n of [1, 2, 3]) {
      await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: `u-${n}`, email: `c${n}@acme.test` } });
      await billing.api('POST', '/subscriptions', { key: app.apiKey, body: { external_customer_id: `u-${n}`, plan_code: 'p-1', external_id: `s-${n}`, deployment_id: `d-${n}` } });
      await billing.api('POST', '/usage', { key: app.apiKey, body: { usage: [{ subscription_id: `s-${n}`, metric: 'cpu_seconds', quantity: 18000 + n * 3600, idempotency_key: 'h' }] } });
    }
    const oneOff = await billing.api('POST', '/invoices', { key: app.apiKey, body: { external_customer_id: 'u-1', currency: 'CAD', lines: [{ description: 'Token pack', unit_price: '5' }] } });
    invoiceId = oneOff.body.invoice.id;
    await billing.gql('mutation { rateOpenBillingPeriods { draftsRated } }', {}, ['ops']);
  });
  afterAll(async () => {
    await billing?.stop();
    await infra.stop();
  });

  it('Customer gains its billing account, subscriptions, current usage and invoices (resolved as entities, several at once)', async () => {
    const data = await billing.gql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { email
         billingAccount { number }
         billingSubscriptions { externalId planCode serviceCode deploymentId status }
         billingUsage { metric quantity includedQuota overage amount { amount currency } }
         invoices { kind status subtotal { amount currency } lines { kind amount { amount } } } } } }`,
      { reps: [1, 2, 3].map((n) => ({ __typename: 'Customer', email: `C${n}@Acme.test` })) },
      ['finance'],
    );
    const [c1, c2] = data._entities;
    expect(c1.billingAccount.number).toMatch(/^BA-/);
    expect(c1.billingSubscriptions).toEqual([{ externalId: 's-1', planCode: 'p-1', serviceCode: 'nexacloud', deploymentId: 'd-1', status: 'active' }]);
    expect(c2.billingUsage).toEqual([{ metric: 'cpu_seconds', quantity: '25200', includedQuota: '18000', overage: '7200', amount: { amount: '0.015000', currency: 'CAD' } }]);
    expect(c1.invoices.map((i: any) => [i.kind, i.status])).toEqual(expect.arrayContaining([['one_off', 'open'], ['subscription', 'draft']]));
    const draft = c2.invoices.find((i: any) => i.kind === 'subscription');
    expect(draft.subtotal).toEqual({ amount: '20.02', currency: 'CAD' });
  });

  it('owns the federated Invoice (resolvable by id) and lists services, plans and subscriptions', async () => {
    const data = await billing.gql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Invoice { id number status serviceCode amountDue { amount } } }
         billingServices { code apiKeyPrefix }
         billingPlans(serviceCode: "nexacloud") { code priceMonthly { amount currency } charges { metric chargeModel includedQuota pricePerUnit unitBatch } }
         billingSubscriptions(serviceCode: "nexacloud", status: "active") { externalId invoices { status } } }`,
      { reps: [{ __typename: 'Invoice', id: invoiceId }] },
      ['ops'],
    );
    expect(data._entities[0]).toMatchObject({ id: invoiceId, status: 'open', serviceCode: 'nexacloud', amountDue: { amount: '5.00' } });
    expect(data.billingServices).toEqual([{ code: 'nexacloud', apiKeyPrefix: app.apiKey.slice(0, 16) }]);
    expect(data.billingPlans[0]).toEqual({
      code: 'p-1',
      priceMonthly: { amount: '20.00', currency: 'CAD' },
      charges: [{ metric: 'cpu_seconds', chargeModel: 'standard', includedQuota: '18000', pricePerUnit: '0.007500', unitBatch: '3600' }],
    });
    expect(data.billingSubscriptions).toHaveLength(3);
  });

  it('roles: finance and ops read; support sees no invoices; only finance records payments; bad input names the field', async () => {
    const asSupport = await billing.graphql(`{ invoices { id } }`, {}, ['support']);
    expect(asSupport.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const asOps = await billing.graphql(`mutation($id: ID!) { recordInvoicePayment(id: $id, succeeded: true) { status } }`, { id: invoiceId }, ['ops']);
    expect(asOps.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const noReason = await billing.graphql(`mutation($id: ID!) { recordInvoicePayment(id: $id, succeeded: false) { status } }`, { id: invoiceId }, ['finance']);
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const badStatus = await billing.graphql(`{ invoices(status: "unpaid") { id } }`, {}, ['finance']);
    expect(badStatus.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
    const duplicate = await billing.graphql(`mutation { createBillingService(input: { code: "nexacloud", name: "again" }) { apiKey } }`, {}, ['ops']);
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const paid = await billing.gql(`mutation($id: ID!) { recordInvoicePayment(id: $id, succeeded: true, reference: "bank-1") { status paidAt } }`, { id: invoiceId }, ['finance']);
    expect(paid.recordInvoicePayment.status).toBe('paid');
    const voidPaid = await billing.graphql(`mutation($id: ID!) { voidInvoice(id: $id) { status } }`, { id: invoiceId }, ['finance']);
    expect(voidPaid.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('billing configuration', () => {
  it('a bad BILLING_ value stops the service, naming the variable', async () => {
    expect(() => loadBillingConfig({ BILLING_WEBHOOK_RETRY_SCHEDULE_MS: '5s,1m' })).toThrow(/BILLING_WEBHOOK_RETRY_SCHEDULE_MS/);
    expect(() => loadBillingConfig({ BILLING_ENCRYPTION_KEY: 'short' })).toThrow(/BILLING_ENCRYPTION_KEY/);
    expect(() => loadBillingConfig({ NODE_ENV: 'production' })).toThrow(/BILLING_ENCRYPTION_KEY: is required in production/);
    expect(loadBillingConfig({}).webhookRetryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    const infra = new Infrastructure();
    await expect(
      createSubgraphService(billingDefinition, {
        bus: await infra.bus(),
        logger: quietLogger,
        env: { DATABASE_URL: await infra.databaseUrl('sqlite'), GATEWAY_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', BILLING_USAGE_MAX_BATCH: '-3' },
      }),
    ).rejects.toSatisfy((error: unknown) => error instanceof ConfigError && /BILLING_USAGE_MAX_BATCH/.test(error.message));
    await infra.stop();
  });
});

describe('checkout links', () => {
  it('GET /customers/:id/checkout_url: a signed, expiring link when configured; 404 otherwise or for another app\'s customer', async () => {
    const infra = new Infrastructure();
    const configured = await startBilling({ databaseUrl: await infra.databaseUrl('sqlite'), bus: await infra.bus(), env: { BILLING_CHECKOUT_URL: 'https://pay.example.test/checkout' } });
    const plain = await startBilling({ databaseUrl: await infra.databaseUrl('sqlite'), bus: await infra.bus() });
    try {
      const app = await registerApp(configured, 'nexacloud');
      const other = await registerApp(configured, 'nexamaps');
      await configured.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'u-1', email: 'a@acme.test' } });
      const link = await configured.api('GET', '/customers/u-1/checkout_url', { key: app.apiKey });
      expect(link.status).toBe(200);
      const url = new URL(link.body.checkout_url);
      expect(url.origin + url.pathname).toBe('https://pay.example.test/checkout');
      const [payload] = url.searchParams.get('token')!.split('.');
      expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ service: 'nexacloud', customer: 'u-1', email: 'a@acme.test' });
      expect(new Date(link.body.expires_at).getTime()).toBeGreaterThan(Date.now());
      expect((await configured.api('GET', '/customers/u-1/checkout_url', { key: other.apiKey })).status).toBe(404);
      const plainApp = await registerApp(plain, 'nexacloud');
      await plain.api('POST', '/customers', { key: plainApp.apiKey, body: { external_id: 'u-1', email: 'a@acme.test' } });
      const unconfigured = await plain.api('GET', '/customers/u-1/checkout_url', { key: plainApp.apiKey });
      expect(unconfigured.status).toBe(404);
      expect(unconfigured.body.error.message).toMatch(/BILLING_CHECKOUT_URL/);
    } finally {
      await configured.stop();
      await plain.stop();
      await infra.stop();
    }
  });
});
