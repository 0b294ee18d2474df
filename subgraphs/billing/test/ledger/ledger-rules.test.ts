import { describe, expect, it } from 'vitest';
import { accountSpec, normalSide } from '../../src/ledger/accounts.js';
import { allocateCents, invoiceFingerprint, isBlocked, prepareInvoice } from '../../src/ledger/invoice-document.js';
import {
  assertBalanced, creditNotePosting, invoicePosting, paymentPosting, refundPosting, reversalPosting, suspenseApplicationPosting, totals,
  UnbalancedPostingError, type Posting,
} from '../../src/ledger/posting-rules.js';
import { classifyRevenue, DEFAULT_REVENUE_FAMILY_RULES, validateRevenueFamilyRules } from '../../src/ledger/revenue-families.js';
import { checkTax } from '../../src/ledger/tax.js';
import { Dec } from '../../src/shared/decimal.js';

const rules = DEFAULT_REVENUE_FAMILY_RULES;
const d = (v: string) => new Dec(v);

describe('revenue families (seed test 12)', () => {
  it.each([
    ['Odoo ERP Hosting (2026-05-01 to 2026-06-01)', 'hosting'],
    ['WordPress Website Hosting - Managed (at $50.00 / month)', 'hosting'],
    ['Managed Odoo - Standard (at $49.99 / month)', 'managed'],
    ['Daily Backup Protection', 'addons'],
    ['Remaining time on Daily Backup Protection after 27 May 2026', 'addons'],
    ['Unused time on Odoo ERP Hosting from 3 May 2026', 'hosting'],
    ['Remaining time on WhatsApp Integration (at $9.00 / month)', 'addons'],
    ['Something Unmapped', 'other'],
  ])('%s → %s', (description, family) => {
    expect(classifyRevenue(description, rules).family).toBe(family);
  });

  it('the first matching rule wins, so order is meaning; unmatched lines are marked for review', () => {
    expect(classifyRevenue('Managed WordPress Website Hosting', rules)).toEqual({ family: 'hosting', matched: true });
    expect(classifyRevenue('Managed WordPress Website Hosting', [...rules].reverse())).toMatchObject({ family: 'managed' });
    expect(classifyRevenue('  ', rules)).toEqual({ family: 'other', matched: false });
    expect(classifyRevenue('Remaining time on Mystery Box after 1 June', rules)).toEqual({ family: 'other', matched: false, prorationOf: 'mystery box' });
  });

  it('rule lists are validated, each problem naming its rule', () => {
    expect(validateRevenueFamilyRules(rules)).toEqual([]);
    expect(validateRevenueFamilyRules([{ family: 'Hosting!', keyword: 'x' }, { family: 'a', keyword: ' ' }, { family: 'a', keyword: 'K' }, { family: 'a', keyword: 'k' }])).toEqual([
      expect.stringMatching(/^rules\[0\]\.family/),
      'rules[1].keyword must not be empty',
      'rules[3] repeats family "a" with keyword "k"',
    ]);
  });
});

describe('tax (seed test 14)', () => {
  it('rate = round(100 × tax / subtotal); the computed tax must equal the source', () => {
    expect(checkTax('100.0', '13.0')).toMatchObject({ rate: 13, matches: true });
    expect(checkTax('100.0', '13.0').computedTax.toFixed(2)).toBe('13.00');
    expect(checkTax('100.0', '0.0')).toMatchObject({ rate: 0, matches: true });
    expect(checkTax('9.1000', '1.1830')).toMatchObject({ rate: 13, matches: true });
    expect(checkTax('0', '0')).toMatchObject({ rate: 0, matches: true });
  });

  it('flags what the rate does not reproduce: a non-integer rate, tax without subtotal, opposite signs', () => {
    expect(checkTax('100.0', '13.3')).toMatchObject({ rate: 13, matches: false });
    expect(checkTax('0', '5')).toMatchObject({ rate: 0, matches: false });
    expect(checkTax('100', '-13').matches).toBe(false);
    expect(checkTax('-100', '-13')).toMatchObject({ rate: 13, matches: true });
  });
});

