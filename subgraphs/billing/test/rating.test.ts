import { describe, expect, it } from 'vitest';
import { computeBillable, type ChargeTerms, type Tier } from '../src/rating/charge-models.js';
import { periodContaining, periodAt } from '../src/rating/periods.js';
import { fromMicros, roundQuantity, toMicros } from '../src/rating/quantities.js';
import { ratePeriod } from '../src/rating/rate-period.js';
import { thresholdsToAnnounce } from '../src/invoices/thresholds.js';
import { Dec, fixed } from '../src/shared/decimal.js';

const d = (value: string | number) => new Dec(value);
const tier = (upTo: string | null, unitPrice: string, flatFee = '0'): Tier => ({ upTo: upTo === null ? null : d(upTo), unitPrice: d(unitPrice), flatFee: d(flatFee) });

/** The seed's NexaCloud CPU charge: 18,000 s included, $0.0075 per core-hour (3,600 s), standard. */
const nexaCpu: ChargeTerms = { model: 'standard', includedQuota: d(18000), pricePerUnit: d('0.0075'), unitBatch: d(3600), tiers: [] };

describe('charge math (seed §5 test 3 and the reconciliation fixtures 21–23)', () => {
  it('quota 18,000 s, usage 25,200 s → 2 core-hours over → $0.015', () => {
    const billable = computeBillable(nexaCpu, 18000 + 7200);
    expect(fixed(billable.overage, 0)).toBe('7200');
    expect(billable.batches.toString()).toBe('2');
    expect(fixed(billable.amount, 6)).toBe('0.015000');
    expect(billable.amount.toDecimalPlaces(4).toNumber()).toBeCloseTo(0.015, 4);
  });

  it('usage within the quota costs nothing (10,000 s and exactly 18,000 s)', () => {
    expect(computeBillable(nexaCpu, 10000).amount.isZero()).toBe(true);
    expect(computeBillable(nexaCpu, 18000).amount.isZero()).toBe(true);
    expect(computeBillable(nexaCpu, 0).overage.isZero()).toBe(true);
  });

  it('flat + overage: $20 plan with 25,200 s → 20.015 exact, 20.02 invoiced; 18,000 s → 20.00', () => {
    const rate = (seconds: number) =>
      ratePeriod({
        planName: 'Starter',
        interval: 'monthly',
        flatPrice: d('20.00'),
        charges: [{ chargeId: 1, metricId: 7, metricCode: 'cpu_seconds', description: 'CPU overage', unitLabel: 'CPU-seconds', rounding: { mode: 'none', scale: 0 }, terms: nexaCpu }],
        usage: new Map([[7, d(seconds)]]),
      });
    const over = rate(25200);
    expect(fixed(over.exactTotal, 6)).toBe('20.015000');
    expect(over.lines.map((l) => [l.kind, fixed(l.exactAmount, 6), fixed(l.amount, 2)])).toEqual([
      ['flat', '20.000000', '20.00'],
      ['usage', '0.015000', '0.02'],
    ]);
    expect(fixed(over.subtotal, 2)).toBe('20.02');
    expect(fixed(rate(18000).subtotal, 2)).toBe('20.00');
    expect(fixed(rate(10000).exactTotal, 6)).toBe('20.000000');
  });
});

describe('standard model: partial batches are pro rata, rounded once', () => {
  it.each([
    // usage s, rated (6 dp), invoice line (2 dp)
    [21600, '0.007500', '0.01'],
    [19800, '0.003750', '0.00'],
    [18001, '0.000002', '0.00'],
    [25300, '0.015208', '0.02'],
    [378000, '0.750000', '0.75'],
    [18000 + 3600 * 1000, '7.500000', '7.50'],
  ])('%d s → %s rated, %s invoiced', (seconds, rated, invoiced) => {
    const billable = computeBillable(nexaCpu, seconds);
    expect(fixed(billable.amount, 6)).toBe(rated);
    expect(fixed(billable.amount, 2)).toBe(invoiced);
  });

  it('the spec example: 5M calls included, $0.10 per 1,000 calls', () => {
    const terms: ChargeTerms = { model: 'standard', includedQuota: d(5_000_000), pricePerUnit: d('0.10'), unitBatch: d(1000), tiers: [] };
    expect(fixed(computeBillable(terms, 5_250_000).amount, 6)).toBe('25.000000');
    expect(fixed(computeBillable(terms, 5_000_500).amount, 6)).toBe('0.050000');
  });
});

