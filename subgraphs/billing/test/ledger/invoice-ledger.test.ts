import { ConfigError } from '@switchboard/kit';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureAccounts } from '../../src/ledger/ledger.js';
import { JournalEntry } from '../../src/ledger/journal-entry.js';
import { JournalLine } from '../../src/ledger/journal-line.js';
import { LedgerInvoice } from '../../src/ledger/ledger-invoice.js';
import { LedgerInvoiceLine } from '../../src/ledger/ledger-invoice-line.js';
import { LedgerPayment } from '../../src/ledger/ledger-payment.js';
import { SourceDatabase, ownServerIdentity } from '../../src/importer/source-database.js';
import { DEFAULT_REVENUE_FAMILY_RULES } from '../../src/ledger/revenue-families.js';
import { ledgerOf } from '../../src/ledger/ledger-module.js';
import { startBilling, type BillingUnderTest, type DbKind } from '../support/billing-harness.js';
import { LEDGER_USER, invoiceFixture, type AppSource } from './support/app-source.js';
import { billingWithAppSource } from './support/billing-with-app-source.js';
import { countOf, figure, runImport } from './support/ledger-harness.js';

/**
 * The seed's invoice-ledger tests (billing-NOTES §5, 12–19) and the rules for ingesting an
 * app's invoices, against a real PostgreSQL database of the app that the test creates.
 */
