import { OutboxEvent, type EventBus } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjust,
  createLocation,
  createProduct,
  createVariant,
  gql,
  inventoryEnv,
  ODOO_PARTNER,
  publishOrderShipped,
  Testbed,
  uniqueSku,
  type BusKind,
  type CommerceService,
  type DbKind,
} from './support/testbed.js';

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'sqlite'],
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
];

const RETRY_BASE_MS = 300;

const LOGS = `query($sku: String, $trigger: OdooSyncTrigger) {
  odooSyncLogs(variantSku: $sku, triggerType: $trigger, limit: 100) {
    logs { id status triggerType variantSku attempt jobId errorMessage requestPayload responsePayload createdAt }
    pagination { total }
  }
}`;

describe.each(MATRIX)('inventory sync to Odoo on %s bus with %s', (busKind, dbKind) => {
  const bed = new Testbed();
  let bus: EventBus;
  let service: CommerceService;

  beforeAll(async () => {
    await bed.startEmulator();
    bus = await bed.bus(busKind);
    service = await bed.service(
      bus,
      inventoryEnv(bed.emulator.url, await bed.databaseUrl(dbKind), {
        INVENTORY_RATE_LIMIT_PER_SECOND: '200',
        INVENTORY_RETRY_BASE_MS: String(RETRY_BASE_MS),
        INVENTORY_FAILING_THRESHOLD: '3',
      }),
    );
  });
  afterAll(() => bed.stop());

  /** Oldest first, for reading attempts in order. */
  const logsOf = async (sku: string, trigger?: string) =>
    ((await gql(service, LOGS, { sku, trigger })).odooSyncLogs.logs as any[]).filter((l) => l.variantSku === sku).reverse();

  async function variantWithStock(options: { productName?: string; variantName?: string; quantity?: number } = {}) {
    const sku = uniqueSku();
    const productId = await createProduct(service, options.productName ?? `Product ${sku}`);
    await createVariant(service, { sku, productId, name: options.variantName ?? 'Default' });
    return sku;
  }

  it("sends the seed's example: A 100/10 + B 50/5 = 135, the inactive location left out", async () => {
    const sku = uniqueSku('BPC');
    const productId = await createProduct(service, 'BPC-157');
    await createVariant(service, { sku, productId, name: '5mg' });
    const [a, b, c] = [uniqueSku('A'), uniqueSku('B'), uniqueSku('C')];
    await createLocation(service, a);
    await createLocation(service, b);
    await createLocation(service, c, false);

    await adjust(service, { sku, locationCode: c, quantity: 70, reason: 'inactive shelf' });
    await adjust(service, { sku, locationCode: a, quantity: 100, reserved: 10 });
    const last = await adjust(service, { sku, locationCode: b, quantity: 50, reserved: 5 });
    expect(last.variant.availableStock).toBe(135);

    const product = await eventually(
      async () => bed.emulator.product(ODOO_PARTNER, sku),
      (p) => p?.vendor_on_hand_qty === 135,
    );
    expect(product).toMatchObject({ name: 'BPC-157 - 5mg', default_code: sku, supplier: { price: 0 } });

    // Odoo has it before the attempt is recorded: wait for the log too.
    const logs = await eventually(() => logsOf(sku, 'INVENTORY_ADJUSTMENT'), (l) => l.at(-1)?.requestPayload.vendor_on_hand_qty === 135);
    expect(logs.at(-1)).toMatchObject({
      status: 'SUCCESS',
      triggerType: 'INVENTORY_ADJUSTMENT',
      requestPayload: { name: 'BPC-157 - 5mg', default_code: sku, vendor_on_hand_qty: 135, supplier: { price: 0 } },
      responsePayload: { success: true, data: { default_code: sku, vendor_on_hand_qty: 135 } },
      errorMessage: null,
    });
    // Every call carried the token and the partner, as the seed's curl does.
    for (const call of bed.emulator.calls({ defaultCode: sku })) {
      expect(call.authorization).toBe('Bearer odoo-test-token');
      expect(call.partnerId).toBe(String(ODOO_PARTNER));
    }
  });

  it('syncs exactly the variants of a shipped order; lines without a known SKU are skipped', async () => {
    const [shipped1, shipped2, untouched] = [await variantWithStock(), await variantWithStock(), await variantWithStock()];
    const inactive = uniqueSku('OFF');
    await createVariant(service, { sku: inactive, productId: await createProduct(service, 'Old'), name: 'x', active: false });
    const orderId = uniqueSku('ORDER');
    const eventId = await publishOrderShipped(bus, {
      orderId,
      reference: `REF-${orderId}`,
      lines: [
        { sku: shipped1, productId: '1', variantId: '11', quantity: 2 },
        { sku: ` ${shipped2} `, productId: '2', variantId: null, quantity: 1 },
        { sku: shipped1, productId: '1', variantId: '11', quantity: 1 },
        { sku: null, productId: '3', variantId: null, quantity: 1 },
        { sku: 'NOT-IN-CATALOG', productId: '4', variantId: null, quantity: 1 },
        { sku: inactive, productId: '5', variantId: null, quantity: 1 },
      ],
    });
    // The same event again (a redelivery): still one sync per variant.
    await publishOrderShipped(bus, { orderId, reference: `REF-${orderId}`, lines: [{ sku: shipped1, productId: '1', variantId: '11', quantity: 2 }] }, eventId);

    await eventually(async () => [bed.emulator.product(ODOO_PARTNER, shipped1), bed.emulator.product(ODOO_PARTNER, shipped2)], (ps) => ps.every(Boolean));
    await eventually(() => gql(service, '{ odooSyncQueueStats { waiting active delayed } }'), (d) =>
      d.odooSyncQueueStats.waiting + d.odooSyncQueueStats.active + d.odooSyncQueueStats.delayed === 0);

    const jobs = (await gql(service, '{ odooSyncJobs(type: VARIANT_SYNC, limit: 500) { variantSku triggerType reference state } }')).odooSyncJobs
      .filter((j: any) => j.reference === `order REF-${orderId}`);
    expect(jobs.map((j: any) => j.variantSku).sort()).toEqual([shipped1, shipped2].sort());
    expect(jobs.every((j: any) => j.triggerType === 'ORDER_SHIPPED' && j.state === 'COMPLETED')).toBe(true);
    expect(await logsOf(shipped1, 'ORDER_SHIPPED')).toHaveLength(1);
    expect(await logsOf(shipped2, 'ORDER_SHIPPED')).toHaveLength(1);
    for (const sku of [untouched, inactive, 'NOT-IN-CATALOG']) expect(bed.emulator.calls({ defaultCode: sku })).toEqual([]);
  });

  it('retries a failed attempt with exponential backoff and logs every attempt', async () => {
    const sku = await variantWithStock();
    const location = uniqueSku('L');
    await createLocation(service, location);
    bed.emulator.failNext({ status: 503, operation: 'read', defaultCode: sku, times: 2 });
    await adjust(service, { sku, locationCode: location, quantity: 8 });

    const logs = await eventually(() => logsOf(sku), (l) => l.some((x) => x.status === 'SUCCESS'), { timeoutMs: 15_000 });
    expect(logs.map((l) => [l.attempt, l.status])).toEqual([[1, 'FAILED'], [2, 'FAILED'], [3, 'SUCCESS']]);
    expect(new Set(logs.map((l) => l.jobId)).size).toBe(1);
    // Odoo's answer kept as received: the proxy's HTML page.
    expect(logs[0].responsePayload).toContain('503 Service Temporarily Unavailable');
    expect(logs[0].errorMessage).toMatch(/HTTP 503/);
    const reads = bed.emulator.calls({ operation: 'read', defaultCode: sku }).map((c) => c.at);
    expect(reads).toHaveLength(3);
    expect(reads[1]! - reads[0]!).toBeGreaterThanOrEqual(RETRY_BASE_MS - 5);
    expect(reads[2]! - reads[1]!).toBeGreaterThanOrEqual(2 * RETRY_BASE_MS - 5);
    expect(bed.emulator.product(ODOO_PARTNER, sku)?.vendor_on_hand_qty).toBe(8);
  });

  it('gives up after 3 attempts: the job fails, each attempt is in the log', async () => {
    const sku = await variantWithStock();
    bed.emulator.failNext({ status: 500, defaultCode: sku, times: 3 });
    const job = (await gql(service, 'mutation($sku: String!) { queueOdooVariantSync(sku: $sku) { id triggerType } }', { sku })).queueOdooVariantSync;
    expect(job.triggerType).toBe('TEST');
    const final = await eventually(
      () => gql(service, 'query($id: ID!) { odooSyncJob(id: $id) { state attempts maxAttempts error logs { attempt status } } }', { id: job.id }),
      (d) => d.odooSyncJob.state === 'FAILED',
      { timeoutMs: 15_000 },
    );
    expect(final.odooSyncJob).toMatchObject({ attempts: 3, maxAttempts: 3, error: expect.stringMatching(/HTTP 500: 500 Internal Server Error/) });
    expect(final.odooSyncJob.logs).toEqual([1, 2, 3].map((attempt) => ({ attempt, status: 'FAILED' })));
  });

  it("logs a 401 as failed with Odoo's answer kept, does not retry it, and raises commerce.sync.failing past the threshold", async () => {
    // Start from a clean streak: one success first.
    const healthy = await variantWithStock();
    await gql(service, 'mutation($sku: String!) { queueOdooVariantSync(sku: $sku) { id } }', { sku: healthy });
    await eventually(() => logsOf(healthy), (l) => l.some((x) => x.status === 'SUCCESS'));
    const since = new Date();
    const announced = (type: string) => service.deps.db.em().find(OutboxEvent, { type, createdAt: { $gte: since } });

    const skus = [await variantWithStock(), await variantWithStock(), await variantWithStock()];
    for (const sku of skus) bed.emulator.failNext({ status: 401, defaultCode: sku });
    for (const sku of skus) await gql(service, 'mutation($sku: String!) { queueOdooVariantSync(sku: $sku) { id } }', { sku });

    for (const sku of skus) {
      const logs = await eventually(() => logsOf(sku), (l) => l.length === 1);
      expect(logs[0]).toMatchObject({
        status: 'FAILED',
        responsePayload: { success: false, error: 'Invalid or expired access token' },
        errorMessage: '/vendor_api/product/read answered HTTP 401: Invalid or expired access token',
      });
    }
    const failing = await eventually(() => announced('commerce.sync.failing'), (rows) => rows.length === 1);
    const event = JSON.parse(failing[0]!.envelope);
    expect(event.subject).toBe('inventory-sync:odoo');
    expect(event.data).toMatchObject({ consecutiveFailures: 3, threshold: 3, lastError: expect.stringMatching(/HTTP 401/) });
    expect(event.data.summary).toMatch(/3 attempts in a row failed/);
    expect((await gql(service, '{ odooSyncStats { consecutiveFailures } }')).odooSyncStats.consecutiveFailures).toBe(3);

    // Not retried: one read per SKU, nothing more after the backoff would have passed.
    await new Promise((resolve) => setTimeout(resolve, 2 * RETRY_BASE_MS));
    for (const sku of skus) expect(bed.emulator.calls({ defaultCode: sku })).toHaveLength(1);

    // The next success ends the streak and says so on the same subject.
    await gql(service, 'mutation($sku: String!) { queueOdooVariantSync(sku: $sku) { id } }', { sku: skus[0] });
    const recovered = await eventually(() => announced('commerce.sync.recovered'), (rows) => rows.length === 1);
    expect(JSON.parse(recovered[0]!.envelope)).toMatchObject({ subject: 'inventory-sync:odoo', data: { consecutiveFailures: 3 } });
    expect((await gql(service, '{ odooSyncStats { consecutiveFailures } }')).odooSyncStats.consecutiveFailures).toBe(0);
  });

  it('coalesces pending syncs of one variant: the latest stock is what Odoo ends up with', async () => {
    const sku = await variantWithStock();
    const location = uniqueSku('L');
    await createLocation(service, location);
    // The first sync hangs in Odoo; the adjustments meanwhile pile onto one waiting job.
    bed.emulator.failNext({ delayMs: 800, operation: 'read', defaultCode: sku });
    await adjust(service, { sku, locationCode: location, quantity: 1 });
    await eventually(async () => bed.emulator.calls({ defaultCode: sku }).length, (n) => n === 1);
    for (const quantity of [2, 3, 4, 5]) await adjust(service, { sku, locationCode: location, quantity });

    await eventually(async () => bed.emulator.product(ODOO_PARTNER, sku)?.vendor_on_hand_qty, (q) => q === 5, { timeoutMs: 15_000 });
    await eventually(() => gql(service, '{ odooSyncQueueStats { waiting active delayed } }'), (d) =>
      d.odooSyncQueueStats.waiting + d.odooSyncQueueStats.active + d.odooSyncQueueStats.delayed === 0);
    const jobs = (await gql(service, '{ odooSyncJobs(type: VARIANT_SYNC, limit: 500) { variantSku coalesced state } }')).odooSyncJobs
      .filter((j: any) => j.variantSku === sku);
    // One job for the first adjustment, one for the other four (three merged into it).
    expect(jobs.map((j: any) => j.coalesced).sort()).toEqual([0, 3]);
    const writes = bed.emulator.calls({ defaultCode: sku }).filter((c) => c.operation !== 'read');
    expect(writes.map((c) => (c.body as any).vendor_on_hand_qty)).toEqual([1, 5]);
  });
});
