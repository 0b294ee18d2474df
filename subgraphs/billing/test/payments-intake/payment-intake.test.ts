import { createEvent, type EventBus } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { LedgerPayment } from '../../src/ledger/ledger-payment.js';
import { checkPaymentEvent, PaymentEventError } from '../../src/payments-intake/payment-events.js';
import { paymentIntakeHandler } from '../../src/payments-intake/payment-intake-handler.js';
import type { AppSetup, BillingUnderTest, DbKind } from '../support/billing-harness.js';
import { LEDGER_USER, invoiceFixture, type AppSource } from '../ledger/support/app-source.js';
import { billingWithAppSource } from '../ledger/support/billing-with-app-source.js';
import { countOf, runImport, runReconciliation } from '../ledger/support/ledger-harness.js';

describe('payment events are checked before anything is booked', () => {
  const base = { paymentId: 'pay_1', kind: 'charge', provider: 'clover', amount: '12.34', currency: 'cad', occurredAt: '2026-05-02T10:00:00Z' };
  it('accepts the payments subgraph\'s shape; the kind follows the event type', () => {
    expect(checkPaymentEvent('payments.refund.succeeded', { ...base, invoiceId: ' NEX-1 ', customerEmail: 'AR@Acme.test' }, '2026-05-02T10:00:01Z')).toMatchObject({
      kind: 'refund', currency: 'CAD', invoiceReference: 'NEX-1', customerEmail: 'ar@acme.test', occurredAt: new Date('2026-05-02T10:00:00Z'),
    });
  });
  it.each([
    [{ paymentId: undefined }, /paymentId/],
    [{ amount: 12.34 }, /amount/],
    [{ amount: '0.00' }, /amount/],
    [{ amount: '-5' }, /amount/],
    [{ amount: '1.234' }, /amount/],
    [{ currency: 'dollars' }, /currency/],
    [{ occurredAt: 'yesterday' }, /occurredAt/],
    [{ provider: 'two words' }, /provider/],
  ])('refuses %o', (override, message) => {
    expect(() => checkPaymentEvent('payments.charge.succeeded', { ...base, ...override }, '2026-05-02T10:00:00Z')).toThrow(message);
  });
});

