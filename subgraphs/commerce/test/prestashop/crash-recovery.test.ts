import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createLogger, openDatabase, EVENT_ENTITIES, KIT_MIGRATIONS, type Database } from '@switchboard/kit';
import { eventually, freePort, moduleBatches, PrestashopShop, PrestashopWebhookSender } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { commerce } from '../../src/service.js';
import { Infrastructure, WEBHOOK_SECRET } from './support/commerce-under-test.js';

/**
 * The production entry point (src/main.ts) in its own process, on real NATS, killed with SIGKILL
 * while it applies a batch, then started again: every event must end up applied exactly once.
 */
const root = new URL('../../../../', import.meta.url).pathname;
const tsxLoader = new URL('node_modules/tsx/dist/loader.mjs', new URL('../../../../', import.meta.url)).href;
const infra = new Infrastructure();
afterAll(() => infra.stop());

class CommerceProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'subgraphs/commerce/src/main.ts')], {
      cwd: infra.dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? infra.dir, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json'), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes('commerce subgraph listening')) resolve();
      };
      this.child!.stdout!.on('data', onData);
      this.child!.stderr!.on('data', onData);
      this.child!.on('exit', (code) => reject(new Error(`commerce exited (${code}) before listening:\n${this.output.slice(-2000)}`)));
    });
  }

  /** Start and end (pino `time`) of applying a batch, once both lines are out. */
  processingSpan(batchId: string): { startedAt: number; appliedAt: number } | undefined {
    const lines = this.output.split('\n').filter((line) => line.includes(batchId)).map((line) => JSON.parse(line) as { time: number; msg: string });
    const started = lines.find((line) => line.msg === 'processing PrestaShop events');
    const applied = lines.find((line) => line.msg.startsWith('PrestaShop events applied'));
    return started && applied ? { startedAt: started.time, appliedAt: applied.time } : undefined;
  }

  async kill(): Promise<void> {
    const child = this.child!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

describe.each(['sqlite', 'postgres'] as const)('processing killed mid-batch (NATS, %s)', (dbKind) => {
  it('after a restart every event is applied exactly once', async () => {
    const databaseUrl = await infra.databaseUrl(dbKind);
    const port = await freePort();
    const proc = new CommerceProcess({
      DATABASE_URL: databaseUrl,
      NATS_URL: await infra.natsUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      GATEWAY_SIGNING_SECRET: 'crash-test-signing-secret-0123456789',
      PRESTASHOP_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'debug',
    });
    await proc.start();

    const shop = new PrestashopShop({ seed: dbKind === 'sqlite' ? 11 : 12 });
    const events = shop.simulate(1600, { linesPerOrder: [4, 12] });
    const batches = moduleBatches(events, 400, new Date(Date.UTC(2025, 10, 20, 8, 0, 0)));
    const sender = new PrestashopWebhookSender({ url: `http://127.0.0.1:${port}/prestashop/webhook`, secret: WEBHOOK_SECRET });

    // The first batch is applied and committed; how long it took tells when the second (same
    // size) is half-way. (SQLite's driver is synchronous: no log line leaves the process while a
    // batch applies, so the kill cannot be triggered by watching the output.)
    expect((await sender.send(batches[0]!)).status).toBe(200);
    const first = await eventually(async () => proc.processingSpan(batches[0]!.batch_id), (span) => span !== undefined, { timeoutMs: 60_000 });
    const applyMs = first!.appliedAt - first!.startedAt;
    expect((await sender.send(batches[1]!)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, applyMs * 0.4));
    await proc.kill();
    const unsent = batches.slice(2);

    const db = await openDatabase({ url: databaseUrl, entities: [...EVENT_ENTITIES, ...commerce.entities], migrations: [...KIT_MIGRATIONS, ...commerce.migrations], migrate: false, logger: createLogger({ name: 'crash-test', level: 'silent' }) });
    try {
      const statusOfBatch = async (batchId: string) =>
        (await sql(db, `select status, count(*) as n from prestashop_event where batch_id = '${batchId}' group by status`)).map((r) => r.status).sort();
      // Killed mid-transaction: the second batch is entirely pending again, nothing of it half-applied.
      expect(await statusOfBatch(batches[0]!.batch_id)).not.toContain('pending');
      expect(await statusOfBatch(batches[1]!.batch_id)).toEqual(['pending']);

      await proc.start();
      // The module sends what it could not deliver while the service was down.
      for (const batch of unsent) expect((await sender.send(batch)).status).toBe(200);
      const deadline = Date.now() + 90_000;
      while (Number((await sql(db, "select count(*) as n from prestashop_event where status = 'pending'"))[0].n) > 0) {
        if (Date.now() > deadline) throw new Error('events still pending 90 s after the restart');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }

      const statuses: Record<string, number> = Object.fromEntries((await sql(db, 'select status, count(*) as n from prestashop_event group by status')).map((r) => [r.status, Number(r.n)]));
      expect(statuses.failed).toBeUndefined();
      expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(events.length);

      // Exactly once, seen from every side: rows, lines, and the events announced on the bus.
      const shipped = shop.orders.filter((order) => order.history.some((entry) => entry.state === 4 || entry.state === 5));
      expect(Number((await sql(db, 'select count(*) as n from shop_order'))[0].n)).toBe(shop.orders.length);
      expect(Number((await sql(db, 'select count(*) as n from order_line'))[0].n)).toBe(shop.orders.reduce((sum, order) => sum + order.lines.length, 0));
      const created = await outboxSubjects(db, 'commerce.order.created');
      expect(created.length).toBe(shop.orders.length);
      expect(new Set(created).size).toBe(shop.orders.length);
      const shippedSubjects = await outboxSubjects(db, 'commerce.order.shipped');
      expect(shippedSubjects.sort()).toEqual(shipped.map((order) => `ps-${order.id}`).sort());
      const customersCreated = (await outboxData(db, 'commerce.customer.upserted')).filter((data) => data.created);
      expect(customersCreated.length).toBe(shop.customers.length);
    } finally {
      await proc.kill().catch(() => undefined);
      await db.close();
    }
  }, 180_000);
});

async function sql(db: Database, query: string): Promise<any[]> {
  return db.em().getConnection().execute(query);
}

async function outboxSubjects(db: Database, type: string): Promise<string[]> {
  return (await sql(db, `select envelope from outbox_event where type = '${type}'`)).map((row) => JSON.parse(row.envelope).subject);
}

async function outboxData(db: Database, type: string): Promise<any[]> {
  return (await sql(db, `select envelope from outbox_event where type = '${type}'`)).map((row) => JSON.parse(row.envelope).data);
}
