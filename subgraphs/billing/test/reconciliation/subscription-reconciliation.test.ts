import { beforeAll, describe, expect, it } from 'vitest';
import { ledgerOf } from '../../src/ledger/ledger-module.js';
import { ReconciliationItem } from '../../src/reconciliation/reconciliation-item.js';
import { ReconciliationRun } from '../../src/reconciliation/reconciliation-run.js';
import type { BillingUnderTest, DbKind } from '../support/billing-harness.js';
import { loadImporterFixture, type AppSource } from '../ledger/support/app-source.js';
import { billingWithAppSource } from '../ledger/support/billing-with-app-source.js';
import { countOf, figure, registerService, runImport, runReconciliation } from '../ledger/support/ledger-harness.js';

/**
 * Reconciliation per (service, app subscription, period) against a real PostgreSQL database of
 * the app: the seed's cases (24–27) end to end, its two known bugs, upserts, resolution, events.
 */
describe.each<DbKind>(['sqlite', 'postgres'])('subscription reconciliation (billing on %s)', (db) => {
  const app = billingWithAppSource(db, {
    env: async ({ source, postgres }) => {
      const unreachable = (await postgres.createDatabase('gone'));
      await loadImporterFixture(source);
      return {
        BILLING_SOURCE_DSN_NEXACLOUD: source.url, BILLING_SOURCE_CURRENCY_NEXACLOUD: 'CAD',
        BILLING_SOURCE_DSN_GHOSTAPP: unreachable.replace(/\/([^/]+)$/, '/does_not_exist'),
        BILLING_RECONCILIATION_CRON: 'off',
      };
    },
  });
  let source: AppSource;
  let billing: BillingUnderTest;

  beforeAll(async () => {
    ({ source, billing } = app);
    await registerService(billing, 'ghostapp', 'Ghost');
    await runImport(billing, 'importBillingCatalog', { serviceCode: 'nexacloud', dryRun: false });

    // The app's invoices and usage (2025: every month here is closed).
    await source.insertInvoices([
      // s-1, 2025-05: one 20.00 invoice with three items — its subtotal counts once (the seed summed it per item).
      { id: 'i-may', user_id: 'u-1', subscription_id: 's-1', created_at: '2025-05-31 00:00:00', currency: 'CAD', status: 'paid', subtotal: '20.0000', tax: '2.6', amount_paid: '22.6',
        items: [{ description: 'Starter', amount: '10', period_start: '2025-05-01 00:00:00' }, { description: 'Backup', amount: '5', period_start: '2025-05-01 00:00:00' }, { description: 'Support', amount: '5', period_start: '2025-05-01 00:00:00' }] },
      // A void invoice is not an amount the app charged.
      { id: 'i-void', user_id: 'u-1', subscription_id: 's-1', created_at: '2025-05-15 00:00:00', currency: 'CAD', status: 'void', subtotal: '100', tax: '0', items: [{ description: 'x', amount: '100', period_start: '2025-05-01 00:00:00' }] },
      // s-1, 2025-04: 7 core-hours, 2 over the quota → 20.015.
      { id: 'i-apr', user_id: 'u-1', subscription_id: 's-1', created_at: '2025-04-30 00:00:00', currency: 'CAD', status: 'paid', subtotal: '20.0150', tax: '0', items: [{ description: 'Starter', amount: '20.015', period_start: '2025-04-01 00:00:00' }] },
      // s-1, 2025-03: 19.99 → |delta| = 0.01, a match (inclusive); 2025-02: 19.98 → a delta.
      { id: 'i-mar', user_id: 'u-1', subscription_id: 's-1', created_at: '2025-03-31 00:00:00', currency: 'CAD', status: 'open', subtotal: '19.99', tax: '0', items: [{ description: 'Starter', amount: '19.99', period_start: '2025-03-01 00:00:00' }] },
      { id: 'i-feb', user_id: 'u-1', subscription_id: 's-1', created_at: '2025-02-28 00:00:00', currency: 'CAD', status: 'open', subtotal: '19.98', tax: '0', items: [{ description: 'Starter', amount: '19.98', period_start: '2025-02-01 00:00:00' }] },
      // s-2 (yearly, anniversary in May): 250.00 for a 200.00 plan.
      { id: 'i-s2', user_id: 'u-2', subscription_id: 's-2', created_at: '2025-05-01 00:00:00', currency: 'CAD', status: 'paid', subtotal: '250', tax: '0', items: [{ description: 'Starter yearly', amount: '250', period_start: '2025-05-01 00:00:00' }] },
      // One-off invoices (no subscription, or an empty one) are skipped, never matched to everything.
      { id: 'i-oneoff', user_id: 'u-1', subscription_id: null, created_at: '2025-05-20 00:00:00', currency: 'CAD', status: 'paid', subtotal: '877.99', tax: '0', items: [{ description: 'Migration', amount: '877.99', period_start: null }] },
      { id: 'i-empty', user_id: 'u-1', subscription_id: '', created_at: '2025-05-21 00:00:00', currency: 'CAD', status: 'paid', subtotal: '32.20', tax: '0', items: [] },
      // A subscription the importer never saw.
      { id: 'i-nope', user_id: 'u-1', subscription_id: 'nope', created_at: '2025-05-02 00:00:00', currency: 'CAD', status: 'paid', subtotal: '30', tax: '0', items: [{ description: 'x', amount: '30', period_start: '2025-05-01 00:00:00' }] },
    ]);
    await source.insert('usage_records', [
      { subscription_id: 's-1', period_start: '2025-05-03 10:00:00', cpu_hours: '1.5' },
      { subscription_id: 's-1', period_start: '2025-05-20 10:00:00', cpu_hours: '0.5' },
      { subscription_id: 's-1', period_start: '2025-04-10 00:00:00', cpu_hours: '7' },
      // Usage in a closed month the app never invoiced: Switchboard would have charged 20.00.
      { subscription_id: 's-1', period_start: '2025-01-10 00:00:00', cpu_hours: '1' },
      // s-2 in a non-anniversary month: usage only, within the quota → 0 computed, 0 invoiced.
      { subscription_id: 's-2', period_start: '2025-06-10 00:00:00', cpu_hours: '2' },
    ]);
  });

  const items = async (filter: Record<string, unknown> = {}) => (await billing.gql(
    `query($f: ReconciliationItemFilter) { reconciliationItems(filter: $f) { id subscriptionExternalId period status flatAmount { amount } overageAmount { amount }
       computedAmount { amount } externalAmount { amount } delta { amount currency } externalInvoiceCount note serviceCode } }`,
    { f: { serviceCode: 'nexacloud', ...filter } }, ['finance'])).reconciliationItems as any[];
  const byKey = async () => Object.fromEntries((await items()).map((i) => [`${i.subscriptionExternalId} ${i.period}`, i]));

  it('computes flat + overage per subscription and period and compares it with the app\'s pre-tax subtotal', async () => {
    const run = await runReconciliation(billing, { serviceCode: 'nexacloud' });
    expect(run.status).toBe('succeeded');
    expect(run.processed).toBe(run.total);
    const all = await byKey();
    expect(Object.keys(all).sort()).toEqual(['s-1 2025-01', 's-1 2025-02', 's-1 2025-03', 's-1 2025-04', 's-1 2025-05', 's-2 2025-05', 's-2 2025-06']);
    expect(all['s-1 2025-05']).toMatchObject({ status: 'match', externalAmount: { amount: '20.000000' }, computedAmount: { amount: '20.000000' }, externalInvoiceCount: 1 });
    expect(all['s-1 2025-04']).toMatchObject({ status: 'match', overageAmount: { amount: '0.015000' }, computedAmount: { amount: '20.015000' } });
    expect(all['s-1 2025-03']).toMatchObject({ status: 'match', delta: { amount: '0.010000', currency: 'CAD' } });
    expect(all['s-1 2025-02']).toMatchObject({ status: 'delta', delta: { amount: '0.020000' } });
    expect(all['s-1 2025-01']).toMatchObject({ status: 'delta', externalAmount: { amount: '0.000000' }, externalInvoiceCount: 0, delta: { amount: '20.000000' } });
    expect(all['s-2 2025-05']).toMatchObject({ status: 'delta', computedAmount: { amount: '200.000000' }, delta: { amount: '-50.000000' } });
    expect(all['s-2 2025-06']).toMatchObject({ status: 'match', flatAmount: { amount: '0.000000' }, computedAmount: { amount: '0.000000' } });
    expect([figure(run, 'match'), figure(run, 'delta'), figure(run, 'newDeltas')]).toEqual(['4', '3', '3']);
    expect(run.summary.skipped).toEqual(expect.arrayContaining([
      { kind: 'subscription', id: 'nope', reason: '2025-05: unknown subscription (not imported)' },
      { kind: 'one-off invoices', id: '2025-05', reason: expect.stringMatching(/^2 invoice\(s\) without a subscription \(910\.19 CAD\)/) },
    ]));

    // One ops ticket per subject: the event's subject is the stable source key, data.summary one line.
    const events = await billing.outbox('billing.reconciliation.delta');
    expect(events.map((e) => e.subject).sort()).toEqual(['nexacloud/s-1/2025-01', 'nexacloud/s-1/2025-02', 'nexacloud/s-2/2025-05']);
    const s2 = events.find((e) => e.subject === 'nexacloud/s-2/2025-05')!;
    expect(s2.data).toMatchObject({ serviceCode: 'nexacloud', subscriptionExternalId: 's-2', period: '2025-05', delta: '-50.000000', currency: 'CAD', customerEmail: 'ops@globex.test' });
    expect(s2.data.summary).toBe('NexaCloud subscription s-2 (ops@globex.test), 2025-05: Switchboard computes 200.00 CAD, the app invoiced 250.00 CAD — 50.00 CAD less');
  });

  it('25. running again upserts on (service, subscription, period): same rows, nothing re-announced', async () => {
    const before = (await billing.outbox('billing.reconciliation.delta')).length;
    const run = await runReconciliation(billing, { serviceCode: 'nexacloud' });
    expect(countOf(run.summary.unchanged, 'items')).toBe(7);
    expect(run.summary.created).toEqual([]);
    expect(figure(run, 'newDeltas')).toBe('0');
    expect(await billing.deps.db.em().count(ReconciliationItem, {})).toBe(7);
    expect((await billing.outbox('billing.reconciliation.delta')).length).toBe(before);
  });

  it('a person resolves a delta with a note; it stays resolved until the figures change, then reopens and is announced', async () => {
    const target = (await byKey())['s-2 2025-05'];
    const noNote = await billing.graphql(`mutation($id: ID!) { resolveReconciliationItem(id: $id, note: " ") { status } }`, { id: target.id }, ['finance']);
    expect(noNote.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    const resolved = await billing.gql(`mutation($id: ID!) { resolveReconciliationItem(id: $id, note: "proration: customer upgraded mid-year") { status note resolvedBy } }`, { id: target.id }, ['finance']);
    expect(resolved.resolveReconciliationItem).toEqual({ status: 'resolved', note: 'proration: customer upgraded mid-year', resolvedBy: 'tester' });
    const matchItem = (await byKey())['s-1 2025-05'];
    const refused = await billing.graphql(`mutation($id: ID!) { resolveReconciliationItem(id: $id, note: "x") { status } }`, { id: matchItem.id }, ['finance']);
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await billing.graphql(`mutation($id: ID!) { resolveReconciliationItem(id: $id, note: "x") { status } }`, { id: target.id }, ['ops'])).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const again = await runReconciliation(billing, { serviceCode: 'nexacloud' });
    expect(figure(again, 'resolved')).toBe('1');
    expect((await byKey())['s-2 2025-05']).toMatchObject({ status: 'resolved', note: 'proration: customer upgraded mid-year' });

    const announced = (await billing.outbox('billing.reconciliation.delta')).length;
    await source.query("UPDATE invoices SET subtotal = 260 WHERE id = 'i-s2'");
    const changed = await runReconciliation(billing, { serviceCode: 'nexacloud' });
    expect(figure(changed, 'newDeltas')).toBe('1');
    expect((await byKey())['s-2 2025-05']).toMatchObject({ status: 'delta', note: null, delta: { amount: '-60.000000' } });
    const events = await billing.outbox('billing.reconciliation.delta');
    expect(events.length).toBe(announced + 1);
    expect(events.at(-1)!.subject).toBe('nexacloud/s-2/2025-05');

    await source.query("UPDATE invoices SET subtotal = 200 WHERE id = 'i-s2'");
    await runReconciliation(billing, { serviceCode: 'nexacloud' });
    expect((await byKey())['s-2 2025-05'].status).toBe('match');
  });

  it('the tolerance is configurable per run; a period filter touches that period only', async () => {
    const loose = await runReconciliation(billing, { serviceCode: 'nexacloud', period: '2025-02', tolerance: '0.02' });
    expect(loose.total).toBe(1);
    expect((await byKey())['s-1 2025-02'].status).toBe('match');
    const strict = await runReconciliation(billing, { serviceCode: 'nexacloud', period: '2025-02' });
    expect(strict.total).toBe(1);
    expect((await byKey())['s-1 2025-02'].status).toBe('delta');
    const filtered = await items({ status: 'delta', period: '2025-02' });
    expect(filtered.map((i) => i.subscriptionExternalId)).toEqual(['s-1']);
    for (const bad of [{ period: '2025-13' }, { tolerance: '-1' }, { kind: 'everything' }, {}]) {
      const result = await billing.graphql(`mutation($k: String!, $s: String, $p: String, $t: String) { startReconciliation(kind: $k, serviceCode: $s, period: $p, tolerance: $t) { id } }`,
        { k: 'kind' in bad ? bad.kind : 'subscriptions', s: Object.keys(bad).length ? 'nexacloud' : null, p: 'period' in bad ? bad.period : null, t: 'tolerance' in bad ? bad.tolerance : null }, ['finance']);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('an unreachable source fails the run with the reason; nothing is written', async () => {
    const before = await billing.deps.db.em().count(ReconciliationItem, {});
    const run = await runReconciliation(billing, { serviceCode: 'ghostapp' });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/could not connect to the ghostapp database/);
    expect(run.error).not.toMatch(/password=|:[^@/]+@/);
    expect(await billing.deps.db.em().count(ReconciliationItem, {})).toBe(before);
  });

  it('the schedule claims each slot once, however many times (or replicas) fire it', async () => {
    const scheduler = ledgerOf(billing.deps).scheduler;
    const at = new Date('2030-01-01T07:00:10Z');
    await scheduler.fire('reconcile', at);
    await scheduler.fire('reconcile', new Date('2030-01-01T07:00:40Z'));
    const runs = await billing.deps.db.em().find(ReconciliationRun, { trigger: 'schedule' });
    expect(runs.map((r) => `${r.kind} ${r.serviceCode ?? 'all'}`).sort()).toEqual(['payments all', 'subscriptions ghostapp', 'subscriptions nexacloud']);
    for (const run of runs) await ledgerOf(billing.deps).runs.wait(run.id);
    expect((await billing.deps.db.em().findOneOrFail(ReconciliationRun, { trigger: 'schedule', serviceCode: 'nexacloud' })).status).toBe('succeeded');
  });
});
