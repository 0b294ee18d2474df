import { describe, expect, it } from 'vitest';
import { formatMoney, humanize, periodLabel, sumDecimals } from '../../console/src/lib/format.js';

// The console's display rules that money and usage figures depend on (pure, no DOM).
describe('console display rules', () => {
  it('sums decimal strings exactly, whatever their scale or sign', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['21600', '0.000001', '18000.5'])).toBe('39600.500001');
    expect(sumDecimals(['-5.25', '5.25'])).toBe('0');
    expect(sumDecimals(['-7.5', '2'])).toBe('-5.5');
    expect(sumDecimals(['99999999999999999.999999', '0.000001'])).toBe('100000000000000000');
    expect(sumDecimals([])).toBe('0');
    expect(() => sumDecimals(['1e3'])).toThrow(/not a decimal: 1e3/);
  });

  it('formats amounts from their decimal strings without float rounding', () => {
    expect(formatMoney({ amount: '20.015', currency: 'CAD' })).toBe('CA$20.015');
    expect(formatMoney({ amount: '12345678901234.000001', currency: 'USD' })).toBe('$12,345,678,901,234.000001');
    expect(formatMoney({ amount: '120.00', currency: 'USD' })).toBe('$120.00');
    expect(formatMoney(null)).toBe('—');
    // An unknown currency code still shows the figure.
    expect(formatMoney({ amount: '1.50', currency: 'NOT-A-CODE' })).toBe('1.50 NOT-A-CODE');
  });

  it('labels periods by month and statuses in words', () => {
    expect(periodLabel('2026-03-01T00:00:00.000Z')).toBe('2026-03');
    expect(periodLabel(null)).toBe('undated');
    expect(humanize('awaiting_ack')).toBe('Awaiting ack');
  });
});
