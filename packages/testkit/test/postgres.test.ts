import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, startPostgres, type PostgresHandle } from '../src/index.js';

// On CI .ci/run provides TEST_POSTGRES_URL: never skip silently there.
const skip = !postgresAvailable() && !process.env['CI'];

describe.skipIf(skip)('startPostgres', () => {
  let pgHandle: PostgresHandle;
  const clients: pg.Client[] = [];

  async function client(url: string): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  async function databaseExists(name: string): Promise<boolean> {
    const admin = await client(pgHandle.adminUrl);
    const res = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return res.rowCount === 1;
  }

  beforeAll(async () => {
    pgHandle = await startPostgres();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });

  afterAll(async () => {
    await pgHandle?.stop();
  });

  it('creates two distinct, usable, isolated databases', async () => {
    expect(pgHandle.external).toBe(Boolean(process.env['TEST_POSTGRES_URL']));
    const urlA = await pgHandle.createDatabase('orders');
    const urlB = await pgHandle.createDatabase('orders');
    expect(urlA).not.toBe(urlB);

    const a = await client(urlA);
    const b = await client(urlB);
    expect((await a.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect((await b.query('select 1 as one')).rows).toEqual([{ one: 1 }]);

    const nameA = (await a.query<{ db: string }>('select current_database() as db')).rows[0]?.db;
    const nameB = (await b.query<{ db: string }>('select current_database() as db')).rows[0]?.db;
    expect(nameA).toMatch(/^orders_/);
    expect(nameB).toMatch(/^orders_/);
    expect(nameA).not.toBe(nameB);

    await a.query('create table t (id int primary key)');
    await a.query('insert into t values (1)');
    const inB = await b.query("select to_regclass('public.t') as t");
    expect(inB.rows[0]).toEqual({ t: null });
  });

  it('stop() drops the databases created through that handle only', async () => {
    const other = await startPostgres();
    const url = await other.createDatabase('dropme');
    const name = new URL(url).pathname.slice(1);
    const c = await client(url); // left connected on purpose: the drop must force it
    await c.query('select 1');
    expect(await databaseExists(name)).toBe(true);
    await other.stop();
    expect(await databaseExists(name)).toBe(false);
    await other.stop(); // idempotent
    await expect(other.createDatabase()).rejects.toThrow(/stopped/);
    // the first handle still works
    expect((await (await client(pgHandle.adminUrl)).query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('restart() drops live connections and keeps the data', async () => {
    const own = await startPostgres({ shared: false });
    try {
      const url = await own.createDatabase('restart');
      const before = await client(url);
      await before.query('create table kept (v text)');
      await before.query("insert into kept values ('still here')");
      await own.restart();
      await expect(before.query('select 1')).rejects.toThrow();
      const after = await client(url);
      expect((await after.query('select v from kept')).rows).toEqual([{ v: 'still here' }]);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
      await own.stop();
    }
  });
});
