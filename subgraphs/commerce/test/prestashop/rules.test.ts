import { describe, expect, it } from 'vitest';
import { couponStaysOnCart } from '../../src/coupons/coupon-links.js';
import { currencyOf, loadPrestashopConfig } from '../../src/prestashop/config.js';
import { consolidate } from '../../src/prestashop/consolidation.js';
import { freshness } from '../../src/prestashop/processing-types.js';
import { asBool, asDateTime, asDecimal, asInt, formatShopAmount, maskCardNumber, shopTime } from '../../src/prestashop/ps-values.js';

const value = <T>(check: { ok: true; value: T } | { ok: false; message: string }) => (check.ok ? check.value : `error: ${check.message}`);

describe('PrestaShop values', () => {
  it('reads amounts without float arithmetic, dropping PHP float noise beyond DECIMAL(20,6)', () => {
    expect(String(value(asDecimal(25.0)))).toBe('25');
    expect(String(value(asDecimal(10.500000000000002)))).toBe('10.5');
    expect(String(value(asDecimal('150.000000')))).toBe('150');
    expect(String(value(asDecimal(1.0e-5)))).toBe('0.00001');
    expect(String(value(asDecimal('8.2644628')))).toBe('8.264463');
    expect(value(asDecimal('12,50'))).toBe('error: must be a decimal amount');
    expect(value(asDecimal(true))).toBe('error: must be a decimal amount');
    expect(value(asDecimal('1e20'))).toBe('error: is out of range');
  });

  it('reads ids and flags in every spelling PHP produces', () => {
    expect([asInt(5), asInt('5'), asInt(' 7 '), asInt(true)].map(value)).toEqual([5, 5, 7, 1]);
    expect([asInt('5.5'), asInt(-1), asInt(''), asInt(null)].map(value)).toEqual(Array(4).fill('error: must be a non-negative integer'));
    expect([asBool(true), asBool(1), asBool('1'), asBool('true'), asBool('0'), asBool(''), asBool(false)].map(value)).toEqual([true, true, true, true, false, false, false]);
    expect(value(asBool('yes'))).toBe('error: must be a boolean (true/false, 1/0)');
  });

  it('reads shop-local timestamps; the zero date means not set; the zone makes the instant', () => {
    expect(value(asDateTime('2025-11-15 11:42:53'))).toBe('2025-11-15 11:42:53');
    expect(value(asDateTime('2025-11-15'))).toBe('2025-11-15 00:00:00');
    expect(value(asDateTime('0000-00-00 00:00:00'))).toBeNull();
    expect(value(asDateTime('2025-02-29 10:00:00'))).toBe('error: must be a date and time "YYYY-MM-DD HH:MM:SS"');
    expect(value(asDateTime('15/11/2025'))).toBe('error: must be a date and time "YYYY-MM-DD HH:MM:SS"');
    expect(shopTime('2025-11-15 11:42:53', 'UTC')?.toISOString()).toBe('2025-11-15T11:42:53.000Z');
    expect(shopTime('2025-11-15 11:42:53', 'Europe/Madrid')?.toISOString()).toBe('2025-11-15T10:42:53.000Z');
    expect(shopTime('2025-07-15 11:42:53', 'Europe/Madrid')?.toISOString()).toBe('2025-07-15T09:42:53.000Z');
  });

  it('shows amounts with two decimals, more only when they carry information', () => {
    expect(formatShopAmount('25.000000')).toBe('25.00');
    expect(formatShopAmount('8.264463')).toBe('8.264463');
    expect(formatShopAmount('10.500000')).toBe('10.50');
  });

  it('masks card numbers to the last four digits', () => {
    expect(maskCardNumber('4111 1111 1111 1234')).toBe('XXXX-XXXX-XXXX-1234');
    expect(maskCardNumber('XXXX-XXXX-XXXX-1234')).toBe('XXXX-XXXX-XXXX-1234');
    expect(maskCardNumber('')).toBeNull();
  });
});

