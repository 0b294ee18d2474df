import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Infrastructure, registerApp, startBilling, type AppSetup, type BillingUnderTest, type DbKind } from './support/billing-harness.js';

/** Each aggregation of the metrics, through the API, against hand-computed period quantities. */
describe.each<DbKind>(['sqlite', 'postgres'])('period aggregation on %s', (db) => {
  const infra = new Infrastructure();
  let billing: BillingUnderTest;
  let app: AppSetup;

  beforeAll(async () => {
    billing = await startBilling({ databaseUrl: await infra.databaseUrl(db), bus: await infra.bus() });
    app = await registerApp(billing, 'nexamaps');
    const metrics = [
      { code: 'api_calls', aggregation: 'count' },
      { code: 'peak_gb', aggregation: 'max' },
      { code: 'seats', aggregation: 'last' },
      { code: 'active_users', aggregation: 'unique_count' },
      { code: 'tokens', aggregation: 'sum', roundingMode: 'ceil', roundingScale: 0 },
    ];
    for (const metric of metrics) {
      await billing.gql(`mutation($input: BillingMetricInput!) { upsertBillingMetric(serviceCode: "nexamaps", input: $input) { code } }`, { input: { name: metric.code, unitLabel: 'units', ...metric } }, ['finance']);
    }
    await billing.gql(
      `mutation($input: BillingPlanInput!) { upsertBillingPlan(serviceCode: "nexamaps", input: $input) { code } }`,
      {
        input: {
          code: 'maps',
          name: 'Maps',
          currency: 'USD',
          priceMonthly: '0',
          charges: metrics.map((m) => ({ metricCode: m.code, chargeModel: 'standard', pricePerUnit: '1' })),
        },
      },
      ['finance'],
    );
    await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'c-1', email: 'maps@client.test' } });
    await billing.api('POST', '/subscriptions', { key: app.apiKey, body: { external_customer_id: 'c-1', plan_code: 'maps', external_id: 'm-1', started_at: new Date(Date.now() - 10 * 86_400_000).toISOString() } });
  });
  afterAll(async () => {
    await billing?.stop();
    await infra.stop();
  });

  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
  const record = (metric: string, key: string, quantity: string | number, hoursAgo: number, value?: string) => ({
    subscription_id: 'm-1',
    metric,
    quantity,
    idempotency_key: key,
    timestamp: at(hoursAgo),
    ...(value ? { value } : {}),
  });

  it('count, max, last (by timestamp, not arrival), unique_count and rounded sum', async () => {
    const batches = [
      [record('api_calls', 'a1', 1, 5), record('api_calls', 'a2', 1, 4), record('peak_gb', 'p1', '3.25', 5), record('seats', 's1', 10, 2)],
      [record('api_calls', 'a3', 1, 3), record('peak_gb', 'p2', '7.5', 4), record('peak_gb', 'p3', '2', 1), record('seats', 's0', 99, 6)],
      [record('active_users', 'u1', 1, 3, 'alice'), record('active_users', 'u2', 1, 2, 'bob'), record('active_users', 'u3', 1, 1, 'alice')],
      [record('tokens', 't1', '0.4', 3), record('tokens', 't2', '0.35', 2), record('seats', 's2', 12, 1)],
      [record('api_calls', 'a1', 1, 5)], // a retry: not counted again
    ];
    for (const usage of batches) expect((await billing.api('POST', '/usage', { key: app.apiKey, body: { usage } })).status).toBe(202);
    const missingValue = await billing.api('POST', '/usage', { key: app.apiKey, body: { usage: [record('active_users', 'u4', 1, 1)] } });
    expect(missingValue.status).toBe(422);
    expect(missingValue.body.error.field).toBe('usage[0].value');

    const data = await billing.gql(`{ billingSubscriptions(serviceCode: "nexamaps") { usage { metric quantity amount { amount currency } } } }`, {}, ['finance']);
    const quantities = Object.fromEntries(data.billingSubscriptions[0].usage.map((u: any) => [u.metric, u.quantity]));
    expect(quantities).toEqual({ api_calls: '3', peak_gb: '7.5', seats: '12', active_users: '2', tokens: '1' });
  });
});
