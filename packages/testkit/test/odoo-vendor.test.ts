import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { busiestWindow, startOdooVendorEmulator, type OdooVendorEmulator } from '../src/index.js';

describe('Odoo vendor API emulator', () => {
  let odoo: OdooVendorEmulator;
  beforeAll(async () => {
    odoo = await startOdooVendorEmulator({ tokens: { 'token-7': [7], 'token-8': [8] } });
  });
  afterAll(() => odoo.stop());
  beforeEach(() => odoo.reset({ products: true }));

  async function call(operation: string, body: unknown, options: { token?: string | null; partner?: string | null; raw?: string } = {}) {
    const partner = options.partner === undefined ? '7' : options.partner;
    const token = options.token === undefined ? 'token-7' : options.token;
    const response = await fetch(`${odoo.url}/vendor_api/product/${operation}${partner === null ? '' : `?partner_id=${partner}`}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: options.raw ?? JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: response.headers };
  }

  it('reads, creates and updates products by default_code, one catalogue per partner', async () => {
    expect(await call('read', { default_code: 'A-1' })).toMatchObject({ status: 200, body: { success: true, data: null } });
    const created = await call('create', { name: 'Widget - Red', default_code: 'A-1', vendor_on_hand_qty: 135, supplier: { price: 0 } });
    expect(created.body).toMatchObject({ success: true, data: { id: expect.any(Number), default_code: 'A-1', vendor_on_hand_qty: 135, partner_id: 7 } });
    const updated = await call('update', { default_code: 'A-1', vendor_on_hand_qty: 90 });
    expect(updated.body.data).toMatchObject({ name: 'Widget - Red', vendor_on_hand_qty: 90 });
    expect((await call('read', { default_code: 'A-1' })).body.data.vendor_on_hand_qty).toBe(90);
    expect(odoo.product(7, 'A-1')?.vendor_on_hand_qty).toBe(90);
    expect((await call('read', { default_code: 'A-1' }, { token: 'token-8', partner: '8' })).body.data).toBeNull();
  });

  it('answers business errors with HTTP 200 and success: false', async () => {
    await call('create', { name: 'X', default_code: 'DUP', vendor_on_hand_qty: 1 });
    expect(await call('create', { name: 'X', default_code: 'DUP', vendor_on_hand_qty: 1 })).toMatchObject({
      status: 200,
      body: { success: false, code: 'DUPLICATE_DEFAULT_CODE' },
    });
    expect(await call('update', { default_code: 'NOPE', vendor_on_hand_qty: 1 })).toMatchObject({ status: 200, body: { success: false, code: 'NOT_FOUND' } });
    expect(await call('create', { default_code: 'N', vendor_on_hand_qty: 1 })).toMatchObject({ status: 200, body: { success: false, error: 'name is required' } });
    expect(await call('update', { default_code: 'DUP', vendor_on_hand_qty: -1 })).toMatchObject({ status: 200, body: { success: false, code: 'VALIDATION_ERROR' } });
    expect(await call('read', {})).toMatchObject({ status: 200, body: { success: false, error: 'default_code is required' } });
  });

  it('refuses bad tokens (401), other partners (403), a missing partner_id or bad JSON (400), other paths (404)', async () => {
    expect(await call('read', { default_code: 'A' }, { token: null })).toMatchObject({ status: 401, body: { success: false, error: 'Invalid or expired access token' } });
    expect(await call('read', { default_code: 'A' }, { token: 'stolen' })).toMatchObject({ status: 401 });
    expect(await call('read', { default_code: 'A' }, { partner: '8' })).toMatchObject({ status: 403, body: { error: 'Access denied for partner 8' } });
    expect(await call('read', { default_code: 'A' }, { partner: null })).toMatchObject({ status: 400 });
    expect(await call('read', null, { raw: '{oops' })).toMatchObject({ status: 400 });
    expect((await call('delete', { default_code: 'A' })).status).toBe(404);
    odoo.revokeToken('token-7');
    expect((await call('read', { default_code: 'A' })).status).toBe(401);
    odoo.grantToken('token-7', [7]);
    expect((await call('read', { default_code: 'A' })).status).toBe(200);
  });

  it('fails or slows down on command, with the bodies the real system sends', async () => {
    odoo.failNext({ status: 503, operation: 'read', times: 2 });
    const first = await call('read', { default_code: 'A' });
    expect(first.status).toBe(503);
    expect(first.body).toContain('<title>503 Service Temporarily Unavailable</title>');
    expect((await call('create', { name: 'A', default_code: 'A', vendor_on_hand_qty: 1 })).status).toBe(200); // other operation: untouched
    expect((await call('read', { default_code: 'A' })).status).toBe(503);
    expect((await call('read', { default_code: 'A' })).status).toBe(200);

    odoo.failNext({ status: 429, defaultCode: 'B' });
    const limited = await call('read', { default_code: 'B' });
    expect(limited).toMatchObject({ status: 429, body: { success: false } });
    expect(limited.headers.get('retry-after')).toBe('1');
    odoo.failNext({ status: 401, body: { error: 'token expired at 12:00' } });
    expect((await call('read', { default_code: 'B' })).body).toEqual({ error: 'token expired at 12:00' });

    odoo.failNext({ delayMs: 300 });
    const started = performance.now();
    expect((await call('read', { default_code: 'A' })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(odoo.calls().map((c) => c.status)).toEqual([503, 200, 503, 200, 429, 401, 200]);
  });

  it('records every call with its arrival time, and can enforce a per-second limit like the proxy in front of Odoo', async () => {
    const limited = await startOdooVendorEmulator({ tokens: { t: [7] }, rateLimitPerSecond: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${limited.url}/vendor_api/product/read?partner_id=7`, {
          method: 'POST',
          headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
          body: JSON.stringify({ default_code: `S-${i}` }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(limited.busiestWindow(1000).count).toBe(5);
      expect(limited.calls().map((c) => c.defaultCode)).toEqual(['S-0', 'S-1', 'S-2', 'S-3', 'S-4']);
    } finally {
      await limited.stop();
    }
  });

  it('measures the busiest sliding window, not calendar seconds', () => {
    expect(busiestWindow([])).toEqual({ count: 0, from: null });
    // 20 calls late in one second and 20 early in the next: 40 within one second.
    const late = Array.from({ length: 20 }, (_, i) => 900 + i);
    const early = Array.from({ length: 20 }, (_, i) => 1100 + i);
    expect(busiestWindow([...early, ...late])).toEqual({ count: 40, from: 900 });
    // Exactly one second apart is two windows.
    expect(busiestWindow([0, 1000]).count).toBe(1);
    expect(busiestWindow([0, 999.9]).count).toBe(2);
  });
});
