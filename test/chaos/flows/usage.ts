import { classify, countsOf, post, type Flow } from '../support/flow.js';
import type { ChaosSystem } from '../support/system.js';

const SUBSCRIPTIONS = 20;

/**
 * An app reports metered usage to billing's REST API: each record has the app's idempotency key,
 * and the same batch sent again is counted once. Stored synchronously, all or nothing, before the
 * 202 — the flow that a database restart tests most directly.
 */
export function usageFlow(system: ChaosSystem, runId: string): Flow {
  let apiKey = '';
  const api = (path: string, body: unknown) =>
    post(`${system.service('billing').url}/api/billing/v1${path}`, JSON.stringify(body), { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` });
  return {
    name: 'usage',
    path: 'REST billing → usage record',
    weight: 3,
    async setup() {
      const created = await system.graphql(
        'billing',
        'mutation($input: CreateBillingServiceInput!) { createBillingService(input: $input) { apiKey } }',
        { input: { code: 'chaosapp', name: 'Chaos app', webhookUrl: null } },
        ['ops'],
      );
      apiKey = created.createBillingService.apiKey;
      await system.graphql(
        'billing',
        'mutation($code: String!, $input: BillingMetricInput!) { upsertBillingMetric(serviceCode: $code, input: $input) { code } }',
        { code: 'chaosapp', input: { code: 'cpu_seconds', name: 'CPU seconds', aggregation: 'sum', unitLabel: 'CPU-seconds' } },
        ['finance'],
      );
      await system.graphql(
        'billing',
        'mutation($code: String!, $input: BillingPlanInput!) { upsertBillingPlan(serviceCode: $code, input: $input) { code } }',
        {
          code: 'chaosapp',
          input: {
            code: 'p-1',
            name: 'Starter',
            currency: 'USD',
            priceMonthly: '20.00',
            priceYearly: '200.00',
            charges: [{ metricCode: 'cpu_seconds', name: 'CPU overage', chargeModel: 'standard', includedQuota: '100000000', pricePerUnit: '0.0075', unitBatch: '3600' }],
          },
        },
        ['finance'],
      );
      for (let s = 0; s < SUBSCRIPTIONS; s++) {
        const customer = await api('/customers', { external_id: `u-${s}`, email: `usage-${runId}-${s}@chaos.example.com` });
        if (!('status' in customer) || customer.status >= 300) throw new Error(`billing customer: ${JSON.stringify(customer)}`);
        const subscription = await api('/subscriptions', {
          external_customer_id: `u-${s}`,
          plan_code: 'p-1',
          external_id: `s-${s}`,
          deployment_id: `d-${s}`,
          started_at: new Date(Date.now() - 86_400_000).toISOString(),
        });
        if (!('status' in subscription) || subscription.status !== 201) throw new Error(`billing subscription: ${JSON.stringify(subscription)}`);
      }
    },
    next(sequence) {
      const key = `usage-${runId}-${sequence}`;
      const record = { subscription_id: `s-${sequence % SUBSCRIPTIONS}`, metric: 'cpu_seconds', quantity: '8.5', timestamp: new Date().toISOString(), idempotency_key: key };
      return {
        key,
        send: async () => classify(await api('/usage', { usage: [record] }), (answer) => answer.status === 202 && answer.json?.accepted + answer.json?.duplicates === 1),
      };
    },
    effects: [
      {
        name: 'usage record (billing DB)',
        async count(keys) {
          return countsOf(await system.query('billing', 'select idempotency_key as key, count(*) as n from billing_usage_record where idempotency_key = any($1::text[]) group by 1', [keys]));
        },
      },
    ],
  };
}
