import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountLink } from '../../src/accounts/account-link.js';
import { BillingAccount } from '../../src/accounts/billing-account.js';
import { chargeTerms } from '../../src/catalog/catalog-rules.js';
import { Charge } from '../../src/catalog/charge.js';
import { Metric } from '../../src/catalog/metric.js';
import { Plan } from '../../src/catalog/plan.js';
import { Invoice } from '../../src/invoices/invoice.js';
import { SourceCustomer } from '../../src/importer/source-customer.js';
import { SourceDatabase } from '../../src/importer/source-database.js';
import { computeBillable } from '../../src/rating/charge-models.js';
import { BillingService } from '../../src/services/billing-service.js';
import { Subscription } from '../../src/subscriptions/subscription.js';
import type { BillingUnderTest, DbKind } from '../support/billing-harness.js';
import { importerFixture, loadImporterFixture, type AppSource } from '../ledger/support/app-source.js';
import { billingWithAppSource } from '../ledger/support/billing-with-app-source.js';
import { countOf, registerService, runImport } from '../ledger/support/ledger-harness.js';

/**
 * The seed's importer tests (billing-NOTES §5, 1–11), against a real PostgreSQL database of the
 * app that the test creates, with billing itself on SQLite and on PostgreSQL.
 */
describe.each<DbKind>(['sqlite', 'postgres'])('importer of users, plans and subscriptions (billing on %s)', (db) => {
  const app = billingWithAppSource(db, {
    env: ({ source }) => ({ BILLING_SOURCE_DSN_NEXACLOUD: source.url, BILLING_SOURCE_CURRENCY_NEXACLOUD: 'CAD', BILLING_RECONCILIATION_CRON: 'off' }),
  });
  let source: AppSource;
  let billing: BillingUnderTest;
  beforeAll(() => {
    ({ source, billing } = app);
  });
  beforeEach(async () => {
    await source.truncate();
  });

  const em = () => billing.deps.db.em();
  const serviceId = async () => (await em().findOneOrFail(BillingService, { code: 'nexacloud' })).id;
  const counts = async () => {
    const id = await serviceId();
    return [await em().count(AccountLink, { serviceId: id }), await em().count(Plan, { serviceId: id }), await em().count(Subscription, { serviceId: id, shadow: true })];
  };

  it('8. a dry run reads and reports everything and writes nothing', async () => {
    await loadImporterFixture(source);
    const run = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud' });
    expect(run.status).toBe('succeeded');
    expect(run.dryRun).toBe(true);
    expect(run.summary.dryRun).toBe(true);
    expect(countOf(run.summary.created, 'customers')).toBe(2);
    expect(countOf(run.summary.created, 'plans')).toBe(1);
    expect(countOf(run.summary.created, 'subscriptions')).toBe(2);
    expect(await counts()).toEqual([0, 0, 0]);
    expect(await em().count(Metric, {})).toBe(0);
    expect(await em().count(BillingAccount, {})).toBe(0);
    expect(run.processed).toBe(5);
  });

  it('1. identity: one link per user, billing e-mail wins, profile kept; 2. catalog; 4. shadow subscriptions; 6. plan id', async () => {
    await loadImporterFixture(source);
    const run = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    expect(run.status).toBe('succeeded');
    expect(run.summary.failed).toEqual([]);
    const id = await serviceId();

    const links = await em().find(AccountLink, { serviceId: id, externalId: 'u-1' });
    expect(links).toHaveLength(1);
    expect(links[0]!.email).toBe('billing@acme.test');
    const acme = await em().findOneOrFail(SourceCustomer, { serviceId: id, externalId: 'u-1' });
    expect(acme).toMatchObject({ billingCity: 'Toronto', taxId: '123456789RT0001', providerCustomerId: 'cus_ACME', billingCountry: 'CA', billingAddress: '1 Main St' });
    expect((await em().findOneOrFail(BillingAccount, { email: 'billing@acme.test' })).currency).toBe('CAD');
    expect((await em().findOneOrFail(AccountLink, { serviceId: id, externalId: 'u-2' })).email).toBe('ops@globex.test');

    expect(await em().findOne(Metric, { serviceId: id, code: 'cpu_seconds' })).toMatchObject({ aggregation: 'sum', unitLabel: 'CPU-seconds' });
    const plan = await em().findOneOrFail(Plan, { serviceId: id, code: 'p-1' });
    expect(plan).toMatchObject({ name: 'Starter', currency: 'CAD', active: true });
    expect(Number(plan.priceMonthly)).toBe(20);
    const charges = await em().find(Charge, { planId: plan.id });
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ chargeModel: 'standard', name: 'NexaCloud CPU overage — Starter' });
    expect(Number(charges[0]!.includedQuota)).toBe(18000);
    expect(Number(charges[0]!.unitBatch)).toBe(3600);
    expect(String(Number(charges[0]!.pricePerUnit))).toBe('0.0075');

    const s1 = await em().find(Subscription, { serviceId: id, externalId: 's-1' });
    expect(s1).toHaveLength(1);
    expect(s1[0]).toMatchObject({ shadow: true, deploymentId: 'd-1', billingInterval: 'monthly', status: 'active', planId: plan.id, customerEmail: 'billing@acme.test' });
    expect(s1[0]!.currentPeriodStart.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    const s2 = await em().findOneOrFail(Subscription, { serviceId: id, externalId: 's-2' });
    expect(s2.billingInterval).toBe('yearly');
    expect(Number(plan.priceYearly)).toBe(200);
  });

  it('3. charge math: 18000 s included, 7200 s over at $0.0075 per core-hour = $0.015', async () => {
    await loadImporterFixture(source);
    await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    const plan = await em().findOneOrFail(Plan, { serviceId: await serviceId(), code: 'p-1' });
    const charge = await em().findOneOrFail(Charge, { planId: plan.id });
    expect(computeBillable(chargeTerms(charge), 18000 + 7200).amount.toFixed(4)).toBe('0.0150');
  });

  it('5. a subscription whose user or plan is unknown is skipped with the reason, not created', async () => {
    const fixture = importerFixture();
    fixture.subscriptions.push({ ...fixture.subscriptions[0]!, id: 's-3', user_id: 'u-missing' });
    fixture.subscriptions.push({ ...fixture.subscriptions[0]!, id: 's-4', plan_id: 'p-missing' });
    await loadImporterFixture(source, fixture);
    const run = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    expect(run.summary.skipped).toEqual(expect.arrayContaining([
      { kind: 'subscription', id: 's-3', reason: 'unresolved user u-missing' },
      { kind: 'subscription', id: 's-4', reason: 'unresolved plan p-missing' },
    ]));
    expect(await em().count(Subscription, { externalId: { $in: ['s-3', 's-4'] } })).toBe(0);
  });

  it('7. idempotent: a second import creates nothing; a changed quota is applied to the charge', async () => {
    await loadImporterFixture(source);
    await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    const before = await counts();
    const same = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    expect(same.summary.created).toEqual([]);
    expect(same.summary.updated).toEqual([]);
    expect(countOf(same.summary.unchanged, 'customers') + countOf(same.summary.unchanged, 'plans') + countOf(same.summary.unchanged, 'subscriptions')).toBe(5);

    await source.query("UPDATE plans SET cpu_seconds_quota = 99999 WHERE id = 'p-1'");
    const changed = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    expect(countOf(changed.summary.updated, 'plans')).toBe(1);
    expect(await counts()).toEqual(before);
    const plan = await em().findOneOrFail(Plan, { serviceId: await serviceId(), code: 'p-1' });
    expect(Number((await em().findOneOrFail(Charge, { planId: plan.id })).includedQuota)).toBe(99999);
  });

  it('9. shadow safety: rating the open periods issues no invoice for imported subscriptions', async () => {
    await loadImporterFixture(source);
    await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    const rated = await billing.gql('mutation { rateOpenBillingPeriods { subscriptions invoicesIssued shadowSkipped } }', {}, ['ops']);
    expect(rated.rateOpenBillingPeriods.shadowSkipped).toBeGreaterThanOrEqual(2);
    expect(await em().count(Invoice, { customerEmail: { $in: ['billing@acme.test', 'ops@globex.test'] } })).toBe(0);
    expect(await billing.outbox('billing.invoice.finalized')).toHaveLength(0);
  });

  it('10. error isolation: a user row without an id fails alone; the others are imported', async () => {
    const fixture = importerFixture();
    await loadImporterFixture(source, fixture);
    // The seed's broken row has no id: the app's key constraint is lifted for it.
    await source.query('ALTER TABLE users DROP CONSTRAINT users_pkey; ALTER TABLE users ALTER COLUMN id DROP NOT NULL');
    await source.insert('users', [{ id: null, email: 'broken@x.test' }]);
    const run = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    await source.query('DELETE FROM users WHERE id IS NULL; ALTER TABLE users ADD PRIMARY KEY (id)');
    expect(run.status).toBe('succeeded');
    expect(run.summary.failed).toEqual([expect.objectContaining({ kind: 'user', id: '(no id)', reason: expect.stringMatching(/without an id/) })]);
    expect(await em().count(AccountLink, { serviceId: await serviceId() })).toBe(2);
    expect(await em().count(Subscription, { serviceId: await serviceId() })).toBe(2);
  });

  it('a live (non-shadow) subscription under the same id is never touched', async () => {
    await loadImporterFixture(source);
    await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    const em1 = em();
    const live = await em1.findOneOrFail(Subscription, { serviceId: await serviceId(), externalId: 's-1' });
    live.shadow = false;
    await em1.flush();
    await source.query("UPDATE subscriptions SET deployment_id = 'd-9' WHERE id = 's-1'");
    const run = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
    expect(run.summary.skipped).toContainEqual(expect.objectContaining({ id: 's-1', reason: expect.stringMatching(/live/) }));
    expect((await em().findOneOrFail(Subscription, { id: live.id })).deploymentId).toBe('d-1');
  });

  it('11. DSN guard: no source configured for the service → a clear error naming the variable, no run', async () => {
    await registerService(billing, 'nexamaps', 'NexaMaps');
    const result = await billing.graphql('mutation { importBillingCatalog(serviceCode: "nexamaps") { id } }', {}, ['finance']);
    expect(result.errors?.[0]?.message).toMatch(/BILLING_SOURCE_DSN_NEXAMAPS/);
    const unknown = await billing.graphql('mutation { importBillingCatalog(serviceCode: "nope") { id } }', {}, ['finance']);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const forbidden = await billing.graphql('mutation { importBillingCatalog(serviceCode: "nexacloud") { id } }', {}, ['support']);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the source session is read-only: the app\'s data cannot be changed through it', async () => {
    const session = await SourceDatabase.connect({ dsn: source.url, label: 'nexacloud' });
    try {
      expect(await session.query('settings', 'SHOW default_transaction_read_only')).toEqual([{ default_transaction_read_only: 'on' }]);
      // Even a write smuggled into a read is refused by the session itself…
      await expect(session.query('users', "WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) FROM gone")).rejects.toThrow(/read-only transaction/);
      // …and statements that are not reads never leave the reader.
      await expect(session.query('users', "INSERT INTO users (id, email) VALUES ('u-x', 'x@x.test')")).rejects.toThrow(/not a single read/);
      await expect(session.query('users', 'SELECT 1; BEGIN READ WRITE; DELETE FROM users; COMMIT')).rejects.toThrow(/not a single read/);
    } finally {
      await session.close();
    }
    expect((await source.query("SELECT count(*)::int AS n FROM users WHERE id = 'u-x'")).rows[0]!.n).toBe(0);
    await loadImporterFixture(source);
    const session2 = await SourceDatabase.connect({ dsn: source.url, label: 'nexacloud' });
    await session2.query('users', 'WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) FROM gone').catch(() => undefined);
    await session2.close();
    expect((await source.query('SELECT count(*)::int AS n FROM users')).rows[0]!.n).toBe(2);
  });

  it('a source whose schema differs fails the run with a message naming what was read', async () => {
    await source.query('ALTER TABLE plans RENAME COLUMN cpu_seconds_quota TO cpu_quota');
    try {
      const run = await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/failed reading nexacloud plans — has the schema changed\?/);
    } finally {
      await source.query('ALTER TABLE plans RENAME COLUMN cpu_quota TO cpu_seconds_quota');
    }
  });
});