describe('preparing an invoice for the ledger', () => {
  it('revenue per family in cents adds up to the subtotal even when items carry sub-cent amounts', () => {
    const prepared = prepareInvoice({
      currency: 'CAD', subtotal: '20.0150', tax: '0',
      lines: [
        { description: 'Odoo ERP Hosting', quantity: '1', unitPrice: '20', amount: '20.0000', periodStart: null },
        { description: 'Daily Backup', quantity: '1', unitPrice: '0.0075', amount: '0.0075', periodStart: null },
        { description: 'White Label', quantity: '1', unitPrice: '0.0075', amount: '0.0075', periodStart: null },
      ],
    }, rules);
    expect(prepared.flags).toEqual([]);
    expect(prepared.subtotal.toFixed(2)).toBe('20.02');
    expect(prepared.revenueByFamily.reduce((s, [, a]) => s.plus(a), d('0')).toFixed(2)).toBe('20.02');
  });

  it('allocateCents hands the rounding remainder to the most rounded-down share', () => {
    // Each 0.005 rounds half up to 0.01 (0.03 in all); the invoice's 0.02 takes a cent back from one.
    expect(allocateCents([['a', d('0.005')], ['b', d('0.005')], ['c', d('0.005')]], d('0.02')).map(([k, v]) => [k, v.toFixed(2)]))
      .toEqual([['a', '0.00'], ['b', '0.01'], ['c', '0.01']]);
    expect(allocateCents([['a', d('0.004')], ['b', d('0.004')], ['c', d('0.0079')]], d('0.02')).map(([k, v]) => [k, v.toFixed(2)]))
      .toEqual([['a', '0.01'], ['b', '0.00'], ['c', '0.01']]);
    const negative = allocateCents([['a', d('-0.005')], ['b', d('-0.005')]], d('-0.01'));
    expect(negative.reduce((s, [, v]) => s.plus(v), d('0')).toFixed(2)).toBe('-0.01');
  });

  it('flags a subtotal the items do not add up to, and an invoice without items goes to other', () => {
    const mismatch = prepareInvoice({ currency: 'CAD', subtotal: '120', tax: '0', lines: [{ description: 'Odoo ERP Hosting', quantity: '1', unitPrice: '100', amount: '100', periodStart: null }] }, rules);
    expect(mismatch.flags).toEqual(['subtotal_mismatch']);
    expect(isBlocked(mismatch.flags)).toBe(true);
    const empty = prepareInvoice({ currency: 'CAD', subtotal: '877.99', tax: '114.14', lines: [] }, rules);
    expect(empty.flags).toEqual(['family_review']);
    expect(isBlocked(empty.flags)).toBe(false);
    expect(empty.revenueByFamily.map(([f, a]) => [f, a.toFixed(2)])).toEqual([['other', '877.99']]);
    expect(empty.total.toFixed(2)).toBe('992.13');
  });

  it('a missing amount is quantity × unit price; the fingerprint ignores payment status but sees every amount', () => {
    const prepared = prepareInvoice({ currency: 'CAD', subtotal: '30', tax: '0', lines: [{ description: 'Daily Backup', quantity: '3', unitPrice: '10', amount: null, periodStart: null }] }, rules);
    expect(prepared.lines[0]!.amount.toFixed(2)).toBe('30.00');
    const base = { customerKey: 'a@b.c', issuedAt: new Date('2026-05-01T00:00:00Z'), currency: 'CAD', subtotal: '30', tax: '0', lines: [{ description: 'x', quantity: '1', unitPrice: '30', amount: '30', periodStart: null }] };
    expect(invoiceFingerprint(base)).toBe(invoiceFingerprint({ ...base, subtotal: '30.0000' }));
    expect(invoiceFingerprint(base)).not.toBe(invoiceFingerprint({ ...base, tax: '0.01' }));
  });
});