describe.each<DbKind>(['sqlite', 'postgres'])('invoice ledger (billing on %s)', (db) => {
  const app = billingWithAppSource(db, { env: ({ source }) => ({ BILLING_SOURCE_DSN_NEXACLOUD: source.url, BILLING_RECONCILIATION_CRON: 'off' }) });
  const { infra } = app;
  let source: AppSource;
  let billing: BillingUnderTest;
  beforeAll(() => {
    ({ source, billing } = app);
  });

  beforeEach(async () => {
    await source.truncate();
    await source.insert('users', [LEDGER_USER]);
    // Each test starts from an empty ledger (the journal is append-only in the code; tests may reset it).
    const em = billing.deps.db.em();
    for (const entity of [JournalLine, JournalEntry, LedgerInvoiceLine, LedgerInvoice, LedgerPayment]) await em.nativeDelete(entity, {});
    await billing.gql(`mutation($rules: [RevenueFamilyRuleInput!]!) { replaceRevenueFamilyRules(rules: $rules) { position } }`, { rules: DEFAULT_REVENUE_FAMILY_RULES }, ['finance']);
  });

  const em = () => billing.deps.db.em();
  const ingest = (args: Record<string, unknown> = {}) => runImport(billing, 'ingestBillingInvoices', { serviceCode: 'nexacloud', dryRun: false, ...args });
  const balances = async () => {
    const data = await billing.gql('{ ledgerBalances { account { code } currency balance { amount } } }', {}, ['finance']);
    return Object.fromEntries(data.ledgerBalances.map((b: any) => [`${b.account.code} ${b.currency}`, b.balance.amount]));
  };
  const ledgerInvoice = async (externalId = 'inv-1') => em().findOne(LedgerInvoice, { externalId });

  it('13. income accounts: one per family, created once, distinct per family', async () => {
    const first = await billing.deps.db.em().transactional((tx) => ensureAccounts(tx, [{ kind: 'revenue', family: 'hosting' }, { kind: 'revenue', family: 'addons' }]));
    const again = await billing.deps.db.em().transactional((tx) => ensureAccounts(tx, [{ kind: 'revenue', family: 'hosting' }]));
    expect(first.get('REV-HOSTING')!.kind).toBe('revenue');
    expect(first.get('REV-HOSTING')!.id).not.toBe(first.get('REV-ADDONS')!.id);
    expect(again.get('REV-HOSTING')!.id).toBe(first.get('REV-HOSTING')!.id);
  });

  it('15. ingest as draft: one invoice, 100.00 + 13.00 = 113.00, the customer, hosting; nothing in the balances yet', async () => {
    await source.insertInvoices([invoiceFixture()]);
    const run = await ingest();
    expect(run.status).toBe('succeeded');
    expect(countOf(run.summary.created, 'invoices')).toBe(1);
    const invoice = (await ledgerInvoice())!;
    expect(invoice).toMatchObject({ status: 'draft', origin: 'import', number: 'NEX-0001', providerInvoiceId: 'in_test1', customerEmail: 'ar@acme.test', currency: 'CAD', taxRate: 13 });
    expect([invoice.subtotal, invoice.tax, invoice.total].map((v) => Number(v).toFixed(2))).toEqual(['100.00', '13.00', '113.00']);
    const lines = await em().find(LedgerInvoiceLine, { invoiceId: invoice.id });
    expect(lines.map((l) => l.family)).toEqual(['hosting']);
    expect(await em().count(JournalEntry, {})).toBe(0);
    expect(await balances()).toEqual({});
  });

  it('16. idempotent ingest: two runs, one invoice; the second run changes nothing', async () => {
    await source.insertInvoices([invoiceFixture()]);
    await ingest();
    const second = await ingest();
    expect(countOf(second.summary.unchanged, 'invoices')).toBe(1);
    expect(second.summary.created).toEqual([]);
    expect(await em().count(LedgerInvoice, {})).toBe(1);
  });

  it('17. paid and posted: receivable / hosting revenue / tax, and the payment through Stripe clearing', async () => {
    await source.insertInvoices([invoiceFixture({ status: 'paid', amount_paid: '113.0', paid_at: '2026-05-02 00:00:00' })]);
    const run = await ingest({ post: true });
    expect(figure(run, 'posted')).toBe('1');
    expect(figure(run, 'paymentsBooked')).toBe('1');
    const invoice = (await ledgerInvoice())!;
    expect(invoice.status).toBe('posted');
    const payments = await em().find(LedgerPayment, { ledgerInvoiceId: invoice.id });
    expect(payments.map((p) => [p.status, Number(p.amount).toFixed(2), p.provider, p.occurredAt.toISOString()])).toEqual([['applied', '113.00', 'stripe', '2026-05-02T00:00:00.000Z']]);
    expect(await balances()).toEqual({ 'AR CAD': '0.00', 'CLR-STRIPE CAD': '113.00', 'REV-HOSTING CAD': '100.00', 'TAX-PAYABLE CAD': '13.00' });
    const view = await billing.gql(`query($id: ID!) { ledgerInvoice(id: $id) { status paid { amount } open { amount } entries { sourceType lines { account { code } debit { amount } credit { amount } } } } }`, { id: invoice.id }, ['finance']);
    expect(view.ledgerInvoice.paid.amount).toBe('113.00');
    expect(view.ledgerInvoice.open.amount).toBe('0.00');
    expect(view.ledgerInvoice.entries.map((e: any) => e.sourceType)).toEqual(['invoice', 'payment']);
  });

  it('a partial payment is booked as partial; a later top-up books the difference once', async () => {
    await source.insertInvoices([invoiceFixture({ amount_paid: '50.0', paid_at: '2026-05-03 00:00:00' })]);
    await ingest({ post: true });
    const invoice = (await ledgerInvoice())!;
    const open = async () => (await billing.gql(`query($id: ID!) { ledgerInvoice(id: $id) { open { amount } } }`, { id: invoice.id }, ['finance'])).ledgerInvoice.open.amount;
    expect(await open()).toBe('63.00');
    await ingest({ post: true });
    expect(await em().count(LedgerPayment, {})).toBe(1);
    await source.query("UPDATE invoices SET status = 'paid', amount_paid = 113, paid_at = '2026-05-20' WHERE id = 'inv-1'");
    const topUp = await ingest({ post: true });
    expect(figure(topUp, 'paymentsBooked')).toBe('1');
    expect(await open()).toBe('0.00');
    expect((await em().find(LedgerPayment, {}, { orderBy: { occurredAt: 'asc' } })).map((p) => Number(p.amount).toFixed(2))).toEqual(['50.00', '63.00']);
  });

  it('18. bulk post: drafts reviewed, then posted with the payments their source reported', async () => {
    await source.insertInvoices([invoiceFixture({ status: 'paid', amount_paid: '113.0', paid_at: '2026-05-02 00:00:00' })]);
    await ingest();
    expect((await ledgerInvoice())!.status).toBe('draft');
    const posted = await runImport(billing, 'postIngestedInvoices', { serviceCode: 'nexacloud' });
    expect(Number(figure(posted, 'posted'))).toBeGreaterThanOrEqual(1);
    expect(figure(posted, 'paymentsBooked')).toBe('1');
    expect((await ledgerInvoice())!.status).toBe('posted');
    expect((await balances())['AR CAD']).toBe('0.00');
  });

  it('void and draft invoices are skipped; a draft voided at the source is removed', async () => {
    await source.insertInvoices([invoiceFixture(), invoiceFixture({ id: 'inv-2', invoice_number: 'NEX-0002', status: 'draft' }), invoiceFixture({ id: 'inv-3', invoice_number: 'NEX-0003', status: 'void' })]);
    const run = await ingest();
    expect(run.summary.skipped).toEqual(expect.arrayContaining([
      { kind: 'invoice', id: 'inv-2', reason: 'draft at source (not issued yet)' },
      { kind: 'invoice', id: 'inv-3', reason: 'void at source' },
    ]));
    await source.query("UPDATE invoices SET status = 'void' WHERE id = 'inv-1'");
    const again = await ingest();
    expect(again.summary.skipped).toContainEqual({ kind: 'invoice', id: 'inv-1', reason: 'void at source: its draft was removed' });
    expect(await em().count(LedgerInvoice, {})).toBe(0);
  });

  it('a posted invoice is never modified: a change at the source is reported for review', async () => {
    await source.insertInvoices([invoiceFixture()]);
    await ingest({ post: true });
    const entry = await em().findOneOrFail(JournalEntry, { sourceType: 'invoice' });
    const linesBefore = await em().find(JournalLine, { entryId: entry.id }, { orderBy: { position: 'asc' } });
    await source.query("UPDATE invoices SET subtotal = 90, tax = 11.7 WHERE id = 'inv-1'; UPDATE invoice_items SET amount = 90, unit_price = 90");
    const run = await ingest({ post: true });
    expect(run.summary.skipped).toContainEqual({ kind: 'invoice', id: 'inv-1', reason: 'already posted' });
    expect(run.summary.review).toContainEqual(expect.objectContaining({ id: 'inv-1', reason: expect.stringMatching(/changed at source after it was posted/) }));
    const linesAfter = await em().find(JournalLine, { entryId: entry.id }, { orderBy: { position: 'asc' } });
    expect(linesAfter.map((l) => [l.debit, l.credit].map(Number))).toEqual(linesBefore.map((l) => [l.debit, l.credit].map(Number)));
    expect((await ledgerInvoice())!.upstreamChangedAt).toBeInstanceOf(Date);
    const flagged = await billing.gql('{ ledgerInvoices(filter: { changedUpstream: true }) { externalId } }', {}, ['finance']);
    expect(flagged.ledgerInvoices).toEqual([{ externalId: 'inv-1' }]);

    // The correction is a reversal: the invoice is a draft again, rewritten from the source, posted as revision 2.
    const reversed = await billing.gql(`mutation($id: ID!) { reverseLedgerEntry(id: $id, reason: "amount corrected upstream") { sourceType reversesEntryId } }`, { id: entry.id }, ['finance']);
    expect(reversed.reverseLedgerEntry).toEqual({ sourceType: 'reversal', reversesEntryId: entry.id });
    await ingest({ post: true });
    const invoice = (await ledgerInvoice())!;
    expect(invoice).toMatchObject({ status: 'posted', revision: 2 });
    expect(Number(invoice.total)).toBeCloseTo(101.7, 10);
    expect(await balances()).toMatchObject({ 'AR CAD': '101.70', 'REV-HOSTING CAD': '90.00', 'TAX-PAYABLE CAD': '11.70' });
    const twice = await billing.graphql(`mutation($id: ID!) { reverseLedgerEntry(id: $id, reason: "again") { id } }`, { id: entry.id }, ['finance']);
    expect(twice.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('14. tax: a tax the derived rate does not reproduce flags the invoice; it is never posted', async () => {
    await source.insertInvoices([
      invoiceFixture({ id: 'inv-ok', invoice_number: 'NEX-OK', subtotal: '100.0', tax: '0.0' }),
      invoiceFixture({ id: 'inv-bad', invoice_number: 'NEX-BAD', subtotal: '100.0', tax: '13.3' }),
    ]);
    const run = await ingest({ post: true });
    expect(figure(run, 'posted')).toBe('1');
    expect((await ledgerInvoice('inv-ok'))!.status).toBe('posted');
    const bad = (await ledgerInvoice('inv-bad'))!;
    expect(bad.status).toBe('draft');
    expect(bad.flagList()).toContain('tax_mismatch');
    expect(run.summary.review).toContainEqual(expect.objectContaining({ id: 'inv-bad', reason: expect.stringMatching(/not postable: tax 13.30 on 100.00 is not 13% \(computed 13.00\)/) }));
    const refused = await billing.graphql(`mutation($id: ID!) { postLedgerInvoice(id: $id) { status } }`, { id: bad.id }, ['finance']);
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const bulk = await runImport(billing, 'postIngestedInvoices', { serviceCode: 'nexacloud' });
    expect(bulk.summary.skipped).toContainEqual(expect.objectContaining({ reason: expect.stringMatching(/^flagged: tax/) }));
    expect((await ledgerInvoice('inv-bad'))!.status).toBe('draft');
  });

  it('12. revenue families from the rules; unmatched lines go to other and are flagged; rules are editable data', async () => {
    await source.insertInvoices([invoiceFixture({
      subtotal: '200.0', tax: '26.0',
      items: [
        { description: 'Managed Odoo - Standard (at $49.99 / month)', quantity: '1', unit_price: '50', amount: '50' },
        { description: 'Remaining time on Daily Backup Protection after 27 May 2026', quantity: '1', unit_price: '50', amount: '50' },
        { description: 'WordPress Website Hosting - Managed (at $50.00 / month)', quantity: '1', unit_price: '50', amount: '50' },
        { description: 'Something Unmapped', quantity: '1', unit_price: '50', amount: '50' },
      ],
    })]);
    const run = await ingest();
    const invoice = (await ledgerInvoice())!;
    // Items are read in a deterministic order (period, description, amount): compare by description.
    const families = async () => Object.fromEntries((await em().find(LedgerInvoiceLine, { invoiceId: invoice.id })).map((l) => [l.description.split(' ')[0], l.family]));
    expect(await families()).toEqual({ Managed: 'managed', Remaining: 'addons', WordPress: 'hosting', Something: 'other' });
    expect(invoice.flagList()).toEqual(['family_review']);
    expect(run.summary.review).toContainEqual(expect.objectContaining({ reason: expect.stringMatching(/"Something Unmapped"/) }));

    await billing.gql(`mutation($rules: [RevenueFamilyRuleInput!]!) { replaceRevenueFamilyRules(rules: $rules) { position family keyword } }`,
      { rules: [...DEFAULT_REVENUE_FAMILY_RULES, { family: 'consulting', keyword: 'Something' }] }, ['finance']);
    await ingest({ post: true });
    expect(await families()).toEqual({ Managed: 'managed', Remaining: 'addons', WordPress: 'hosting', Something: 'consulting' });
    expect(await balances()).toMatchObject({ 'REV-CONSULTING CAD': '50.00', 'REV-MANAGED CAD': '50.00', 'REV-ADDONS CAD': '50.00', 'REV-HOSTING CAD': '50.00' });
    const bad = await billing.graphql(`mutation { replaceRevenueFamilyRules(rules: [{ family: "Bad Family", keyword: "" }]) { position } }`, {}, ['finance']);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rules' });
    expect(bad.errors?.[0]?.message).toMatch(/rules\[0\]\.family/);
  });

  it('the currency comes from the source; the summary totals revenue per family and currency', async () => {
    await source.insertInvoices([invoiceFixture({ currency: 'usd', subtotal: '100', tax: '0' })]);
    const run = await ingest({ post: true });
    expect(figure(run, 'revenue hosting USD')).toBe('100.00');
    expect(await balances()).toMatchObject({ 'AR USD': '100.00', 'REV-HOSTING USD': '100.00' });
  });

  it('each row is isolated: a bad invoice fails with its error, the others are ingested', async () => {
    await source.insertInvoices([
      invoiceFixture({ id: 'inv-a', invoice_number: 'A', created_at: '2026-05-01 00:00:00' }),
      invoiceFixture({ id: 'inv-b', invoice_number: 'B', currency: 'dollars', created_at: '2026-05-02 00:00:00' }),
      invoiceFixture({ id: 'inv-c', invoice_number: 'C', user_id: 'u-ghost', created_at: '2026-05-03 00:00:00' }),
      invoiceFixture({ id: 'inv-d', invoice_number: 'D', created_at: '2026-05-04 00:00:00' }),
    ]);
    const run = await ingest();
    expect(countOf(run.summary.created, 'invoices')).toBe(2);
    expect(run.summary.failed).toEqual([
      expect.objectContaining({ id: 'inv-b', reason: expect.stringMatching(/currency "dollars" is not an ISO 4217 code/) }),
      expect.objectContaining({ id: 'inv-c', reason: expect.stringMatching(/user u-ghost is unknown and has no e-mail/) }),
    ]);
    expect(run.processed).toBe(4);
    expect(run.total).toBe(4);
  });

  it('a dry run reports what would happen and writes nothing', async () => {
    await source.insertInvoices([invoiceFixture({ status: 'paid', amount_paid: '113.0' })]);
    const run = await ingest({ dryRun: true, post: true });
    expect(run.summary.dryRun).toBe(true);
    expect(countOf(run.summary.created, 'invoices')).toBe(1);
    expect(figure(run, 'posted')).toBe('1');
    expect(await em().count(LedgerInvoice, {})).toBe(0);
    expect(await em().count(JournalEntry, {})).toBe(0);
    expect(await em().count(LedgerPayment, {})).toBe(0);
  });

  it('19. DSN guard: the source may not be billing\'s own database', async () => {
    const own = await infra.databaseUrl('postgres');
    expect(ledgerOf(billing.deps).config.sources.has('nexacloud')).toBe(true);
    await expect(startBilling({ databaseUrl: own, bus: await infra.bus(), env: { BILLING_SOURCE_DSN_NEXACLOUD: own } }))
      .rejects.toThrow(ConfigError);
    await expect(startBilling({ databaseUrl: own, bus: await infra.bus(), env: { BILLING_SOURCE_DSN_NEXACLOUD: own } }))
      .rejects.toThrow(/BILLING_SOURCE_DSN_NEXACLOUD: points at billing's own database/);
    // A spelling the URL check cannot see through is caught once connected, by the server's identity.
    const session = await SourceDatabase.connect({ dsn: source.url, label: 'probe' });
    const identity = await session.identity();
    await session.close();
    await expect(SourceDatabase.connect({ dsn: source.url, label: 'nexacloud', ownIdentity: identity })).rejects.toThrow(/reaches billing's own database/);
    if (db === 'postgres') {
      const mine = await ownServerIdentity((sql) => billing.deps.db.em().getConnection().execute(sql));
      expect(mine.database).not.toBe(identity.database);
    }
  });
});
