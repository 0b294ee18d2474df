import { ConfigError, Decimal, sha256Hex } from '@switchboard/kit';
import { describe, expect, it } from 'vitest';
import { validateAdjustment } from '../../src/inventory/catalog/catalog-rules.js';
import { availableAt, availableStock } from '../../src/inventory/catalog/stock-rules.js';
import { loadInventoryConfig } from '../../src/inventory/config.js';
import { asSent, buildProductPayload, interpretAnswer, odooJson, odooProductName } from '../../src/inventory/odoo/odoo-payload.js';
import { slotWindow } from '../../src/inventory/odoo/rate-rules.js';
import { verifyBearer } from '../../src/inventory/sync/api-keys.js';
import {
  decideAfterAttempt,
  jobProgress,
  legacyJobStatus,
  MAX_RETRY_DELAY_MS,
  queueStats,
  shouldAnnounceFailing,
  syncStats,
} from '../../src/inventory/sync/job-rules.js';
import { parseLogQuery } from '../../src/inventory/sync/log-query.js';

describe('available stock', () => {
  it("is the seed's example: A 100/10 and B 50/5 make 135", () => {
    expect(
      availableStock([
        { quantity: 100, reserved: 10, locationActive: true },
        { quantity: 50, reserved: 5, locationActive: true },
      ]),
    ).toBe(135);
  });

  it('leaves inactive locations out and never counts a location below zero', () => {
    expect(
      availableStock([
        { quantity: 100, reserved: 10, locationActive: true },
        { quantity: 50, reserved: 5, locationActive: false },
        { quantity: 3, reserved: 8, locationActive: true },
      ]),
    ).toBe(90);
    expect(availableAt({ quantity: 3, reserved: 8 })).toBe(0);
    expect(availableStock([])).toBe(0);
  });
});

describe('Odoo product payload', () => {
  it('names the product "<product> - <variant>", SKU as default_code, the configured supplier price', () => {
    const payload = buildProductPayload({ productName: 'BPC-157', variantName: '5mg', sku: 'BPC-5', available: 135, supplierPrice: new Decimal('0') });
    expect(odooJson({ ...payload })).toBe('{"name":"BPC-157 - 5mg","default_code":"BPC-5","vendor_on_hand_qty":135,"supplier":{"price":0}}');
    expect(asSent({ ...payload })).toEqual({ name: 'BPC-157 - 5mg', default_code: 'BPC-5', vendor_on_hand_qty: 135, supplier: { price: 0 } });
    expect(odooJson({ ...buildProductPayload({ productName: 'Mug', variantName: '', sku: 'MUG', available: 0, supplierPrice: new Decimal('12.50') }) })).toContain('"supplier":{"price":12.5}');
    // Written exactly: no binary floating point on the way.
    expect(odooJson({ ...buildProductPayload({ productName: 'A', variantName: 'B', sku: 'C', available: 1, supplierPrice: new Decimal('999999999999.99') }) })).toContain('"price":999999999999.99}');
    expect(odooProductName(' Mug ', '  ')).toBe('Mug');
  });
});