describe('package model: a started package is paid in full', () => {
  const terms: ChargeTerms = { model: 'package', includedQuota: d(5000), pricePerUnit: d('2.50'), unitBatch: d(1000), tiers: [] };
  it.each([
    [5000, '0', '0.000000'],
    [5001, '1', '2.500000'],
    [6000, '1', '2.500000'],
    [6001, '2', '5.000000'],
    [15000, '10', '25.000000'],
  ])('%d units → %s package(s), %s', (units, packages, amount) => {
    const billable = computeBillable(terms, units);
    expect(billable.batches.toString()).toBe(packages);
    expect(fixed(billable.amount, 6)).toBe(amount);
  });
});

describe('tiered models against hand-computed tables', () => {
  // 0–100 at $1.00, 101–1,000 at $0.50 (+ $5 when used), above at $0.25
  const tiers = [tier('100', '1.00'), tier('1000', '0.50', '5'), tier(null, '0.25')];
  const graduated: ChargeTerms = { model: 'graduated', includedQuota: d(0), pricePerUnit: d(0), unitBatch: d(1), tiers };
  const volume: ChargeTerms = { ...graduated, model: 'volume' };

  it.each([
    // units, graduated, volume
    [0, '0.000000', '0.000000'],
    [50, '50.000000', '50.000000'], // 50×1 | 50×1
    [100, '100.000000', '100.000000'], // 100×1 | 100×1
    [101, '105.500000', '55.500000'], // 100 + 1×0.5 + 5 | 101×0.5 + 5
    [1000, '555.000000', '505.000000'], // 100 + 900×0.5 + 5 | 1000×0.5 + 5
    [1001, '555.250000', '250.250000'], // 555 + 1×0.25 | 1001×0.25
    [2500, '930.000000', '625.000000'], // 555 + 1500×0.25 | 2500×0.25
  ])('%d units → graduated %s, volume %s', (units, graduatedAmount, volumeAmount) => {
    expect(fixed(computeBillable(graduated, units).amount, 6)).toBe(graduatedAmount);
    expect(fixed(computeBillable(volume, units).amount, 6)).toBe(volumeAmount);
  });

  it('graduated reports what each tier contributed', () => {
    expect(computeBillable(graduated, 2500).tiers.map((t) => [t.upTo?.toString() ?? null, t.units.toString(), fixed(t.amount, 2)])).toEqual([
      ['100', '100', '100.00'],
      ['1000', '900', '455.00'],
      [null, '1500', '375.00'],
    ]);
  });

  it('the quota comes off before the tiers; tier prices are per unit batch', () => {
    // 1,000 calls free; then per 1,000 calls: first 10,000 at $0.40, then $0.20
    const terms: ChargeTerms = {
      model: 'graduated',
      includedQuota: d(1000),
      pricePerUnit: d(0),
      unitBatch: d(1000),
      tiers: [tier('10000', '0.40'), tier(null, '0.20')],
    };
    expect(fixed(computeBillable(terms, 1000).amount, 6)).toBe('0.000000');
    expect(fixed(computeBillable(terms, 6000).amount, 6)).toBe('2.000000'); // 5,000 over → 5 × 0.40
    expect(fixed(computeBillable(terms, 26000).amount, 6)).toBe('7.000000'); // 10 × 0.40 + 15 × 0.20
    expect(fixed(computeBillable({ ...terms, model: 'volume' }, 26000).amount, 6)).toBe('5.000000'); // 25 × 0.20
    expect(fixed(computeBillable({ ...terms, model: 'volume' }, 11000).amount, 6)).toBe('4.000000'); // 10 × 0.40
  });
});

