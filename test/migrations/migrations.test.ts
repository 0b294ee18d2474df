import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_ENTITIES, KIT_MIGRATIONS, openDatabase } from '@switchboard/kit';
import { startPostgres, type PostgresHandle } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../../scripts/lib/subgraphs.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-migrations-'));
let postgres: PostgresHandle | undefined;
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function databaseUrl(dialect: 'sqlite' | 'postgres', name: string): Promise<string> {
  if (dialect === 'sqlite') return `sqlite:${join(dir, `${name}.sqlite`)}`;
  postgres ??= await startPostgres();
  return postgres.createDatabase(name);
}

describe.each(['sqlite', 'postgres'] as const)('checked-in migrations on %s', (dialect) => {
  it.each(SUBGRAPHS.map((s) => [s.name, s] as const))('%s: apply cleanly, match the entities, and re-run as a no-op', async (name, definition) => {
    const url = await databaseUrl(dialect, name);
    const options = {
      url,
      entities: [...EVENT_ENTITIES, ...definition.entities],
      migrations: [...KIT_MIGRATIONS, ...definition.migrations],
    };
    const first = await openDatabase(options);
    expect(await first.check()).toBe(true);
    if (dialect === 'postgres') {
      // The entities and the migrations describe the same schema: nothing left to generate.
      // (Checked on PostgreSQL only: SQLite's loose column types make MikroORM's diff noisy.)
      const drift = await first.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: true });
      expect(drift.trim()).toBe('');
    }
    await first.close();

    const second = await openDatabase(options);
    expect(await second.migrate()).toEqual([]);
    await second.close();
  });
});
