import { EVENT_ENTITIES, KIT_MIGRATIONS, openDatabase, type Database } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryLevel } from '../../src/inventory/catalog/inventory-level.js';
import { Product } from '../../src/inventory/catalog/product.js';
import { ProductVariant } from '../../src/inventory/catalog/product-variant.js';
import { StockLocation } from '../../src/inventory/catalog/stock-location.js';
import { commerce } from '../../src/service.js';
import { API_TOKEN, inventoryEnv, ODOO_PARTNER, Testbed, type DbKind } from './support/testbed.js';
import { startCommerceProcess, type WorkerProcess } from './support/worker-process.js';

const LIMIT = 20;
const VARIANTS = 500;

/** Seeds `count` active variants with stock straight into the shared database. */
async function seedCatalog(db: Database, count: number): Promise<Map<string, number>> {
  const em = db.em();
  const location = em.create(StockLocation, { code: 'WH', name: 'Warehouse' });
  const product = em.create(Product, { name: 'Bulk' });
  const expected = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const sku = `BULK-${String(i).padStart(4, '0')}`;
    const variant = em.create(ProductVariant, { sku, product, name: `#${i}` });
    em.create(InventoryLevel, { variant, location, quantity: i + 5, reserved: i % 5 });
    expected.set(sku, i + 5 - (i % 5));
  }
  await em.flush();
  return expected;
}

describe.each<DbKind>(['postgres', 'sqlite'])('the Odoo rate limit holds across two worker processes (%s)', (dbKind) => {
  const bed = new Testbed();
  const workers: WorkerProcess[] = [];
  let db: Database;
  let expected: Map<string, number>;

  beforeAll(async () => {
    // Odoo's side answers 429 beyond the limit, so an excess would also show up as failures.
    await bed.startEmulator({ rateLimitPerSecond: LIMIT, latencyMs: 5 });
    const databaseUrl = await bed.databaseUrl(dbKind);
    db = await openDatabase({
      url: databaseUrl,
      entities: [...EVENT_ENTITIES, ...commerce.entities],
      migrations: [...KIT_MIGRATIONS, ...commerce.migrations],
    });
    expected = await seedCatalog(db, VARIANTS);
    const env = inventoryEnv(bed.emulator.url, databaseUrl, {
      NATS_URL: await bed.natsUrl(),
      INVENTORY_RATE_LIMIT_PER_SECOND: String(LIMIT),
      INVENTORY_JOBS_KEEP_COMPLETED: '100000',
    });
    workers.push(...(await Promise.all([startCommerceProcess(env), startCommerceProcess(env)])));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await db?.close();
    await bed.stop();
  }, 60_000);

  it(`syncs ${VARIANTS} variants with never more than ${LIMIT} calls in any one-second window, as Odoo measures it`, async () => {
    const [a, b] = workers as [WorkerProcess, WorkerProcess];
    const queued = await fetch(`${a.url}/api/odoo/sync/full`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });
    const { jobId } = (await queued.json()) as { jobId: string };

    const status = await eventually(
      async () => (await (await fetch(`${b.url}/api/odoo/sync/job/${jobId}`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as any,
      (body) => body.job.state === 'completed' || body.job.state === 'failed',
      { timeoutMs: 150_000, intervalMs: 500 },
    );
    expect(status.job).toMatchObject({ state: 'completed', progress: 100, result: { queued: VARIANTS, succeeded: VARIANTS, failed: 0 } });

    const busiest = bed.emulator.busiestWindow(1000);
    expect(busiest.count).toBeLessThanOrEqual(LIMIT);
    // The limit, not something else, was what paced the sync.
    expect(busiest.count).toBeGreaterThanOrEqual(LIMIT / 2);
    const calls = bed.emulator.calls();
    expect(calls.filter((c) => c.status === 429)).toEqual([]);
    expect(calls).toHaveLength(2 * VARIANTS); // read + create each, no retries
    for (const [sku, quantity] of expected) expect(bed.emulator.product(ODOO_PARTNER, sku)?.vendor_on_hand_qty, sku).toBe(quantity);

    // Both processes did part of the work.
    for (const worker of workers) {
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      const successes = /inventory_sync_attempts_total\{trigger="MANUAL_FULL",outcome="success"[^}]*\} (\d+)/.exec(metrics)?.[1];
      expect(Number(successes ?? 0), `worker ${worker.pid}`).toBeGreaterThan(0);
    }
  }, 180_000);
});