describe('PrestaShop configuration', () => {
  it('has defaults that fit a stock shop, and names a bad variable', () => {
    const config = loadPrestashopConfig({}, false);
    expect(config).toMatchObject({ webhookSecret: undefined, defaultCurrency: 'EUR', timezone: 'UTC', logLevel: 'INFO', maxEventsPerBatch: 500 });
    expect([...config.shippedStateIds]).toEqual([4, 5]);
    expect(currencyOf(config, 1)).toBe('EUR');
    expect(currencyOf(config, 0)).toBe('EUR');
    expect(currencyOf(config, null)).toBe('EUR');
    expect(currencyOf(config, 2)).toBeUndefined();

    const custom = loadPrestashopConfig({ PRESTASHOP_CURRENCIES: '1:eur, 2:USD', PRESTASHOP_SHIPPED_STATE_IDS: '4', PRESTASHOP_TIMEZONE: 'Europe/Madrid', PRESTASHOP_LOG_LEVEL: 'debug' }, false);
    expect(currencyOf(custom, 2)).toBe('USD');
    expect([...custom.shippedStateIds]).toEqual([4]);
    expect(custom.logLevel).toBe('DEBUG');

    expect(() => loadPrestashopConfig({ PRESTASHOP_CURRENCIES: 'euro' }, false)).toThrow(/PRESTASHOP_CURRENCIES: "euro" is not <id_currency>:<ISO 4217 code>/);
    expect(() => loadPrestashopConfig({ PRESTASHOP_SHIPPED_STATE_IDS: 'shipped' }, false)).toThrow(/PRESTASHOP_SHIPPED_STATE_IDS/);
    expect(() => loadPrestashopConfig({ PRESTASHOP_TIMEZONE: 'Mars/Olympus' }, false)).toThrow(/PRESTASHOP_TIMEZONE: must be an IANA time zone/);
    expect(() => loadPrestashopConfig({ PRESTASHOP_WEBHOOK_SECRET: 'short' }, false)).toThrow(/PRESTASHOP_WEBHOOK_SECRET: must be at least 16 characters/);
  });

  it('requires the webhook secret in production', () => {
    expect(() => loadPrestashopConfig({}, true)).toThrow(/PRESTASHOP_WEBHOOK_SECRET: is required/);
  });
});

describe('processing rules', () => {
  const meta = (sourceEventId: number, contentHash = `h${sourceEventId}`) => ({ sourceEventId, contentHash, actionType: 'updated', occurredAt: new Date() });

  it('newest data wins: older events are superseded, the same content again is a duplicate', () => {
    expect(freshness(undefined, meta(5))).toBeNull();
    expect(freshness({ lastEventId: 7, contentHash: 'h7' }, meta(5))).toEqual({ status: 'superseded' });
    expect(freshness({ lastEventId: 7, contentHash: 'same' }, meta(9, 'same'))).toEqual({ status: 'duplicate' });
    expect(freshness({ lastEventId: 7, contentHash: 'h7' }, meta(9))).toBeNull();
  });

  it('consolidates events of one entity and action to the newest; keeps the rest', () => {
    const events = [
      { sourceEventId: 3, key: 'order:1:updated' },
      { sourceEventId: 1, key: 'order:1:created' },
      { sourceEventId: 5, key: 'order:1:updated' },
      { sourceEventId: 4, key: null },
      { sourceEventId: 2, key: 'order:1:updated' },
    ];
    const { kept, replaced } = consolidate(events);
    expect(kept.map((e) => e.sourceEventId)).toEqual([1, 5, 4]);
    expect(replaced.map(({ event, by }) => [event.sourceEventId, by.sourceEventId])).toEqual([
      [3, 5],
      [2, 5],
    ]);
  });

  it("links a coupon to an order when its newest use on the cart was not a removal", () => {
    expect(couponStaysOnCart([])).toBe(false);
    expect(couponStaysOnCart([{ action: 'applied', sourceEventId: 1 }])).toBe(true);
    expect(couponStaysOnCart([{ action: 'applied', sourceEventId: 1 }, { action: 'removed', sourceEventId: 2 }])).toBe(false);
    expect(couponStaysOnCart([{ action: 'removed', sourceEventId: 2 }, { action: 'applied', sourceEventId: 1 }])).toBe(false);
    expect(couponStaysOnCart([{ action: 'removed', sourceEventId: 2 }, { action: 'consumed', sourceEventId: 3 }])).toBe(true);
  });
});