describe("reading Odoo's answers", () => {
  const answer = (status: number, body: string, headers: Record<string, string> = {}) => interpretAnswer('update', { status, headers, body });

  it('takes success only from `success: true`: a 200 with `success: false` is a refusal', () => {
    expect(answer(200, '{"success":true,"data":{"id":4}}')).toEqual({ ok: true, status: 200, body: { success: true, data: { id: 4 } }, data: { id: 4 } });
    expect(answer(200, '{"success":false,"error":"default_code is required","code":"VALIDATION_ERROR"}')).toEqual({
      ok: false,
      status: 200,
      body: { success: false, error: 'default_code is required', code: 'VALIDATION_ERROR' },
      error: '/vendor_api/product/update refused: default_code is required',
      retryable: false,
      code: 'VALIDATION_ERROR',
    });
    expect(answer(200, 'OK')).toMatchObject({ ok: false, retryable: false, body: 'OK' });
  });

  it('does not retry what a retry cannot fix (401, 403, 400) and retries the rest (429, 5xx)', () => {
    expect(answer(401, '{"success":false,"error":"Invalid or expired access token"}')).toMatchObject({
      ok: false,
      status: 401,
      retryable: false,
      error: '/vendor_api/product/update answered HTTP 401: Invalid or expired access token',
    });
    expect(answer(403, '{}')).toMatchObject({ retryable: false });
    expect(answer(400, '{"success":false,"error":"Bad request"}')).toMatchObject({ retryable: false });
    expect(answer(429, '{}', { 'retry-after': '3' })).toMatchObject({ retryable: true, retryAfterMs: 3000 });
    const html = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>…</body></html>';
    expect(answer(502, html)).toMatchObject({ retryable: true, body: html, error: '/vendor_api/product/update answered HTTP 502: 502 Bad Gateway' });
    const later = new Date(Date.now() + 5_000).toUTCString();
    expect((answer(503, '', { 'retry-after': later }) as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(3_000);
  });
});

describe('retry decisions', () => {
  const failure = { ok: false, retryable: true };
  it('backs off exponentially from the base (2 s, 4 s), then gives up after the last attempt', () => {
    expect(decideAfterAttempt(1, 3, { ok: true, retryable: false }, 2000)).toEqual({ state: 'completed' });
    expect(decideAfterAttempt(1, 3, failure, 2000)).toEqual({ state: 'delayed', retryInMs: 2000 });
    expect(decideAfterAttempt(2, 3, failure, 2000)).toEqual({ state: 'delayed', retryInMs: 4000 });
    expect(decideAfterAttempt(3, 3, failure, 2000)).toEqual({ state: 'failed' });
    expect(decideAfterAttempt(1, 1, failure, 2000)).toEqual({ state: 'failed' });
  });

  it('fails at once when a retry cannot help, and waits longer when Odoo asks to', () => {
    expect(decideAfterAttempt(1, 3, { ok: false, retryable: false }, 2000)).toEqual({ state: 'failed' });
    expect(decideAfterAttempt(1, 3, { ...failure, retryAfterMs: 10_000 }, 2000)).toEqual({ state: 'delayed', retryInMs: 10_000 });
    expect(decideAfterAttempt(1, 3, { ...failure, retryAfterMs: 86_400_000 }, 2000)).toEqual({ state: 'delayed', retryInMs: MAX_RETRY_DELAY_MS });
  });

  it('announces a failing streak at the threshold and each time it doubles', () => {
    const announced = Array.from({ length: 100 }, (_, i) => i + 1).filter((n) => shouldAnnounceFailing(n, 10));
    expect(announced).toEqual([10, 20, 40, 80]);
    expect(shouldAnnounceFailing(1, 1)).toBe(true);
  });
});

describe('job and queue reports (legacy shapes)', () => {
  const base = {
    type: 'FULL_SYNC' as const,
    state: 'active' as const,
    variantsScanned: 10,
    childrenTotal: 8,
    childrenSettled: 6,
    childrenFailed: 1,
    fanoutDone: true,
    result: null,
    error: null,
  };

  it('reports a full sync by its settled children', () => {
    expect(jobProgress(base)).toBe(75);
    expect(legacyJobStatus({ ...base, id: 'j1' })).toEqual({
      found: true,
      id: 'j1',
      state: 'active',
      progress: 75,
      result: { variants: 10, queued: 8, coalesced: 2, succeeded: 5, failed: 1, pending: 2 },
    });
    expect(jobProgress({ ...base, state: 'completed' })).toBe(100);
    expect(legacyJobStatus(null)).toEqual({ found: false });
  });

  it('reports a variant sync by its result, and why it failed', () => {
    const variant = { ...base, type: 'VARIANT_SYNC' as const, childrenTotal: 0, childrenSettled: 0 };
    expect(legacyJobStatus({ ...variant, id: 'v', state: 'failed', error: 'HTTP 401' })).toEqual({ found: true, id: 'v', state: 'failed', progress: 0, result: { error: 'HTTP 401' } });
    expect(legacyJobStatus({ ...variant, id: 'v', state: 'completed', result: { status: 'SUCCESS' } })).toMatchObject({ progress: 100, result: { status: 'SUCCESS' } });
  });

  it('counts the queue by state, total being their sum', () => {
    expect(queueStats([{ state: 'completed', count: 150 }, { state: 'waiting', count: 5 }, { state: 'active', count: 2 }, { state: 'failed', count: 3 }, { state: 'bogus', count: 9 }])).toEqual({
      waiting: 5,
      active: 2,
      completed: 150,
      failed: 3,
      delayed: 0,
      total: 160,
    });
  });

  it("sums the log as the seed's /stats does (success rate as a two-decimal string)", () => {
    expect(
      syncStats([
        { status: 'SUCCESS', triggerType: 'ORDER_SHIPPED', count: 290 },
        { status: 'FAILED', triggerType: 'ORDER_SHIPPED', count: 10 },
        { status: 'SUCCESS', triggerType: 'INVENTORY_ADJUSTMENT', count: 185 },
        { status: 'FAILED', triggerType: 'INVENTORY_ADJUSTMENT', count: 5 },
        { status: 'SUCCESS', triggerType: 'MANUAL_FULL', count: 10 },
      ]),
    ).toEqual({
      total: 500,
      successful: 485,
      failed: 15,
      successRate: '97.00',
      byTrigger: { MANUAL_FULL: 10, ORDER_SHIPPED: 300, INVENTORY_ADJUSTMENT: 190 },
    });
    expect(syncStats([]).successRate).toBe('0.00');
    expect(syncStats([{ status: 'SUCCESS', triggerType: 'TEST', count: 2 }, { status: 'FAILED', triggerType: 'TEST', count: 1 }]).successRate).toBe('66.67');
  });
});

describe('log filters', () => {
  it('defaults to page 1 of 50 and reads every filter', () => {
    expect(parseLogQuery({})).toEqual({ ok: true, value: { page: 1, limit: 50 } });
    const parsed = parseLogQuery({ page: '2', limit: '10', status: 'failed', triggerType: 'ORDER_SHIPPED', variantSku: ' bpc ', startDate: '2025-01-01', endDate: '2025-01-31' });
    expect(parsed).toEqual({
      ok: true,
      value: {
        page: 2,
        limit: 10,
        status: 'FAILED',
        triggerType: 'ORDER_SHIPPED',
        variantSku: 'bpc',
        startDate: new Date('2025-01-01T00:00:00.000Z'),
        endDate: new Date('2025-01-31T23:59:59.999Z'),
      },
    });
    expect(parseLogQuery({ startDate: '2025-01-31T10:00:00+02:00' })).toMatchObject({ ok: true, value: { startDate: new Date('2025-01-31T08:00:00Z') } });
  });

  it('names the parameter at fault', () => {
    expect(parseLogQuery({ page: '-1' })).toMatchObject({ ok: false, field: 'page' });
    expect(parseLogQuery({ limit: '0' })).toMatchObject({ ok: false, field: 'limit' });
    expect(parseLogQuery({ status: ['SUCCESS', 'FAILED'] })).toMatchObject({ ok: false, field: 'status', message: 'status must be given once' });
    expect(parseLogQuery({ triggerType: 'NIGHTLY' })).toMatchObject({ ok: false, field: 'triggerType' });
    expect(parseLogQuery({ variantSku: 'x'.repeat(101) })).toMatchObject({ ok: false, field: 'variantSku' });
    expect(parseLogQuery({ endDate: '31/01/2025' })).toMatchObject({ ok: false, field: 'endDate' });
    expect(parseLogQuery({ startDate: '2024-02-30' })).toMatchObject({ ok: false, field: 'startDate' });
  });
});

describe('rate-limit slots', () => {
  it('gives whole calls per window: 5/s → 5 per second, 2.5/s → 2 per 800 ms, 0.5/s → 1 per 2 s', () => {
    expect(slotWindow(5, 0)).toEqual({ slots: 5, windowMs: 1000 });
    expect(slotWindow(20, 10)).toEqual({ slots: 20, windowMs: 1010 });
    expect(slotWindow(2.5, 0)).toEqual({ slots: 2, windowMs: 800 });
    expect(slotWindow(0.5, 0)).toEqual({ slots: 1, windowMs: 2000 });
  });
});

describe('inventory configuration', () => {
  it('uses the seed limits by default, with sync off until ODOO_API_BASE_URL is set', () => {
    const config = loadInventoryConfig({});
    expect(config).toMatchObject({
      odoo: undefined,
      rateLimitPerSecond: 5,
      odooTimeoutMs: 30_000,
      fullSyncTimeoutMs: 600_000,
      variantSyncAttempts: 3,
      fullSyncAttempts: 1,
      retryBaseMs: 2_000,
      logRetentionDays: 90,
      keepCompletedJobs: 100,
      keepFailedJobs: 500,
      apiKeys: [],
    });
    expect(config.supplierPrice.toFixed(2)).toBe('0.00');
  });

  it('reads the legacy Odoo settings and the API keys', () => {
    const digest = sha256Hex('secret-token');
    const config = loadInventoryConfig({
      ODOO_API_BASE_URL: 'https://vendor-odoo.example.com/',
      ODOO_API_TOKEN: 't0ken',
      ODOO_PARTNER_ID: '7',
      INVENTORY_API_KEYS: `ops-console:${digest}, legacy-admin:${'a'.repeat(64)}`,
      INVENTORY_SUPPLIER_PRICE: '12.50',
    });
    expect(config.odoo).toEqual({ baseUrl: 'https://vendor-odoo.example.com', token: 't0ken', partnerId: 7 });
    expect(config.apiKeys).toEqual([{ name: 'ops-console', sha256: digest }, { name: 'legacy-admin', sha256: 'a'.repeat(64) }]);
    expect(config.supplierPrice.toFixed(2)).toBe('12.50');
  });

  it('stops with a message naming each bad variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadInventoryConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems.map((p) => p.variable);
      }
      throw new Error('expected a ConfigError');
    };
    expect(problems({ ODOO_API_BASE_URL: 'https://odoo.example.com' })).toEqual(['ODOO_API_TOKEN', 'ODOO_PARTNER_ID']);
    expect(problems({ ODOO_API_BASE_URL: 'not a url', ODOO_API_TOKEN: 't', ODOO_PARTNER_ID: '7' })).toEqual(['ODOO_API_BASE_URL']);
    expect(problems({ INVENTORY_RATE_LIMIT_PER_SECOND: '0' })).toEqual(['INVENTORY_RATE_LIMIT_PER_SECOND']);
    expect(problems({ INVENTORY_SUPPLIER_PRICE: '1.234' })).toEqual(['INVENTORY_SUPPLIER_PRICE']);
    expect(problems({ INVENTORY_API_KEYS: 'ops:plaintext-token' })).toEqual(['INVENTORY_API_KEYS']);
  });
});