describe('billing periods', () => {
  const iso = (date: Date) => date.toISOString();

  it('the seed fixture: monthly from 2026-05-01 and yearly to 2027-05-01', () => {
    const anchor = new Date('2026-05-01T00:00:00Z');
    expect(periodAt(anchor, 'monthly', 0).end.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(periodAt(anchor, 'yearly', 0).end.toISOString()).toBe('2027-05-01T00:00:00.000Z');
  });

  it('windows are half-open: the end instant belongs to the next period', () => {
    const anchor = new Date('2026-05-01T00:00:00Z');
    expect(periodContaining(anchor, 'monthly', new Date('2026-05-31T23:59:59.999Z'))!.index).toBe(0);
    expect(periodContaining(anchor, 'monthly', new Date('2026-06-01T00:00:00.000Z'))!.index).toBe(1);
    expect(periodContaining(anchor, 'monthly', new Date('2026-04-30T23:59:59.999Z'))).toBeUndefined();
  });

  it('month ends clamp and return to the anchor day without drifting', () => {
    const anchor = new Date('2026-01-31T12:00:00Z');
    const starts = [0, 1, 2, 3, 13].map((i) => iso(periodAt(anchor, 'monthly', i).start));
    expect(starts).toEqual([
      '2026-01-31T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
      '2026-04-30T12:00:00.000Z',
      '2027-02-28T12:00:00.000Z',
    ]);
    expect(iso(periodContaining(anchor, 'monthly', new Date('2026-02-28T11:59:59Z'))!.start)).toBe('2026-01-31T12:00:00.000Z');
    expect(iso(periodContaining(anchor, 'monthly', new Date('2026-03-30T00:00:00Z'))!.start)).toBe('2026-02-28T12:00:00.000Z');
  });

  it('leap years: a yearly period anchored on Feb 29', () => {
    const anchor = new Date('2028-02-29T00:00:00Z');
    expect(iso(periodAt(anchor, 'yearly', 1).start)).toBe('2029-02-28T00:00:00.000Z');
    expect(iso(periodAt(anchor, 'yearly', 4).start)).toBe('2032-02-29T00:00:00.000Z');
  });

  it('every instant over three years lands in the period whose window contains it', () => {
    const anchor = new Date('2025-08-31T06:30:00Z');
    for (let t = anchor.getTime(); t < anchor.getTime() + 3 * 366 * 86_400_000; t += 86_400_000 * 0.77) {
      const at = new Date(t);
      const period = periodContaining(anchor, 'monthly', at)!;
      expect(period.start.getTime()).toBeLessThanOrEqual(t);
      expect(period.end.getTime()).toBeGreaterThan(t);
    }
  });
});

describe('quantities and thresholds', () => {
  it('micro-units round-trip exactly', () => {
    expect(toMicros('0.000001')).toBe('1');
    expect(toMicros('25200')).toBe('25200000000');
    expect(fromMicros('9007199254740993').toString()).toBe('9007199254.740993');
  });

  it('metric rounding applies to the aggregated quantity', () => {
    expect(roundQuantity(d('10.5'), 'round', 0).toString()).toBe('11');
    expect(roundQuantity(d('10.1'), 'ceil', 0).toString()).toBe('11');
    expect(roundQuantity(d('10.9'), 'floor', 0).toString()).toBe('10');
    expect(roundQuantity(d('10.123456'), 'none', 0).toString()).toBe('10.123456');
  });

  it('80 % and 100 % of the quota, each once', () => {
    const quota = d(18000);
    expect(thresholdsToAnnounce(d(14399), quota, new Set())).toEqual([]);
    expect(thresholdsToAnnounce(d(14400), quota, new Set())).toEqual([80]);
    expect(thresholdsToAnnounce(d(14400), quota, new Set([80]))).toEqual([]);
    expect(thresholdsToAnnounce(d(30000), quota, new Set())).toEqual([80, 100]);
    expect(thresholdsToAnnounce(d(18000), quota, new Set([80]))).toEqual([100]);
    expect(thresholdsToAnnounce(d(99999), d(0), new Set())).toEqual([]);
  });
});
