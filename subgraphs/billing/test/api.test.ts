import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecord } from '../src/usage/usage-record.js';
import { Infrastructure, registerApp, startBilling, type AppSetup, type BillingUnderTest, type DbKind } from './support/billing-harness.js';

const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();

describe.each<DbKind>(['sqlite', 'postgres'])('billing REST API on %s', (db) => {
  const infra = new Infrastructure();
  let billing: BillingUnderTest;
  let cloud: AppSetup;
  let maps: AppSetup;

  beforeAll(async () => {
    billing = await startBilling({ databaseUrl: await infra.databaseUrl(db), bus: await infra.bus() });
    cloud = await registerApp(billing, 'nexacloud');
    maps = await registerApp(billing, 'nexamaps');
  });
  afterAll(async () => {
    await billing?.stop();
    await infra.stop();
  });

  const customer = (app: AppSetup, externalId: string, email: string) =>
    billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: externalId, email, name: `Customer ${externalId}` } });
  const subscribe = (app: AppSetup, body: Record<string, unknown>) => billing.api('POST', '/subscriptions', { key: app.apiKey, body });

  describe('authentication', () => {
    it('401 without a key, with a malformed header and with an unknown key; nothing else is revealed', async () => {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer sbk_nope_123' }] as Record<string, string>[]) {
        const response = await billing.api('GET', '/plans', { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/Bearer/);
        expect(response.body.error.code).toBe('unauthorized');
      }
      expect((await billing.api('POST', '/usage', { body: { usage: [] } })).status).toBe(401);
      expect((await billing.api('GET', '/no-such-route')).status).toBe(401);
    });

    it('a rotated key stops working at once; the new one works', async () => {
      const temp = await registerApp(billing, 'rotating');
      expect((await billing.api('GET', '/plans', { key: temp.apiKey })).status).toBe(200);
      const rotated = await billing.gql(`mutation { rotateBillingServiceSecrets(code: "rotating") { apiKey } }`, {}, ['ops']);
      expect((await billing.api('GET', '/plans', { key: temp.apiKey })).status).toBe(401);
      expect((await billing.api('GET', '/plans', { key: rotated.rotateBillingServiceSecrets.apiKey })).status).toBe(200);
    });
  });

  describe('customers and subscriptions', () => {
    it('upserts a customer: 201 then 200, e-mail normalized; bad input names the field', async () => {
      const first = await billing.api('POST', '/customers', { key: cloud.apiKey, body: { external_id: 'u-1', email: ' AR@Acme.test ', name: 'Acme Inc' } });
      expect(first.status).toBe(201);
      expect(first.body.customer).toMatchObject({ external_id: 'u-1', email: 'ar@acme.test', account_number: expect.stringMatching(/^BA-\d{6}$/) });
      expect((await billing.api('POST', '/customers', { key: cloud.apiKey, body: { external_id: 'u-1', email: 'ar@acme.test' } })).status).toBe(200);
      const bad = await billing.api('POST', '/customers', { key: cloud.apiKey, body: { external_id: 'u-x', email: 'not-an-email' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'invalid_request', field: 'email' });
      const noId = await billing.api('POST', '/customers', { key: cloud.apiKey, body: { email: 'x@y.test' } });
      expect(noId.body.error.field).toBe('external_id');
      const malformed = await billing.api('POST', '/customers', { key: cloud.apiKey, rawBody: '{"external_id":' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toMatch(/not valid JSON/);
    });

    it('creates a subscription (idempotent on the external id), refuses conflicts and unknown references', async () => {
      await customer(cloud, 'u-2', 'ops@globex.test');
      const body = { external_customer_id: 'u-2', plan_code: 'p-1', external_id: 's-2', billing_interval: 'yearly', deployment_id: 'd-2' };
      const created = await subscribe(cloud, body);
      expect(created.status).toBe(201);
      expect(created.body.subscription).toMatchObject({ external_id: 's-2', plan_code: 'p-1', billing_interval: 'yearly', status: 'active', deployment_id: 'd-2', shadow: false });
      const again = await subscribe(cloud, body);
      expect(again.status).toBe(200);
      expect(again.body.subscription.id).toBe(created.body.subscription.id);
      expect((await subscribe(cloud, { ...body, billing_interval: 'monthly' })).status).toBe(409);

      const unknownPlan = await subscribe(cloud, { ...body, external_id: 's-x', plan_code: 'nope' });
      expect(unknownPlan.status).toBe(422);
      expect(unknownPlan.body.error.field).toBe('plan_code');
      const unknownCustomer = await subscribe(cloud, { ...body, external_id: 's-x', external_customer_id: 'u-missing' });
      expect(unknownCustomer.status).toBe(422);
      expect(unknownCustomer.body.error.field).toBe('external_customer_id');
      const badInterval = await subscribe(cloud, { ...body, external_id: 's-x', billing_interval: 'weekly' });
      expect(badInterval.status).toBe(400);
      expect(badInterval.body.error.field).toBe('billing_interval');
      const badStart = await subscribe(cloud, { ...body, external_id: 's-x', started_at: '1 May 2026' });
      expect(badStart.body.error.field).toBe('started_at');
    });

    it('a draft invoice for the open period exists at once: the flat price for the interval', async () => {
      const invoices = await billing.api('GET', '/invoices?subscription_id=s-2', { key: cloud.apiKey });
      expect(invoices.body.invoices).toHaveLength(1);
      expect(invoices.body.invoices[0]).toMatchObject({ status: 'draft', subtotal: '200.00', currency: 'CAD', kind: 'subscription' });
    });

    it('PUT changes plan or deployment; DELETE terminates once and tells the app', async () => {
      await customer(cloud, 'u-3', 'three@acme.test');
      await subscribe(cloud, { external_customer_id: 'u-3', plan_code: 'p-1', external_id: 's-3', deployment_id: 'd-3' });
      const updated = await billing.api('PUT', '/subscriptions/s-3', { key: cloud.apiKey, body: { deployment_id: 'd-3b' } });
      expect(updated.status).toBe(200);
      expect(updated.body.subscription.deployment_id).toBe('d-3b');
      const badChange = await billing.api('PUT', '/subscriptions/s-3', { key: cloud.apiKey, body: { billing_interval: 'yearly' } });
      expect(badChange.status).toBe(400);
      expect(badChange.body.error.field).toBe('billing_interval');

      const ended = await billing.api('DELETE', '/subscriptions/s-3', { key: cloud.apiKey });
      expect(ended.status).toBe(200);
      expect(ended.body.subscription).toMatchObject({ status: 'terminated', terminated_at: expect.any(String) });
      const again = await billing.api('DELETE', '/subscriptions/s-3', { key: cloud.apiKey });
      expect(again.body.subscription.terminated_at).toBe(ended.body.subscription.terminated_at);
      // The open period was invoiced at termination.
      const invoices = await billing.api('GET', '/invoices?subscription_id=s-3', { key: cloud.apiKey });
      expect(invoices.body.invoices.map((i: any) => [i.status, i.subtotal])).toEqual([['open', '20.00']]);
      expect(invoices.body.invoices[0].number).toMatch(/^NEXACLOUD-\d{4}-\d{6}$/);
      expect((await billing.api('PUT', '/subscriptions/s-3', { key: cloud.apiKey, body: { deployment_id: 'x' } })).status).toBe(409);
      const late = await billing.api('POST', '/usage', { key: cloud.apiKey, body: { usage: [{ subscription_id: 's-3', metric: 'cpu_seconds', quantity: 1, idempotency_key: 'late' }] } });
      expect(late.status).toBe(422);
      expect(late.body.error.field).toBe('usage[0].timestamp');
    });
  });

  describe('usage', () => {
    beforeAll(async () => {
      await customer(cloud, 'u-1', 'billing@acme.test');
      await subscribe(cloud, { external_customer_id: 'u-1', plan_code: 'p-1', external_id: 's-1', deployment_id: 'd-1', started_at: new Date(Date.now() - 86_400_000).toISOString() });
    });

    const post = (app: AppSetup, usage: unknown[]) => billing.api('POST', '/usage', { key: app.apiKey, body: { usage } });
    const cpu = (key: string, quantity: unknown, extra: Record<string, unknown> = {}) => ({ subscription_id: 's-1', metric: 'cpu_seconds', quantity, idempotency_key: key, timestamp: hourAgo(), ...extra });
    const total = async () => {
      const rows = await billing.deps.db.em().find(UsageRecord, {});
      return rows.reduce((sum, row) => sum + BigInt(row.quantityMicros), 0n);
    };

    it('202: accepted and duplicates counted; a retry is never counted twice', async () => {
      const first = await post(cloud, [cpu('h-1', '18000'), cpu('h-2', 7200)]);
      expect(first.status).toBe(202);
      expect(first.body).toEqual({ accepted: 2, duplicates: 0, received: 2 });
      const retry = await post(cloud, [cpu('h-1', '18000'), cpu('h-2', 7200)]);
      expect(retry.body).toEqual({ accepted: 0, duplicates: 2, received: 2 });
      expect(await total()).toBe(25_200_000_000n);
    });

    it('the same key with a different quantity is a 409 and nothing of that batch is stored', async () => {
      const before = await total();
      const conflict = await post(cloud, [cpu('h-3', 100), cpu('h-1', '18001')]);
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.message).toMatch(/usage\[1\]\.quantity.*h-1.*18000/);
      expect(await total()).toBe(before);
      const inBatch = await post(cloud, [cpu('h-4', 1), cpu('h-4', 2)]);
      expect(inBatch.status).toBe(409);
      expect(await total()).toBe(before);
    });

    it('bad records reject the whole batch with every field named', async () => {
      const response = await post(cloud, [cpu('ok', 1), cpu('neg', -5), cpu('float', '0.0000001'), { metric: 'cpu_seconds', quantity: 1 }, cpu('future', 1, { timestamp: '2999-01-01T00:00:00Z' })]);
      expect(response.status).toBe(400);
      expect(response.body.error.field).toBe('usage[1].quantity');
      expect(response.body.error.details.map((d: any) => d.field)).toEqual([
        'usage[1].quantity',
        'usage[2].quantity',
        'usage[3].subscription_id',
        'usage[3].idempotency_key',
        'usage[4].timestamp',
      ]);
      expect((await post(cloud, [])).status).toBe(400);
      expect((await billing.api('POST', '/usage', { key: cloud.apiKey, body: { records: [] } })).body.error.field).toBe('usage');
      const unknownMetric = await post(cloud, [cpu('m', 1, { metric: 'ram_gb' })]);
      expect(unknownMetric.status).toBe(422);
      expect(unknownMetric.body.error.field).toBe('usage[0].metric');
      const beforeStart = await post(cloud, [cpu('old', 1, { timestamp: '2020-01-01T00:00:00Z' })]);
      expect(beforeStart.status).toBe(422);
      expect(beforeStart.body.error.field).toBe('usage[0].timestamp');
    });

    it('oversized batches: more records than BILLING_USAGE_MAX_BATCH → 400, a body over the limit → 413', async () => {
      const tooMany = await post(cloud, Array.from({ length: 1001 }, (_, i) => cpu(`big-${i}`, 1)));
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error).toMatchObject({ field: 'usage', message: expect.stringMatching(/at most 1000 records/) });
      const huge = await billing.api('POST', '/usage', { key: cloud.apiKey, rawBody: JSON.stringify({ usage: [cpu('huge', 1, { value: 'x'.repeat(3 * 1024 * 1024) })] }) });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe('payload_too_large');
    });

    it('no IDOR: another service cannot push to, read, change or end this service\'s subscription', async () => {
      const push = await post(maps, [cpu('idor', 1)]);
      expect(push.status).toBe(422);
      expect(push.body.error.field).toBe('usage[0].subscription_id');
      const s1 = (await billing.api('GET', '/subscriptions/s-1', { key: cloud.apiKey })).body.subscription;
      for (const ref of ['s-1', s1.id]) {
        expect((await billing.api('GET', `/subscriptions/${ref}`, { key: maps.apiKey })).status).toBe(404);
        expect((await billing.api('PUT', `/subscriptions/${ref}`, { key: maps.apiKey, body: { deployment_id: 'stolen' } })).status).toBe(404);
        expect((await billing.api('DELETE', `/subscriptions/${ref}`, { key: maps.apiKey })).status).toBe(404);
      }
      const invoice = (await billing.api('GET', '/invoices?subscription_id=s-1', { key: cloud.apiKey })).body.invoices[0];
      expect((await billing.api('GET', `/invoices/${invoice.id}`, { key: maps.apiKey })).status).toBe(404);
      expect((await billing.api('GET', '/invoices', { key: maps.apiKey })).body.invoices).toEqual([]);
      expect((await billing.api('POST', '/credit_notes', { key: maps.apiKey, body: { invoice_id: invoice.id, reason: 'x' } })).status).toBe(404);
      expect((await billing.api('GET', '/subscriptions', { key: maps.apiKey })).body.subscriptions).toEqual([]);
      expect((await billing.api('GET', '/subscriptions/s-1', { key: cloud.apiKey })).body.subscription.deployment_id).toBe('d-1');
    });

    it('the seed\'s worked example: 25,200 s on an 18,000 s quota → $0.015 rated, $20.02 invoiced', async () => {
      await billing.gql('mutation { rateOpenBillingPeriods { draftsRated failed } }', {}, ['ops']);
      const listed = await billing.api('GET', '/invoices?subscription_id=s-1&status=draft', { key: cloud.apiKey });
      const invoice = (await billing.api('GET', `/invoices/${listed.body.invoices[0].id}`, { key: cloud.apiKey })).body.invoice;
      expect(invoice.lines).toEqual([
        expect.objectContaining({ kind: 'flat', description: 'Starter (monthly)', quantity: '1', amount: '20.00' }),
        expect.objectContaining({
          kind: 'usage',
          description: 'NexaCloud CPU overage — Starter',
          metric: 'cpu_seconds',
          quantity: '25200',
          billable_quantity: '7200',
          unit_price: '0.007500',
          exact_amount: '0.015000',
          amount: '0.02',
        }),
      ]);
      expect(invoice.subtotal).toBe('20.02');
    });

    it('announces 80 % and 100 % of the quota once per period', async () => {
      const events = await billing.outbox('billing.usage.threshold_reached');
      const forS1 = events.filter((e) => e.data.externalSubscriptionId === 's-1');
      expect(forS1.map((e) => e.data.threshold).sort()).toEqual([100, 80].sort());
      expect(forS1.find((e) => e.data.threshold === 80)!.data).toMatchObject({ metric: 'cpu_seconds', deploymentId: 'd-1', serviceCode: 'nexacloud', includedQuota: '18000' });
      expect(forS1.find((e) => e.data.threshold === 80)!.data.summary).toMatch(/reached 80% of its cpu_seconds quota/);
      await post(cloud, [cpu('h-5', 3600)]);
      await billing.gql('mutation { rateOpenBillingPeriods { draftsRated } }', {}, ['ops']);
      expect((await billing.outbox('billing.usage.threshold_reached')).filter((e) => e.data.externalSubscriptionId === 's-1')).toHaveLength(2);
    });
  });

  describe('invoices', () => {
    let oneOff: any;

    it('one-off invoices are issued at once; lines round once to cents', async () => {
      const response = await billing.api('POST', '/invoices', {
        key: cloud.apiKey,
        body: { external_customer_id: 'u-1', currency: 'cad', lines: [{ description: 'Token pack 10k', quantity: '3', unit_price: '3.333333' }, { description: 'Throttle removal', unit_price: '15' }] },
      });
      expect(response.status).toBe(201);
      oneOff = response.body.invoice;
      expect(oneOff).toMatchObject({ kind: 'one_off', status: 'open', currency: 'CAD', subtotal: '25.00', amount_due: '25.00', number: expect.stringMatching(/^NEXACLOUD-/) });
      expect(oneOff.lines.map((l: any) => l.amount)).toEqual(['10.00', '15.00']);
      const bad = await billing.api('POST', '/invoices', { key: cloud.apiKey, body: { external_customer_id: 'u-1', currency: 'CAD', lines: [{ description: 'x', unit_price: 'ten' }] } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('lines[0].unit_price');
    });

    it('finds invoices by id or number, lists with filters, renders a document', async () => {
      expect((await billing.api('GET', `/invoices/${oneOff.number}`, { key: cloud.apiKey })).body.invoice.id).toBe(oneOff.id);
      const open = await billing.api('GET', '/invoices?status=open&external_customer_id=u-1', { key: cloud.apiKey });
      expect(open.body.invoices.map((i: any) => i.id)).toContain(oneOff.id);
      expect((await billing.api('GET', '/invoices?status=bogus', { key: cloud.apiKey })).body.error.field).toBe('status');
      const document = await billing.api('POST', `/invoices/${oneOff.id}/download`, { key: cloud.apiKey });
      expect(document.headers.get('content-type')).toMatch(/text\/html/);
      expect(document.body).toContain(oneOff.number);
      expect(document.body).toContain('Token pack 10k');
    });

    it('credit notes credit at most what is left; a payment retry is requested for open invoices only', async () => {
      const partial = await billing.api('POST', '/credit_notes', { key: cloud.apiKey, body: { invoice_id: oneOff.id, amount: '5.00', reason: 'goodwill' } });
      expect(partial.status).toBe(201);
      expect(partial.body.credit_note).toMatchObject({ amount: '5.00', currency: 'CAD', number: expect.stringMatching(/^CN-NEXACLOUD-/) });
      const tooMuch = await billing.api('POST', '/credit_notes', { key: cloud.apiKey, body: { invoice_id: oneOff.id, amount: '20.01', reason: 'x' } });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.error.field).toBe('amount');
      const after = (await billing.api('GET', `/invoices/${oneOff.id}`, { key: cloud.apiKey })).body.invoice;
      expect(after).toMatchObject({ credited_amount: '5.00', amount_due: '20.00' });
      expect(after.credit_notes).toHaveLength(1);

      const retry = await billing.api('POST', `/invoices/${oneOff.id}/retry_payment`, { key: cloud.apiKey });
      expect(retry.status).toBe(202);
      const requested = await billing.outbox('billing.invoice.payment_requested');
      expect(requested.at(-1)!.data).toMatchObject({ invoiceId: oneOff.id, amountDue: '20.00', currency: 'CAD' });
    });

    it('voids an open invoice once; drafts and void invoices cannot be voided', async () => {
      const voided = await billing.api('POST', `/invoices/${oneOff.id}/void`, { key: cloud.apiKey });
      expect(voided.status).toBe(200);
      expect(voided.body.invoice).toMatchObject({ status: 'void', amount_due: '0.00' });
      expect((await billing.api('POST', `/invoices/${oneOff.id}/void`, { key: cloud.apiKey })).status).toBe(409);
      expect((await billing.api('POST', `/invoices/${oneOff.id}/retry_payment`, { key: cloud.apiKey })).status).toBe(409);
      const draft = (await billing.api('GET', '/invoices?status=draft', { key: cloud.apiKey })).body.invoices[0];
      expect((await billing.api('POST', `/invoices/${draft.id}/void`, { key: cloud.apiKey })).status).toBe(409);
    });
  });

  describe('catalog', () => {
    it('lists the service\'s own plans and metrics only', async () => {
      const plans = await billing.api('GET', '/plans', { key: cloud.apiKey });
      expect(plans.body.plans).toEqual([
        expect.objectContaining({
          code: 'p-1',
          price_monthly: '20.00',
          price_yearly: '200.00',
          charges: [expect.objectContaining({ metric: 'cpu_seconds', charge_model: 'standard', included_quota: '18000', price_per_unit: '0.007500', unit_batch: '3600' })],
        }),
      ]);
      const catalog = await billing.api('GET', '/catalog', { key: maps.apiKey });
      expect(catalog.body.metrics).toEqual([expect.objectContaining({ code: 'cpu_seconds', aggregation: 'sum' })]);
      expect(catalog.body.plans).toHaveLength(1);
    });

    it('refuses a plan whose tiers are out of order, naming the tier', async () => {
      const result = await billing.graphql(
        `mutation($input: BillingPlanInput!) { upsertBillingPlan(serviceCode: "nexamaps", input: $input) { code } }`,
        { input: { code: 'bad', name: 'Bad', currency: 'USD', priceMonthly: '0', charges: [{ metricCode: 'cpu_seconds', chargeModel: 'graduated', tiers: [{ upTo: '100', unitPrice: '1' }, { upTo: '50', unitPrice: '1' }, { unitPrice: '1' }] }] } },
        ['finance'],
      );
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'charges[0].tiers[1].upTo' });
    });
  });
});