describe('REST bearer tokens', () => {
  const keys = [{ name: 'ops', sha256: sha256Hex('right-token') }];
  it('accepts a configured token and refuses anything else', () => {
    expect(verifyBearer('Bearer right-token', keys)).toEqual({ name: 'ops' });
    expect(verifyBearer('bearer right-token', keys)).toEqual({ name: 'ops' });
    expect(verifyBearer('Bearer wrong-token', keys)).toEqual({ refused: 'Invalid token' });
    expect(verifyBearer(undefined, keys)).toMatchObject({ refused: expect.stringMatching(/Authentication required/) });
    expect(verifyBearer('Basic dXNlcjpwYXNz', keys)).toMatchObject({ refused: expect.stringMatching(/Authentication required/) });
    expect(verifyBearer('Bearer right-token', [])).toEqual({ refused: 'Invalid token' });
  });
});

describe('inventory adjustments', () => {
  it('takes absolute figures and names the field at fault', () => {
    expect(validateAdjustment({ sku: ' BPC-5 ', locationCode: 'A', quantity: 100, reserved: 10, reason: ' recount ' })).toEqual({
      ok: true,
      value: { sku: 'BPC-5', locationCode: 'A', quantity: 100, reserved: 10, reason: 'recount' },
    });
    expect(validateAdjustment({ sku: 'X', locationCode: 'A', reserved: 2 })).toMatchObject({ ok: true, value: { quantity: undefined, reserved: 2 } });
    expect(validateAdjustment({ sku: 'X', locationCode: 'A' })).toMatchObject({ ok: false, field: 'quantity' });
    expect(validateAdjustment({ sku: 'X Y', locationCode: 'A', quantity: 1 })).toMatchObject({ ok: false, field: 'sku' });
    expect(validateAdjustment({ sku: 'X', locationCode: 'A', quantity: -3 })).toMatchObject({ ok: false, field: 'quantity' });
    expect(validateAdjustment({ sku: 'X', locationCode: 'A', quantity: 2.5 })).toMatchObject({ ok: false, field: 'quantity' });
    expect(validateAdjustment({ sku: 'X', locationCode: '', quantity: 1 })).toMatchObject({ ok: false, field: 'locationCode' });
  });
});
