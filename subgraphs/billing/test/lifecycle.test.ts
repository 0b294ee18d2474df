import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invoice } from '../src/invoices/invoice.js';
import { InvoiceLine } from '../src/invoices/invoice-line.js';
import { rateOpenPeriods } from '../src/invoices/invoicing.js';
import { fixed } from '../src/shared/decimal.js';
import { Subscription } from '../src/subscriptions/subscription.js';
import { Infrastructure, registerApp, startBilling, startReceiver, type AppSetup, type BillingUnderTest, type DbKind } from './support/billing-harness.js';

const DAY = 86_400_000;

describe.each<DbKind>(['sqlite', 'postgres'])('periods, invoices and shadow safety on %s', (db) => {
  const infra = new Infrastructure();
  let billing: BillingUnderTest;
  let app: AppSetup;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    billing = await startBilling({ databaseUrl: await infra.databaseUrl(db), bus: await infra.bus() });
    app = await registerApp(billing, 'nexacloud', receiver.url);
    for (const id of ['u-1', 'u-2']) await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: id, email: `${id}@acme.test` } });
  });
  afterAll(async () => {
    await billing?.stop();
    await receiver?.stop();
    await infra.stop();
  });

  const subscription = (externalId: string) => billing.deps.db.em().findOneOrFail(Subscription, { externalId });
  const push = (externalId: string, key: string, quantity: number, at: Date) =>
    billing.api('POST', '/usage', { key: app.apiKey, body: { usage: [{ subscription_id: externalId, metric: 'cpu_seconds', quantity, idempotency_key: key, timestamp: at.toISOString() }] } });

  describe('a live subscription', () => {
    let s1: Subscription;

    beforeAll(async () => {
      // Started 40 days ago: the period that began before today was billed by the app, ours starts with the current one.
      const created = await billing.api('POST', '/subscriptions', {
        key: app.apiKey,
        body: { external_customer_id: 'u-1', plan_code: 'p-1', external_id: 's-1', deployment_id: 'd-1', started_at: new Date(Date.now() - 40 * DAY).toISOString() },
      });
      expect(created.status).toBe(201);
      s1 = await subscription('s-1');
    });

    it('bills from the period containing now: one draft, nothing for the earlier period', async () => {
      expect(s1.currentPeriodStart.getTime()).toBeGreaterThan(s1.anchorAt.getTime());
      expect(s1.currentPeriodStart.getTime()).toBeLessThanOrEqual(Date.now());
      expect(s1.currentPeriodEnd.getTime()).toBeGreaterThan(Date.now());
      const invoices = await billing.deps.db.em().find(Invoice, { subscriptionId: s1.id });
      expect(invoices.map((i) => [i.status, i.periodStart?.getTime()])).toEqual([['draft', s1.currentPeriodStart.getTime()]]);
    });

    it('closes the period after the grace: issued with a number, the quota resets in the next period', async () => {
      expect((await push('s-1', 'p1-a', 20_000, new Date(Date.now() - 60_000))).status).toBe(202);
      const afterEnd = new Date(s1.currentPeriodEnd.getTime() + billing.deps.billing.periodCloseGraceMs + 1_000);
      const justEnded = new Date(s1.currentPeriodEnd.getTime() + 1_000);
      expect((await rateOpenPeriods(billing.deps, justEnded)).invoicesIssued).toBe(0); // still in the grace
      const summary = await rateOpenPeriods(billing.deps, afterEnd);
      expect(summary.invoicesIssued).toBe(1);
      expect(summary.failed).toEqual([]);

      const em = billing.deps.db.em();
      const [closed, next] = await em.find(Invoice, { subscriptionId: s1.id }, { orderBy: { periodStart: 'asc' } });
      expect(closed).toMatchObject({ status: 'open', number: expect.stringMatching(/^NEXACLOUD-\d{4}-\d{6}$/) });
      expect(fixed(closed!.subtotal, 2)).toBe('20.00');
      expect(fixed(closed!.exactTotal, 6)).toBe('20.004167'); // 2,000 s over: 0.004167 rated, 0.00 invoiced
      expect(next!.status).toBe('draft');
      expect(fixed(next!.subtotal, 2)).toBe('20.00');
      expect(next!.periodStart!.getTime()).toBe(s1.currentPeriodEnd.getTime());
      const nextUsage = await em.find(InvoiceLine, { invoiceId: next!.id, kind: 'usage' });
      expect(nextUsage.map((l) => [fixed(l.quantity, 0), fixed(l.amount, 2)])).toEqual([['0', '0.00']]);
      const finalized = (await billing.outbox('billing.invoice.finalized')).filter((e) => e.data.invoiceId === closed!.id);
      expect(finalized).toHaveLength(1);
      expect(finalized[0]!.data).toMatchObject({ amountDue: '20.00', currency: 'CAD', customerEmail: 'u-1@acme.test' });

      // Rating again changes nothing: the issued invoice is never rewritten.
      expect((await rateOpenPeriods(billing.deps, afterEnd)).invoicesIssued).toBe(0);
      expect(await em.count(Invoice, { subscriptionId: s1.id })).toBe(2);
    });

    it('late usage for an invoiced period is refused, naming the timestamp', async () => {
      const late = await push('s-1', 'p1-late', 5, new Date(Date.now() - 120_000));
      expect(late.status).toBe(422);
      expect(late.body.error.field).toBe('usage[0].timestamp');
      expect(late.body.error.message).toMatch(/already invoiced/);
    });
  });

  describe('shadow safety (seed §5 test 9)', () => {
    it('a shadow subscription is metered but never invoiced, charged or announced', async () => {
      const created = await billing.api('POST', '/subscriptions', {
        key: app.apiKey,
        body: { external_customer_id: 'u-2', plan_code: 'p-1', external_id: 's-shadow', deployment_id: 'd-s', shadow: true, started_at: new Date(Date.now() - 40 * DAY).toISOString() },
      });
      expect(created.body.subscription.shadow).toBe(true);
      const shadow = await subscription('s-shadow');
      const em = billing.deps.db.em();

      // Far over the quota: thresholds would fire for a live subscription.
      expect((await push('s-shadow', 'h-1', 30_000, new Date(Date.now() - 60_000))).body.accepted).toBe(1);
      // The seed's check: rating open periods leaves the number of invoice lines unchanged.
      const linesBefore = await em.count(InvoiceLine, {});
      const now = await rateOpenPeriods(billing.deps);
      expect(now.failed).toEqual([]);
      expect(await billing.deps.db.em().count(InvoiceLine, {})).toBe(linesBefore);
      // Even across the end of its period.
      const later = await rateOpenPeriods(billing.deps, new Date(shadow.currentPeriodEnd.getTime() + 2 * billing.deps.billing.periodCloseGraceMs));
      expect(later.shadowSkipped).toBeGreaterThanOrEqual(1);
      expect(await em.count(Invoice, { subscriptionId: shadow.id })).toBe(0);
      expect(await em.count(Invoice, { customerEmail: 'u-2@acme.test' })).toBe(0);
      const thresholdEvents = (await billing.outbox('billing.usage.threshold_reached')).filter((e) => e.data.subscriptionId === shadow.id);
      expect(thresholdEvents).toEqual([]);
      const shadowWebhooks = receiver.received.filter((r) => JSON.parse(r.body).data?.subscription_id === shadow.id);
      expect(shadowWebhooks).toEqual([]);
      // The window still moves, so usage and reconciliation read the right period.
      expect((await subscription('s-shadow')).currentPeriodStart.getTime()).toBe(shadow.currentPeriodEnd.getTime());
      // Usage stays visible.
      const usage = await billing.gql(`query($id: ID!) { billingSubscription(id: $id) { shadow usage(at: "${new Date(Date.now() - 60_000).toISOString()}") { quantity overage } } }`, { id: shadow.id }, ['finance']);
      expect(usage.billingSubscription.usage).toEqual([{ quantity: '30000', overage: '12000' }]);
    });

    it('the flip (shadow: false) starts invoicing with the current period; never back', async () => {
      const flipped = await billing.api('PUT', '/subscriptions/s-shadow', { key: app.apiKey, body: { shadow: false } });
      expect(flipped.status).toBe(200);
      expect(flipped.body.subscription.shadow).toBe(false);
      const invoices = await billing.deps.db.em().find(Invoice, { subscriptionId: flipped.body.subscription.id });
      expect(invoices.map((i) => i.status)).toEqual(['draft']);
      const back = await billing.api('PUT', '/subscriptions/s-shadow', { key: app.apiKey, body: { shadow: true } });
      expect(back.status).toBe(400);
      expect(back.body.error.field).toBe('shadow');
    });
  });
});
