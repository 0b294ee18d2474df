import type { EventBus } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncMaintenance } from '../../src/inventory/sync/maintenance.js';
import { SyncJob } from '../../src/inventory/sync/sync-job.js';
import { SyncLog } from '../../src/inventory/sync/sync-log.js';
import {
  adjust,
  createLocation,
  createProduct,
  createVariant,
  gql,
  graphql,
  inventoryEnv,
  ODOO_PARTNER,
  rest,
  Testbed,
  uniqueSku,
  type CommerceService,
  type DbKind,
} from './support/testbed.js';

const LOG_KEYS = ['id', 'triggerType', 'variantId', 'variantSku', 'requestPayload', 'responsePayload', 'status', 'errorMessage', 'createdAt'];

describe.each<DbKind>(['sqlite', 'postgres'])('inventory sync API (REST and GraphQL) with %s', (dbKind) => {
  const bed = new Testbed();
  let bus: EventBus;
  let service: CommerceService;
  const location = uniqueSku('MAIN');
  const catalog: { sku: string; quantity: number; synced: boolean }[] = [];
  let fullJobId = '';

  beforeAll(async () => {
    await bed.startEmulator();
    bus = await bed.bus('nats');
    service = await bed.service(bus, inventoryEnv(bed.emulator.url, await bed.databaseUrl(dbKind), { INVENTORY_RATE_LIMIT_PER_SECOND: '500' }));
    // A catalog: active variants of an active product, an inactive variant, a variant of an inactive product.
    await createLocation(service, location);
    const active = await createProduct(service, 'Widget');
    const retired = await createProduct(service, 'Retired', false);
    for (let i = 0; i < 12; i++) {
      const sku = uniqueSku('W');
      await createVariant(service, { sku, productId: active, name: `Size ${i}`, active: i !== 11 });
      catalog.push({ sku, quantity: i * 3, synced: i !== 11 });
    }
    const orphan = uniqueSku('R');
    await createVariant(service, { sku: orphan, productId: retired, name: 'Only' });
    catalog.push({ sku: orphan, quantity: 4, synced: false });
    // Stock without syncing yet: the adjustments' own syncs are part of what the log shows later.
    for (const item of catalog) if (item.quantity > 0) await adjust(service, { sku: item.sku, locationCode: location, quantity: item.quantity });
    await eventually(() => rest(service, 'GET', '/api/odoo/sync/queue/stats'), (r) => r.body.stats.waiting + r.body.stats.active + r.body.stats.delayed === 0);
  });
  afterAll(() => bed.stop());

  it('refuses requests without a valid bearer token', async () => {
    for (const token of [null, 'wrong-token']) {
      const response = await rest(service, 'GET', '/api/odoo/sync/stats', { token });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ success: false, message: token ? 'Invalid token' : expect.stringMatching(/Authorization: Bearer/) });
    }
    const post = await rest(service, 'POST', '/api/odoo/sync/full', { token: null });
    expect(post.status).toBe(401);
  });

  it('POST /api/odoo/sync/full queues a full sync (an empty JSON body is fine) and the job reports its progress', async () => {
    const queued = await rest(service, 'POST', '/api/odoo/sync/full', { headers: { 'content-type': 'application/json' } });
    expect(queued.status).toBe(200);
    expect(queued.body).toEqual({ success: true, message: 'Full inventory sync has been queued', jobId: expect.any(String), triggerType: 'MANUAL_FULL' });
    fullJobId = queued.body.jobId;

    const done = await eventually(() => rest(service, 'GET', `/api/odoo/sync/job/${fullJobId}`), (r) => r.body.job.state === 'completed', { timeoutMs: 20_000 });
    const active = catalog.filter((c) => c.synced);
    expect(done.body).toEqual({
      success: true,
      job: {
        found: true,
        id: fullJobId,
        state: 'completed',
        progress: 100,
        result: { variants: active.length, queued: active.length, coalesced: 0, succeeded: active.length, failed: 0, pending: 0 },
      },
    });
    for (const item of catalog) {
      const product = bed.emulator.product(ODOO_PARTNER, item.sku);
      if (item.synced) expect(product?.vendor_on_hand_qty).toBe(item.quantity);
      else expect(product).toBeUndefined();
    }
    const full = await rest(service, 'GET', `/api/odoo/sync/logs?triggerType=MANUAL_FULL&limit=100`);
    expect(full.body.logs.map((l: any) => l.variantSku).sort()).toEqual(active.map((c) => c.sku).sort());
  });

  it('tells an unknown job from a known one, in the legacy shape', async () => {
    expect((await rest(service, 'GET', '/api/odoo/sync/job/no-such-job')).body).toEqual({ success: true, job: { found: false } });
  });

  it('GET /api/odoo/sync/queue/stats counts jobs by state', async () => {
    const { status, body } = await rest(service, 'GET', '/api/odoo/sync/queue/stats');
    expect(status).toBe(200);
    expect(Object.keys(body.stats)).toEqual(['waiting', 'active', 'completed', 'failed', 'delayed', 'total']);
    const { waiting, active, completed, failed, delayed, total } = body.stats;
    expect(total).toBe(waiting + active + completed + failed + delayed);
    expect(completed).toBe(await service.deps.db.em().count(SyncJob, { state: 'completed' }));
    const viaGraphql = await gql(service, '{ odooSyncQueueStats { waiting active completed failed delayed total } }');
    expect(viaGraphql.odooSyncQueueStats).toEqual(body.stats);
  });

  it('GET /api/odoo/sync/logs pages and filters like the seed; each log has the OdooSyncLog shape', async () => {
    const failing = catalog[0]!.sku;
    bed.emulator.failNext({ status: 401, defaultCode: failing });
    await gql(service, 'mutation($sku: String!) { queueOdooVariantSync(sku: $sku) { id } }', { sku: failing });
    await eventually(() => rest(service, 'GET', '/api/odoo/sync/logs?status=FAILED'), (r) => r.body.pagination.total === 1);

    const all = await rest(service, 'GET', '/api/odoo/sync/logs');
    expect(all.status).toBe(200);
    expect(all.body.pagination).toEqual({ page: 1, limit: 50, total: all.body.pagination.total, pages: Math.ceil(all.body.pagination.total / 50) });
    for (const log of all.body.logs) expect(Object.keys(log)).toEqual(LOG_KEYS);
    const times = all.body.logs.map((l: any) => Date.parse(l.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const failed = await rest(service, 'GET', '/api/odoo/sync/logs?status=FAILED');
    expect(failed.body.logs).toEqual([
      expect.objectContaining({ variantSku: failing, status: 'FAILED', triggerType: 'TEST', responsePayload: { success: false, error: 'Invalid or expired access token' } }),
    ]);
    const bySku = await rest(service, 'GET', `/api/odoo/sync/logs?variantSku=${encodeURIComponent(failing.slice(2).toLowerCase())}`);
    expect(bySku.body.logs.length).toBeGreaterThanOrEqual(2);
    expect(bySku.body.logs.every((l: any) => l.variantSku === failing)).toBe(true);
    // Wildcards in the search are literal characters.
    expect((await rest(service, 'GET', '/api/odoo/sync/logs?variantSku=%25')).body.pagination.total).toBe(0);

    const page2 = await rest(service, 'GET', '/api/odoo/sync/logs?limit=2&page=2');
    expect(page2.body.logs.map((l: any) => l.id)).toEqual(all.body.logs.slice(2, 4).map((l: any) => l.id));
    expect(page2.body.pagination).toMatchObject({ page: 2, limit: 2, pages: Math.ceil(all.body.pagination.total / 2) });

    const today = new Date().toISOString().slice(0, 10);
    expect((await rest(service, 'GET', `/api/odoo/sync/logs?startDate=${today}&endDate=${today}`)).body.pagination.total).toBe(all.body.pagination.total);
    expect((await rest(service, 'GET', '/api/odoo/sync/logs?endDate=2000-01-01')).body.pagination.total).toBe(0);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expect((await rest(service, 'GET', `/api/odoo/sync/logs?startDate=${encodeURIComponent(tomorrow)}`)).body.logs).toEqual([]);
  });

  it('answers bad log filters with 400 naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['page=0', /^page must be/],
      ['limit=501', /^limit must be an integer between 1 and 500/],
      ['limit=ten', /^limit must be/],
      ['status=OK', /^status must be one of SUCCESS, FAILED/],
      ['status=FAILED&status=SUCCESS', /^status must be given once/],
      ['triggerType=CRON', /^triggerType must be one of MANUAL_FULL, ORDER_SHIPPED, INVENTORY_ADJUSTMENT, TEST/],
      ['startDate=yesterday', /^startDate must be an ISO 8601 date/],
      ['startDate=2025-02-30', /^startDate is not a valid date/],
      ['startDate=2025-02-02&endDate=2025-02-01', /^endDate must not be before startDate/],
    ];
    for (const [query, message] of cases) {
      const response = await rest(service, 'GET', `/api/odoo/sync/logs?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.success).toBe(false);
      expect(response.body.message, query).toMatch(message);
    }
    const viaGraphql = await graphql(service, '{ odooSyncLogs(limit: 0) { pagination { total } } }');
    expect(viaGraphql.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'limit' } });
  });

  it('GET /api/odoo/sync/logs/:id returns one entry, 404 when unknown', async () => {
    const [first] = (await rest(service, 'GET', '/api/odoo/sync/logs?limit=1')).body.logs;
    const one = await rest(service, 'GET', `/api/odoo/sync/logs/${first.id}`);
    expect(one.body).toEqual({ success: true, log: first });
    const missing = await rest(service, 'GET', '/api/odoo/sync/logs/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ success: false, message: expect.stringMatching(/not found/) });
  });

  it('GET /api/odoo/sync/stats sums the log by status and trigger, with the success rate as a string', async () => {
    const { body } = await rest(service, 'GET', '/api/odoo/sync/stats');
    const total = (await rest(service, 'GET', '/api/odoo/sync/logs?limit=1')).body.pagination.total;
    const failed = (await rest(service, 'GET', '/api/odoo/sync/logs?status=FAILED&limit=1')).body.pagination.total;
    expect(body.stats).toEqual({
      total,
      successful: total - failed,
      failed,
      successRate: ((100 * (total - failed)) / total).toFixed(2),
      byTrigger: { MANUAL_FULL: 11, INVENTORY_ADJUSTMENT: expect.any(Number), TEST: 1 },
    });
    expect(Object.keys(body.stats.byTrigger)).toEqual(['MANUAL_FULL', 'INVENTORY_ADJUSTMENT', 'TEST']);
    expect(body.recent).toHaveLength(10);
    expect(body.recent).toEqual((await rest(service, 'GET', '/api/odoo/sync/logs?limit=10')).body.logs);

    const viaGraphql = (await gql(service, '{ odooSyncStats { total successful failed successRate byTrigger { trigger count } recent { id } } }')).odooSyncStats;
    expect(viaGraphql).toMatchObject({ total, successful: total - failed, failed, successRate: body.stats.successRate });
    expect(Object.fromEntries(viaGraphql.byTrigger.map((t: any) => [t.trigger, t.count]))).toEqual(body.stats.byTrigger);
  });

  it('keeps sync operations for ops: support staff may read the catalog but not sync', async () => {
    for (const query of ['{ odooSyncStats { total } }', 'mutation { startOdooFullSync { id } }', '{ odooSyncLogs { pagination { total } } }']) {
      const denied = await graphql(service, query, {}, ['support']);
      expect(denied.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    const allowed = await graphql(service, '{ productVariant(sku: $sku) { sku availableStock } }'.replace('$sku', JSON.stringify(catalog[1]!.sku)), {}, ['support']);
    expect(allowed.data.productVariant).toEqual({ sku: catalog[1]!.sku, availableStock: catalog[1]!.quantity });
  });

  it('checks adjustInventory input and names the field at fault', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ sku: catalog[1]!.sku, locationCode: location, quantity: -1 }, 'BAD_USER_INPUT', 'quantity'],
      [{ sku: catalog[1]!.sku, locationCode: location }, 'BAD_USER_INPUT', 'quantity'],
      [{ sku: catalog[1]!.sku, locationCode: location, reserved: 2_000_000_000 }, 'BAD_USER_INPUT', 'reserved'],
      [{ sku: '', locationCode: location, quantity: 1 }, 'BAD_USER_INPUT', 'sku'],
      [{ sku: catalog[1]!.sku, locationCode: 'no such place!', quantity: 1 }, 'BAD_USER_INPUT', 'locationCode'],
      [{ sku: 'NOPE', locationCode: location, quantity: 1 }, 'NOT_FOUND', ''],
      [{ sku: catalog[1]!.sku, locationCode: 'NOWHERE', quantity: 1 }, 'NOT_FOUND', ''],
    ];
    for (const [input, code, field] of cases) {
      const body = await graphql(service, 'mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { changed } }', { input });
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe(code);
      if (field) expect(body.errors?.[0]?.extensions?.field).toBe(field);
    }
    // Setting the same figures again changes nothing and queues nothing.
    const same = await gql(service, 'mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { changed } }', {
      input: { sku: catalog[1]!.sku, locationCode: location, quantity: catalog[1]!.quantity },
    });
    expect(same.adjustInventory.changed).toBe(false);
  });

  it('moves logs past the retention period to the archive and prunes old finished jobs', async () => {
    const em = service.deps.db.em();
    const [oldest] = await em.find(SyncLog, {}, { orderBy: { createdAt: 'asc' }, limit: 1 });
    await em.nativeUpdate(SyncLog, { id: oldest!.id }, { createdAt: new Date(Date.now() - 91 * 86_400_000) });
    const before = (await rest(service, 'GET', '/api/odoo/sync/stats')).body.stats.total;

    const maintenance = new SyncMaintenance(service.deps, { logRetentionDays: 90, keepCompletedJobs: 3, keepFailedJobs: 1 });
    const outcome = await maintenance.runOnce();
    expect(outcome.archivedLogs).toBe(1);
    expect(outcome.prunedJobs).toBeGreaterThan(0);
    expect((await rest(service, 'GET', '/api/odoo/sync/stats')).body.stats.total).toBe(before - 1);
    expect((await rest(service, 'GET', `/api/odoo/sync/logs?limit=500`)).body.logs.map((l: any) => l.id)).not.toContain(oldest!.id);
    // Still readable by id.
    expect((await rest(service, 'GET', `/api/odoo/sync/logs/${oldest!.id}`)).body.log.id).toBe(oldest!.id);
    expect((await gql(service, 'query($id: ID!) { odooSyncLog(id: $id) { archived } }', { id: oldest!.id })).odooSyncLog.archived).toBe(true);
    expect(await service.deps.db.em().count(SyncJob, { type: 'VARIANT_SYNC', state: 'completed' })).toBe(3);
    expect((await maintenance.runOnce()).archivedLogs).toBe(0);
  });
});

describe('inventory sync without Odoo settings', () => {
  const bed = new Testbed();
  let service: CommerceService;
  beforeAll(async () => {
    await bed.startEmulator();
    const env = inventoryEnv('unused', await bed.databaseUrl('sqlite'));
    delete (env as Record<string, string | undefined>).ODOO_API_BASE_URL;
    service = await bed.service(await bed.bus('in-process'), env);
  });
  afterAll(() => bed.stop());

  it('refuses manual syncs with 503 and says which settings are missing; stock still adjusts', async () => {
    const response = await rest(service, 'POST', '/api/odoo/sync/full');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ success: false, message: expect.stringMatching(/ODOO_API_BASE_URL, ODOO_API_TOKEN and ODOO_PARTNER_ID/) });
    const viaGraphql = await graphql(service, 'mutation { startOdooFullSync { id } }');
    expect(viaGraphql.errors?.[0]?.extensions?.code).toBe('SYNC_NOT_CONFIGURED');

    const sku = uniqueSku();
    await createVariant(service, { sku, productId: await createProduct(service, 'Offline'), name: '' });
    await createLocation(service, 'OFFLINE');
    expect((await adjust(service, { sku, locationCode: 'OFFLINE', quantity: 3 })).variant.availableStock).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await rest(service, 'GET', '/api/odoo/sync/queue/stats')).body.stats.total).toBe(0);
  });
});
