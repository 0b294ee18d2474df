import { describe, expect, it } from 'vitest';
import type { PlanPricing } from '../../src/catalog/plan-pricing.js';
import { chargeTerms } from '../../src/catalog/catalog-rules.js';
import { computeItem, type OurSubscription, type SourceRow } from '../../src/reconciliation/period-amounts.js';
import { matchPayments, type InvoiceFact, type PaymentFact } from '../../src/reconciliation/payment-matching.js';
import { compare, deltaSummary, flatApplies, isClosedPeriod, reconciliationSubject } from '../../src/reconciliation/reconciliation-rules.js';
import { Dec } from '../../src/shared/decimal.js';

/** The seed's charge fixture: 18,000 CPU-seconds included, $0.0075 per 3,600 s, standard; plan p-1 at $20 / $200. */
const pricing = new Map<number, PlanPricing>([[1, {
  plan: { id: 1, code: 'p-1', name: 'Starter', currency: 'CAD', priceMonthly: '20.00', priceYearly: '200.00' } as PlanPricing['plan'],
  aggregations: new Map([[7, 'sum']]),
  charges: [{
    chargeId: 3, metricId: 7, metricCode: 'cpu_seconds', description: 'NexaCloud CPU overage — Starter', unitLabel: 'CPU-seconds',
    rounding: { mode: 'none', scale: 0 },
    terms: chargeTerms({ chargeModel: 'standard', includedQuota: '18000', pricePerUnit: '0.0075', unitBatch: '3600', tiers: null }),
  }],
}]]);
const monthly = { id: 'sub-1', customerEmail: 'billing@acme.test', planId: 1, interval: 'monthly' as const, anchorAt: new Date('2026-05-01T00:00:00Z') };
const yearly = { ...monthly, id: 'sub-2', interval: 'yearly' as const };
const row = (cpuSeconds: string, external: string, period = '2026-05'): SourceRow =>
  ({ subscriptionExternalId: 's-1', period, usage: new Dec(cpuSeconds), external: new Dec(external), currencies: new Set(['CAD']), invoices: 1 });
const tolerance = new Dec('0.01');
const item = (r: SourceRow, sub: OurSubscription = monthly) => {
  const result = computeItem(r, sub, pricing, tolerance);
  if ('skip' in result) throw new Error(result.skip);
  return result;
};

describe('subscription-period reconciliation (seed tests 21–27)', () => {
  it('21. within the quota: computed = flat = 20.00, a match', () => {
    const r = item(row('10000', '20.0'));
    expect([r.computed.toFixed(6), r.status]).toEqual(['20.000000', 'match']);
  });

  it('22. 7,200 s over the quota: 20.015 exactly (6 dp, never rounded to the cent), a match', () => {
    const r = item(row('25200', '20.015'));
    expect([r.computed.toFixed(4), r.overage.toFixed(6), r.delta.toFixed(6), r.status]).toEqual(['20.0150', '0.015000', '0.000000', 'match']);
  });

  it('23. the app invoiced 25.00 for 20.00 of service: delta = computed − external = −5.00', () => {
    const r = item(row('18000', '25.0'));
    expect([r.delta.toFixed(2), r.status]).toEqual(['-5.00', 'delta']);
  });

  it('24. a yearly plan is 200.00 in its anniversary month: 250.00 invoiced is a −50.00 delta; other months carry usage only', () => {
    const may = item(row('0', '250.0'), yearly);
    expect([may.computed.toFixed(2), may.delta.toFixed(2), may.status]).toEqual(['200.00', '-50.00', 'delta']);
    const june = item(row('25200', '0.015', '2026-06'), yearly);
    expect([june.flat.toFixed(2), june.computed.toFixed(3), june.status]).toEqual(['0.00', '0.015', 'match']);
  });

  it('26. an unknown subscription is skipped, not compared', () => {
    expect(computeItem(row('0', '20'), undefined, pricing, tolerance)).toEqual({ skip: 'unknown subscription (not imported)' });
  });

  it('27. the tolerance is inclusive: |delta| = 0.01 matches, 0.010001 does not', () => {
    expect(compare('20.00', '19.99', '0.01').status).toBe('match');
    expect(compare('20.00', '20.01', '0.01').status).toBe('match');
    expect(compare('20.00', '19.989999', '0.01').status).toBe('delta');
    expect(compare('20.00', '25.00', '5').status).toBe('match');
  });

  it('refuses to compare amounts in another currency, or invoiced in several', () => {
    expect(() => computeItem({ ...row('0', '20'), currencies: new Set(['USD']) }, monthly, pricing, tolerance)).toThrow(/invoiced in USD, the plan is priced in CAD/);
    expect(() => computeItem({ ...row('0', '20'), currencies: new Set(['USD', 'CAD']) }, monthly, pricing, tolerance)).toThrow(/several currencies/);
  });

  it('periods, subjects and the one-line summary', () => {
    expect(flatApplies(new Date('2026-05-01T00:00:00Z'), 'yearly', '2027-05')).toBe(true);
    expect(flatApplies(new Date('2026-05-01T00:00:00Z'), 'yearly', '2026-06')).toBe(false);
    expect(flatApplies(new Date('2026-05-31T00:00:00Z'), 'monthly', '2026-02')).toBe(true);
    expect(isClosedPeriod('2026-05', new Date('2026-06-01T00:00:00Z'))).toBe(true);
    expect(isClosedPeriod('2026-06', new Date('2026-06-30T23:59:59Z'))).toBe(false);
    expect(reconciliationSubject('nexacloud', 's-2', '2026-05')).toBe('nexacloud/s-2/2026-05');
    const summary = deltaSummary({ serviceName: 'NexaCloud', subscriptionExternalId: 's-2', period: '2026-05', computed: new Dec('200'), external: new Dec('250'), delta: new Dec('-50'), currency: 'CAD', customerEmail: 'ops@globex.test' });
    expect(summary).toBe('NexaCloud subscription s-2 (ops@globex.test), 2026-05: Switchboard computes 200.00 CAD, the app invoiced 250.00 CAD — 50.00 CAD less');
    expect(summary).not.toMatch(/\n/);
  });
});