describe('posting rules', () => {
  const sumSigned = (posting: Posting, code: string) =>
    posting.lines.filter((l) => accountSpec(l.account).code === code).reduce((s, l) => s.plus(l.debit).minus(l.credit), d('0')).toFixed(2);

  it('an invoice: receivable debited with the total; revenue per family and tax credited', () => {
    const posting = invoicePosting({ currency: 'CAD', customerEmail: 'ar@acme.test', revenueByFamily: [['hosting', d('100')], ['addons', d('20')]], tax: d('15.60'), memo: 'Invoice NEX-1' });
    assertBalanced(posting);
    expect(sumSigned(posting, 'AR')).toBe('135.60');
    expect(sumSigned(posting, 'REV-HOSTING')).toBe('-100.00');
    expect(sumSigned(posting, 'REV-ADDONS')).toBe('-20.00');
    expect(sumSigned(posting, 'TAX-PAYABLE')).toBe('-15.60');
    expect(posting.lines.find((l) => l.account.kind === 'receivable')!.customerEmail).toBe('ar@acme.test');
  });

  it('a credit invoice (negative amounts) books the other way round; zero lines are left out', () => {
    const posting = invoicePosting({ currency: 'CAD', customerEmail: 'a@b.c', revenueByFamily: [['hosting', d('-50')]], tax: d('0'), memo: 'Credit' });
    assertBalanced(posting);
    expect(posting.lines).toHaveLength(2);
    expect(sumSigned(posting, 'AR')).toBe('-50.00');
  });

  it('payments, refunds, suspense applications, credit notes and reversals all balance', () => {
    const movement = { currency: 'CAD', amount: d('40'), channel: 'Stripe', customerEmail: 'a@b.c', target: 'receivable' as const, memo: 'p' };
    const payment = paymentPosting(movement);
    expect(sumSigned(payment, 'CLR-STRIPE')).toBe('40.00');
    expect(sumSigned(payment, 'AR')).toBe('-40.00');
    const parked = paymentPosting({ ...movement, target: 'suspense' });
    expect(sumSigned(parked, 'SUSPENSE')).toBe('-40.00');
    expect(parked.lines.every((l) => l.customerEmail === null)).toBe(true);
    const refund = refundPosting(movement);
    expect(sumSigned(refund, 'AR')).toBe('40.00');
    const applied = suspenseApplicationPosting({ currency: 'CAD', amount: d('40'), kind: 'charge', customerEmail: 'a@b.c', memo: 'apply' });
    expect(sumSigned(applied, 'SUSPENSE')).toBe('40.00');
    expect(sumSigned(applied, 'AR')).toBe('-40.00');
    const credit = creditNotePosting({ currency: 'CAD', customerEmail: 'a@b.c', revenueByFamily: [['hosting', d('10')]], tax: d('1.30'), memo: 'cn' });
    expect(sumSigned(credit, 'AR')).toBe('-11.30');
    for (const posting of [payment, parked, refund, applied, credit, reversalPosting(payment, 'undo')]) assertBalanced(posting);
    const reversal = reversalPosting(payment, 'undo');
    expect(totals(reversal)).toEqual(totals(payment));
    expect(sumSigned(reversal, 'CLR-STRIPE')).toBe('-40.00');
  });

  it('refuses what is not a proper entry', () => {
    const line = (debit: string, credit: string) => ({ account: { kind: 'receivable' as const }, debit: d(debit), credit: d(credit), customerEmail: null, memo: '' });
    expect(() => assertBalanced({ currency: 'CAD', lines: [line('10', '0'), line('0', '9.99')] })).toThrow(UnbalancedPostingError);
    expect(() => assertBalanced({ currency: 'CAD', lines: [line('10', '0')] })).toThrow(/two/);
    expect(() => assertBalanced({ currency: 'CAD', lines: [line('10', '10'), line('0', '0')] })).toThrow(/either a debit or a credit/);
    expect(() => assertBalanced({ currency: 'CAD', lines: [line('0.001', '0'), line('0', '0.001')] })).toThrow(/cents/);
    expect(() => assertBalanced({ currency: 'cad', lines: [line('1', '0'), line('0', '1')] })).toThrow(/ISO 4217/);
    expect(() => paymentPosting({ currency: 'CAD', amount: d('0'), channel: 'stripe', customerEmail: null, target: 'suspense', memo: '' })).toThrow(/positive/);
    expect(() => refundPosting({ currency: 'CAD', amount: d('-5'), channel: 'stripe', customerEmail: null, target: 'suspense', memo: '' })).toThrow(/positive/);
    expect(() => accountSpec({ kind: 'clearing', channel: 'no spaces' })).toThrow(/payment channel/);
  });

  it('the chart: one account per family and channel; normal sides', () => {
    expect(accountSpec({ kind: 'revenue', family: 'hosting' }).code).toBe('REV-HOSTING');
    expect(accountSpec({ kind: 'clearing', channel: 'clover' }).code).toBe('CLR-CLOVER');
    expect([normalSide('receivable'), normalSide('clearing'), normalSide('revenue'), normalSide('tax_payable'), normalSide('suspense')])
      .toEqual(['debit', 'debit', 'credit', 'credit', 'credit']);
  });
});