/** `payments.charge.succeeded` / `payments.refund.succeeded` into the ledger, through a real bus. */
describe.each<[DbKind, 'nats' | 'in-process']>([['postgres', 'nats'], ['sqlite', 'in-process']])('payments into the ledger (billing on %s, %s bus)', (db, busKind) => {
  const started = billingWithAppSource(db, {
    bus: busKind,
    env: ({ source }) => ({ BILLING_SOURCE_DSN_NEXACLOUD: source.url, BILLING_RECONCILIATION_CRON: 'off', BILLING_PAYMENT_MATCH_WINDOW_DAYS: '30' }),
  });
  let source: AppSource;
  let bus: EventBus;
  let billing: BillingUnderTest;
  let app: AppSetup;

  beforeAll(async () => {
    ({ source, bus, billing } = started);
    const apiKey = (await billing.gql('mutation { rotateBillingServiceSecrets(code: "nexacloud") { apiKey } }', {}, ['ops'])).rotateBillingServiceSecrets.apiKey;
    app = { code: 'nexacloud', apiKey, webhookSecret: '' };
    await source.insert('users', [LEDGER_USER]);
  });

  let seq = 0;
  const pay = async (data: Record<string, unknown>, type = 'payments.charge.succeeded', id?: string) => {
    const event = createEvent({ type, source: 'payments', data: { kind: 'charge', provider: 'clover', currency: 'CAD', occurredAt: '2026-05-05T12:00:00Z', ...data }, subject: String(data.paymentId), id });
    await bus.publish(event);
    return event;
  };
  const ledgerPayment = (paymentId: string) => eventually(() => billing.deps.db.em().findOne(LedgerPayment, { paymentId }), (p) => p !== null, { timeoutMs: 15_000 });
  const balances = async () => {
    const data = await billing.gql('{ ledgerBalances { account { code } currency balance { amount } } }', {}, ['finance']);
    return Object.fromEntries(data.ledgerBalances.map((b: any) => [`${b.account.code} ${b.currency}`, b.balance.amount]));
  };
  const customerBalance = async (email: string) => (await billing.gql(
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { ledgerBalance { amount currency } } } }`,
    { r: [{ __typename: 'Customer', email }] }, ['finance'])).
    _entities[0].ledgerBalance;

  it('an invoice Switchboard issued is posted when issued; its payment is booked against it and shows on the Invoice', async () => {
    await billing.api('POST', '/customers', { key: app.apiKey, body: { external_id: 'c-9', email: 'pay@globex.test', name: 'Globex' } });
    const created = await billing.api('POST', '/invoices', { key: app.apiKey, body: { external_customer_id: 'c-9', currency: 'CAD', lines: [{ description: 'Throttle removal fee', quantity: '1', unit_price: '40.00' }] } });
    expect(created.status).toBe(201);
    const invoiceId = created.body.invoice.id as string;
    const invoiceQuery = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Invoice { id status ledgerInvoice { status total { amount } } ledgerEntries { sourceType } ledgerPayments { amount { amount } status provider } } } }`;
    const view = () => billing.gql(invoiceQuery, { r: [{ __typename: 'Invoice', id: invoiceId }] }, ['finance']).then((d) => d._entities[0]);
    expect((await eventually(view, (v) => v.ledgerInvoice?.status === 'posted', { timeoutMs: 15_000 })).ledgerEntries).toEqual([{ sourceType: 'invoice' }]);
    expect(await customerBalance('pay@globex.test')).toEqual([{ amount: '40.00', currency: 'CAD' }]);

    const event = await pay({ paymentId: 'pay_issued', amount: '40.00', invoiceId, customerEmail: 'pay@globex.test' });
    await ledgerPayment('pay_issued');
    await bus.publish(event); // redelivered / duplicated: one effect
    await pay({ paymentId: 'pay_issued', amount: '40.00', invoiceId }); // same payment, another event id: still one
    const settled = await eventually(view, (v) => v.ledgerPayments.length === 1 && v.status === 'paid', { timeoutMs: 15_000 });
    expect(settled.ledgerPayments).toEqual([{ amount: { amount: '40.00' }, status: 'applied', provider: 'clover' }]);
    expect(settled.ledgerEntries.map((e: any) => e.sourceType)).toEqual(['invoice', 'payment']);
    expect(await customerBalance('pay@globex.test')).toEqual([{ amount: '0.00', currency: 'CAD' }]);
    const payment = await billing.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id ledgerEntries { sourceType currency } } } }`,
      { r: [{ __typename: 'Payment', id: 'pay_issued' }] }, ['finance']);
    expect(payment._entities[0].ledgerEntries).toEqual([{ sourceType: 'payment', currency: 'CAD' }]);

    // A refund against the invoice puts the amount back on the customer's receivable.
    await pay({ paymentId: 'ref_issued', amount: '15.00', invoiceId }, 'payments.refund.succeeded');
    await ledgerPayment('ref_issued');
    expect(await customerBalance('pay@globex.test')).toEqual([{ amount: '15.00', currency: 'CAD' }]);

    // A credit note and a void are booked too (credit: revenue reversed; void: the entry reversed).
    const second = await billing.api('POST', '/invoices', { key: app.apiKey, body: { external_customer_id: 'c-9', currency: 'CAD', lines: [{ description: 'Token pack', quantity: '2', unit_price: '10.00' }] } });
    const secondId = second.body.invoice.id as string;
    const entries = (id: string) => billing.gql(invoiceQuery, { r: [{ __typename: 'Invoice', id }] }, ['finance']).then((d) => d._entities[0].ledgerEntries.map((e: any) => e.sourceType));
    await eventually(() => entries(secondId), (e) => e.length === 1, { timeoutMs: 15_000 });
    expect((await billing.api('POST', '/credit_notes', { key: app.apiKey, body: { invoice_id: secondId, amount: '5.00', reason: 'goodwill' } })).status).toBe(201);
    await eventually(() => entries(secondId), (e) => e.includes('credit_note'), { timeoutMs: 15_000 });
    expect((await billing.api('POST', `/invoices/${secondId}/void`, { key: app.apiKey })).status).toBe(200);
    await eventually(() => entries(secondId), (e) => e.includes('reversal'), { timeoutMs: 15_000 });
    expect(await customerBalance('pay@globex.test')).toEqual([{ amount: '10.00', currency: 'CAD' }]);
  });

  it('an imported invoice is found by its number; an unknown reference parks the payment in suspense', async () => {
    await source.insertInvoices([invoiceFixture()]);
    await runImport(billing, 'ingestBillingInvoices', { serviceCode: 'nexacloud', dryRun: false, post: true });
    await pay({ paymentId: 'pay_nex1', amount: '113.00', invoiceId: 'NEX-0001' });
    const applied = await ledgerPayment('pay_nex1');
    expect(applied).toMatchObject({ status: 'applied', provider: 'clover' });

    await pay({ paymentId: 'pay_lost', amount: '56.50', invoiceId: 'NEX-0002', customerEmail: 'ar@acme.test' });
    const parked = await ledgerPayment('pay_lost');
    expect(parked).toMatchObject({ status: 'unmatched', unmatchedReason: 'no invoice "NEX-0002" in the ledger' });
    expect((await balances())['SUSPENSE CAD']).toBe('56.50');
    const listed = await billing.gql('{ ledgerPayments(status: "unmatched") { paymentId unmatchedReason amount { amount } } }', {}, ['finance']);
    expect(listed.ledgerPayments).toContainEqual({ paymentId: 'pay_lost', unmatchedReason: 'no invoice "NEX-0002" in the ledger', amount: { amount: '56.50' } });

    // Payments of shop orders are commerce's, not billing's.
    await pay({ paymentId: 'pay_order', amount: '9.99', orderId: 'ord-1' });
    await pay({ paymentId: 'pay_marker', amount: '1.00' });
    await ledgerPayment('pay_marker');
    expect(await billing.deps.db.em().count(LedgerPayment, { paymentId: 'pay_order' })).toBe(0);

    // Reconciliation lists the unmatched on both sides…
    await source.insertInvoices([invoiceFixture({ id: 'inv-2', invoice_number: 'NEX-0002', stripe_invoice_id: 'in_test2', subtotal: '50', tax: '6.5', created_at: '2026-05-04 00:00:00', items: [{ description: 'Daily Backup Protection', quantity: '1', unit_price: '50', amount: '50' }] })]);
    const first = await runReconciliation(billing, { kind: 'payments' });
    expect(first.status).toBe('succeeded');
    const lines = async (id: string) => (await billing.gql(`query($id: ID!) { reconciliationRun(id: $id) { paymentMatches { kind method reason amount { amount } payment { paymentId } invoice { number } } } }`, { id }, ['finance'])).reconciliationRun.paymentMatches;
    expect(await lines(first.id)).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'matched', method: 'booked', payment: { paymentId: 'pay_nex1' }, invoice: { number: 'NEX-0001' } }),
      expect.objectContaining({ kind: 'unmatched_payment', payment: { paymentId: 'pay_lost' } }),
      // The issued invoice of the first test: paid, then 15.00 refunded.
      expect.objectContaining({ kind: 'unmatched_invoice', reason: 'partly paid', amount: { amount: '15.00' } }),
    ]));
    // …and once the invoice is in the ledger, the exact reference applies the parked payment.
    await runImport(billing, 'ingestBillingInvoices', { serviceCode: 'nexacloud', dryRun: false, post: true });
    const second = await runReconciliation(billing, { kind: 'payments' });
    expect(await lines(second.id)).toContainEqual(expect.objectContaining({ kind: 'matched', method: 'reference', payment: { paymentId: 'pay_lost' }, invoice: { number: 'NEX-0002' } }));
    expect(countOf(second.summary.updated, 'payments applied')).toBe(1);
    expect(await billing.deps.db.em().findOne(LedgerPayment, { paymentId: 'pay_lost' })).toMatchObject({ status: 'applied', unmatchedReason: null });
    expect((await balances())['SUSPENSE CAD']).toBe('1.00');
  });

  it('a payment without a reference is suggested by amount and date; a person applies it', async () => {
    await source.insertInvoices([invoiceFixture({ id: 'inv-3', invoice_number: 'NEX-0003', stripe_invoice_id: 'in_test3', subtotal: '70', tax: '9.1', created_at: '2026-05-10 00:00:00', items: [{ description: 'Managed Odoo - Standard', quantity: '1', unit_price: '70', amount: '70' }] })]);
    await runImport(billing, 'ingestBillingInvoices', { serviceCode: 'nexacloud', dryRun: false, post: true });
    await pay({ paymentId: 'pay_bank', amount: '79.10', customerEmail: 'ar@acme.test', occurredAt: '2026-05-12T09:00:00Z' });
    expect((await ledgerPayment('pay_bank'))!.status).toBe('unmatched');
    const run = await runReconciliation(billing, { kind: 'payments' });
    const suggested = (await billing.gql(`query($id: ID!) { reconciliationRun(id: $id) { paymentMatches(kind: "suggested") { method payment { id paymentId } invoice { id number } } } }`, { id: run.id }, ['finance'])).reconciliationRun.paymentMatches;
    expect(suggested).toEqual([expect.objectContaining({ method: 'amount_date', payment: expect.objectContaining({ paymentId: 'pay_bank' }), invoice: expect.objectContaining({ number: 'NEX-0003' }) })]);
    const before = (await balances())['AR CAD'];
    const applied = await billing.gql(`mutation($p: ID!, $i: ID!) { applyLedgerPayment(paymentId: $p, invoiceId: $i) { status appliedBy invoice { number } entries { sourceType } } }`,
      { p: suggested[0].payment.id, i: suggested[0].invoice.id }, ['finance']);
    expect(applied.applyLedgerPayment).toMatchObject({ status: 'applied', invoice: { number: 'NEX-0003' }, entries: [{ sourceType: 'payment' }, { sourceType: 'suspense_application' }] });
    expect(Number((await balances())['AR CAD'])).toBeCloseTo(Number(before) - 79.1, 10);
    const again = await billing.graphql(`mutation($p: ID!, $i: ID!) { applyLedgerPayment(paymentId: $p, invoiceId: $i) { status } }`, { p: suggested[0].payment.id, i: suggested[0].invoice.id }, ['finance']);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('a malformed payment event is refused whole (retried, then a dead letter), never half-booked', async () => {
    const bad = createEvent({ type: 'payments.charge.succeeded', source: 'payments', data: { paymentId: 'pay_bad', amount: 12.5, currency: 'CAD' } });
    await expect(billing.deps.consumers.apply(paymentIntakeHandler, bad, 1)).rejects.toThrow(PaymentEventError);
    expect(await billing.deps.db.em().count(LedgerPayment, { paymentId: 'pay_bad' })).toBe(0);
  });

  it('the sum of customer balances equals the receivable account', async () => {
    const all = await billing.gql('{ ledgerBalances { account { code } currency balance { amount } } }', {}, ['finance']);
    const ar = all.ledgerBalances.find((b: any) => b.account.code === 'AR' && b.currency === 'CAD').balance.amount;
    const rows = await billing.deps.db.em().getConnection().execute("select distinct customer_email from billing_journal_line where customer_email is not null");
    let sum = 0n;
    for (const row of rows as { customer_email: string }[]) {
      for (const b of await customerBalance(row.customer_email)) if (b.currency === 'CAD') sum += BigInt(b.amount.replace('.', ''));
    }
    expect(sum).toBe(BigInt(ar.replace('.', '')));
    void seq;
  });
});