describe('payments ↔ invoices matching', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 4, day));
  const invoice = (id: string, open: string, day: number, extra: Partial<InvoiceFact> = {}): InvoiceFact =>
    ({ id, references: [id, `NEX-${id}`], customerEmail: 'a@b.c', currency: 'CAD', issuedAt: at(day), open: new Dec(open), ...extra });
  const payment = (id: string, amount: string, day: number, extra: Partial<PaymentFact> = {}): PaymentFact =>
    ({ id, kind: 'charge', status: 'unmatched', amount: new Dec(amount), currency: 'CAD', occurredAt: at(day), invoiceId: null, reference: null, customerEmail: null, ...extra });

  it('booked payments are matched; exact references match; amount and date suggest; the rest is listed on both sides', () => {
    const lines = matchPayments([
      payment('p-booked', '10', 2, { status: 'applied', invoiceId: 'i-1' }),
      payment('p-ref', '99', 3, { reference: 'NEX-i-2' }),
      payment('p-amount', '30', 12, { customerEmail: 'a@b.c' }),
      payment('p-late', '40', 30),
      payment('p-refund', '5', 5, { kind: 'refund' }),
    ], [invoice('i-1', '5', 1), invoice('i-2', '99', 2), invoice('i-3', '30', 10), invoice('i-4', '40', 1), invoice('i-5', '-2', 1)], 14);
    expect(lines).toEqual(expect.arrayContaining([
      { kind: 'matched', paymentId: 'p-booked', invoiceId: 'i-1', method: 'booked' },
      { kind: 'matched', paymentId: 'p-ref', invoiceId: 'i-2', method: 'reference' },
      { kind: 'suggested', paymentId: 'p-amount', invoiceId: 'i-3', method: 'amount_date' },
      { kind: 'unmatched_payment', paymentId: 'p-late', reason: expect.stringMatching(/date window/) },
      { kind: 'unmatched_payment', paymentId: 'p-refund', reason: expect.stringMatching(/refund/) },
      { kind: 'unmatched_invoice', invoiceId: 'i-1', reason: 'partly paid' },
      { kind: 'unmatched_invoice', invoiceId: 'i-4', reason: 'no payment' },
      { kind: 'unmatched_invoice', invoiceId: 'i-5', reason: expect.stringMatching(/overpaid/) },
    ]));
    expect(lines).toHaveLength(8);
  });

  it('two invoices that fit equally are not guessed between; an invoice takes one suggestion only', () => {
    const ambiguous = matchPayments([payment('p', '30', 12)], [invoice('a', '30', 10), invoice('b', '30', 11)], 14);
    expect(ambiguous).toContainEqual({ kind: 'unmatched_payment', paymentId: 'p', reason: expect.stringMatching(/2 open invoices/) });
    const once = matchPayments([payment('p1', '30', 11), payment('p2', '30', 12)], [invoice('a', '30', 10)], 14);
    expect(once.filter((l) => l.kind === 'suggested')).toEqual([{ kind: 'suggested', paymentId: 'p1', invoiceId: 'a', method: 'amount_date' }]);
    expect(matchPayments([payment('p', '30', 12, { currency: 'USD' })], [invoice('a', '30', 10)], 14)[0]).toMatchObject({ kind: 'unmatched_payment' });
    expect(matchPayments([payment('p', '30', 12, { customerEmail: 'x@y.z' })], [invoice('a', '30', 10)], 14)[0]).toMatchObject({ kind: 'unmatched_payment' });
  });
});
