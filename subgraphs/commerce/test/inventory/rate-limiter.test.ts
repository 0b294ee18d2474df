import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_ENTITIES, KIT_MIGRATIONS, openDatabase, type Database } from '@switchboard/kit';
import { busiestWindow } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimitSlot } from '../../src/inventory/odoo/rate-limit-slot.js';
import { SharedRateLimiter } from '../../src/inventory/odoo/rate-limiter.js';
import { commerce } from '../../src/service.js';
import { Testbed, type DbKind } from './support/testbed.js';

const now = () => performance.timeOrigin + performance.now();

/** Runs `count` calls through `limiter`, `concurrency` at a time; records when each started and ended. */
async function drive(limiter: SharedRateLimiter, count: number, concurrency: number, calls: { start: number; end: number }[]) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await limiter.schedule(async () => {
          const start = now();
          await sleep(Math.random() * 15);
          calls.push({ start, end: now() });
        });
      }
    }),
  );
}

describe.each<DbKind>(['sqlite', 'postgres'])('shared rate limiter on %s', (dbKind) => {
  const bed = new Testbed();
  const databases: Database[] = [];
  afterAll(async () => {
    for (const db of databases) await db.close();
    await bed.stop();
  });

  /** One database handle per simulated replica (separate connection pools), schema applied once. */
  async function replicas(count: number): Promise<Database[]> {
    const url = await bed.databaseUrl(dbKind);
    const options = { url, entities: [...EVENT_ENTITIES, ...commerce.entities], migrations: [...KIT_MIGRATIONS, ...commerce.migrations] };
    const handles = [await openDatabase(options)];
    for (let i = 1; i < count; i++) handles.push(await openDatabase({ ...options, migrate: false }));
    databases.push(...handles);
    return handles;
  }

  it('lets no more than the limit start within any second, whichever replica calls', async () => {
    const limit = 25;
    const calls: { start: number; end: number }[] = [];
    const limiters = (await replicas(3)).map((db) => new SharedRateLimiter(db, { key: 'test', callsPerSecond: limit, guardMs: 0, leaseMs: 5_000 }));
    await Promise.all(limiters.map((limiter) => drive(limiter, 30, 6, calls)));

    expect(calls).toHaveLength(90);
    expect(busiestWindow(calls.map((c) => c.start), 1000).count).toBeLessThanOrEqual(limit);
    // 90 calls, 25 per window, each window counted from when a call ended: at least three windows.
    const starts = calls.map((c) => c.start).sort((a, b) => a - b);
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(3 * 1000);
  });

  it('gives a slot back only while it is still ours, and reuses it once a lost call\'s lease runs out', async () => {
    const [a, b] = await replicas(2);
    const options = { key: 'lease', callsPerSecond: 1, guardMs: 0, leaseMs: 400 };
    const first = new SharedRateLimiter(a!, options);
    const second = new SharedRateLimiter(b!, options);
    // A call that outlives its lease (its process as good as dead).
    const began = now();
    const stuck = first.schedule(() => sleep(2_500));
    await sleep(50);
    let secondStarted = 0;
    await second.schedule(async () => {
      secondStarted = now();
    });
    // Lease (400 ms) plus the one-second window.
    expect(secondStarted - began).toBeGreaterThanOrEqual(1_350);
    const [slot] = await b!.em().find(RateLimitSlot, { key: 'lease' });
    await stuck;
    // The late release did not touch the slot the second call used and gave back.
    const [after] = await b!.em().find(RateLimitSlot, { key: 'lease' });
    expect(after!.busyUntilUs).toBe(slot!.busyUntilUs);
  });

  it('keeps exactly as many slots as the limit allows when the limit changes', async () => {
    const [db] = await replicas(1);
    await new SharedRateLimiter(db!, { key: 'resize', callsPerSecond: 10, guardMs: 0, leaseMs: 1_000 }).schedule(async () => undefined);
    expect(await db!.em().count(RateLimitSlot, { key: 'resize' })).toBe(10);
    await new SharedRateLimiter(db!, { key: 'resize', callsPerSecond: 4, guardMs: 0, leaseMs: 1_000 }).schedule(async () => undefined);
    expect(await db!.em().count(RateLimitSlot, { key: 'resize' })).toBe(4);
  });
});
