import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinDir, startPostgresCluster, type PostgresCluster } from '../src/index.js';

// On CI the PostgreSQL binaries are there (.ci/run installs them): never skip silently.
const skip = !findPostgresBinDir() && !process.env['CI'];

describe.skipIf(skip)('startPostgresCluster', () => {
  let cluster: PostgresCluster;
  let url: string;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    url = await cluster.createDatabase('outage_test');
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('serves a database with the exact name asked for', async () => {
    expect(url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/outage_test`);
    await cluster.query('outage_test', 'create table item (id int primary key, name text not null)');
    await cluster.query('outage_test', 'insert into item values ($1, $2)', [1, 'first']);
    expect(await cluster.query('outage_test', 'select current_database() as db')).toEqual([{ db: 'outage_test' }]);
    await expect(cluster.createDatabase('outage_test')).rejects.toThrow(/already exists/);
  });

  it('stays down after stop() and comes back with its data on the same port', async () => {
    const port = cluster.port;
    await cluster.stop();
    expect(cluster.running).toBe(false);
    await expect(cluster.query('outage_test', 'select 1')).rejects.toThrow(/ECONNREFUSED/);
    await cluster.stop(); // already down: nothing to do

    await cluster.start();
    expect(cluster.running).toBe(true);
    expect(cluster.port).toBe(port);
    expect(await cluster.query('outage_test', 'select name from item')).toEqual([{ name: 'first' }]);
  });

  it('an immediate stop is a crash: committed rows survive the recovery', async () => {
    await cluster.query('outage_test', 'insert into item values ($1, $2)', [2, 'committed just before']);
    await cluster.stop('immediate');
    await cluster.start();
    expect(await cluster.query('outage_test', 'select id from item order by id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await cluster.log()).toMatch(/database system was (interrupted|not properly shut down)/);
  });

  it('destroy() stops it and removes its directory', async () => {
    const other = await startPostgresCluster();
    expect(other.port).not.toBe(cluster.port);
    expect(existsSync(other.directory)).toBe(true);
    await other.destroy();
    expect(existsSync(other.directory)).toBe(false);
    await other.destroy(); // idempotent
    await expect(other.start()).rejects.toThrow(/destroyed/);
  });
});
