import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountLink } from '../src/accounts/account-link.js';
import { BillingAccount } from '../src/accounts/billing-account.js';
import { UsageRecord } from '../src/usage/usage-record.js';
import { Infrastructure, registerApp, startBilling, type AppSetup, type BillingUnderTest, type DbKind } from './support/billing-harness.js';

// Generous timeouts: a thousand real HTTP requests on a shared 2-core machine; no timing is asserted.
describe.each<DbKind>(['sqlite', 'postgres'])('concurrent usage posts on %s', { timeout: 240_000 }, (db) => {
  const infra = new Infrastructure();
  let billing: BillingUnderTest;
  let app: AppSetup;

  beforeAll(async () => {
    billing = await startBilling({ databaseUrl: await infra.databaseUrl(db), bus: await infra.bus() });
    app = await registerApp(billing, 'nexacloud');
    await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'u-1', email: 'billing@acme.test' } });
    await billing.api('POST', '/subscriptions', { key: app.apiKey, body: { external_customer_id: 'u-1', plan_code: 'p-1', external_id: 's-1' } });
  });
  afterAll(async () => {
    await billing?.stop();
    await infra.stop();
  });

  const post = (usage: unknown[]) => billing.api('POST', '/usage', { key: app.apiKey, body: { usage } });
  const rows = (key?: string) => billing.deps.db.em().find(UsageRecord, key ? { idempotencyKey: key } : {});

  it('1,000 concurrent duplicate posts → one record, the right total, every post answered 202', async () => {
    const record = { subscription_id: 's-1', metric: 'cpu_seconds', quantity: '3600.5', idempotency_key: 'dup-hour-1' };
    const responses = await Promise.all(Array.from({ length: 1000 }, () => post([record])));
    expect(responses.map((r) => r.status).filter((s) => s !== 202)).toEqual([]);
    expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(1);
    expect(responses.reduce((n, r) => n + r.body.duplicates, 0)).toBe(999);
    const stored = await rows('dup-hour-1');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.quantityMicros).toBe('3600500000');

    const usage = await billing.gql(`{ billingSubscriptions(serviceCode: "nexacloud") { usage { metric quantity } } }`, {}, ['finance']);
    expect(usage.billingSubscriptions[0].usage).toEqual([{ metric: 'cpu_seconds', quantity: '3600.5' }]);
  });

  it('1,000 concurrent posts of 10 distinct keys, with retries mixed in → 10 records, exact total', async () => {
    const records = Array.from({ length: 10 }, (_, i) => ({ subscription_id: 's-1', metric: 'cpu_seconds', quantity: `${i + 1}.000001`, idempotency_key: `mix-${i}` }));
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, n) => post([records[n % 10]!, records[(n * 7) % 10]!])));
    expect(responses.every((r) => r.status === 202)).toBe(true);
    expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(10);
    const stored = (await rows()).filter((r) => r.idempotencyKey.startsWith('mix-'));
    expect(stored).toHaveLength(10);
    expect(stored.reduce((sum, r) => sum + BigInt(r.quantityMicros), 0n)).toBe(55_000_010n); // Σ (i + 1.000001) = 55.00001
  });

  it('the same new customer posted 20 times at once: one 201, the rest 200, one account and one link', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'race-1', email: 'Race@Acme.test', name: 'Race' } })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
    expect(new Set(responses.map((r) => r.body.customer.account_number)).size).toBe(1);
    expect(await billing.deps.db.em().count(BillingAccount, { email: 'race@acme.test' })).toBe(1);
    expect(await billing.deps.db.em().count(AccountLink, { externalId: 'race-1' })).toBe(1);
  });

  it('concurrent conflicting re-use of a key: exactly one quantity wins, the rest get 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, n) => post([{ subscription_id: 's-1', metric: 'cpu_seconds', quantity: String(n + 1), idempotency_key: 'contested' }])),
    );
    const accepted = responses.filter((r) => r.status === 202 && r.body.accepted === 1);
    expect(accepted).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(49);
    expect(await rows('contested')).toHaveLength(1);
  });
});
