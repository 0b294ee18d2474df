import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from 'pino';
import type { MigrationClass } from './migration.js';

export type Dialect = 'sqlite' | 'postgresql';

export interface DatabaseOptions {
  /** `sqlite:<file>` (`sqlite::memory:` for a private in-memory DB) or `postgres://…`. */
  url: string;
  entities: Function[];
  /** Ordered, checked-in migrations. Names must be unique and sort in order of application. */
  migrations: { name: string; class: MigrationClass }[];
  logger?: Logger;
  /** Apply pending migrations on open (the default; the k8s migration Job sets it too). */
  migrate?: boolean;
  /** Called with every SQL statement (tests count queries to prove batching). */
  onQuery?: (sql: string) => void;
}

export interface Database {
  orm: MikroORM;
  dialect: Dialect;
  /** A fresh, request-scoped entity manager. */
  em(): EntityManager;
  /** `true` when reachable and no migration is pending, else the reason. */
  check(): Promise<true | string>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function parseDatabaseUrl(url: string): { dialect: Dialect; target: string } {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file) throw new Error('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/app.sqlite');
    return { dialect: 'sqlite', target: file === ':memory:' ? file : resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgresql', target: url };
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const { dialect, target } = parseDatabaseUrl(options.url);
  const common: Options = {
    entities: options.entities,
    extensions: [Migrator],
    // Defaults live in the migrations; entity initializers only set values for new objects.
    discovery: { requireEntitiesArray: true, disableDynamicFileAccess: true, inferDefaultValues: false },
    migrations: {
      migrationsList: options.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: options.onQuery ? ['query'] : false,
    colors: false,
    logger: (message) => {
      if (options.onQuery) options.onQuery(message);
      else options.logger?.debug({ orm: true }, message);
    },
  };
  let orm: MikroORM;
  if (dialect === 'sqlite') {
    if (target !== ':memory:') mkdirSync(dirname(target), { recursive: true });
    orm = await MikroORM.init({ ...common, driver: BetterSqliteDriver, dbName: target });
    const connection = orm.em.getConnection();
    // WAL lets readers run during a write; busy_timeout makes a second process wait instead of failing.
    await connection.execute('pragma journal_mode = WAL');
    await connection.execute('pragma busy_timeout = 5000');
    await connection.execute('pragma foreign_keys = ON');
  } else {
    orm = await MikroORM.init({
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: target,
      pool: { min: 0, max: 10 },
    });
  }

  const migrator = orm.getMigrator();
  const db: Database = {
    orm,
    dialect,
    em: () => orm.em.fork(),
    async migrate() {
      const applied = await migrator.up();
      return applied.map((m) => m.name);
    },
    async check() {
      try {
        await orm.em.getConnection().execute('select 1');
      } catch (error) {
        return `database unreachable: ${(error as Error).message}`;
      }
      const pending = await migrator.getPendingMigrations();
      return pending.length === 0 ? true : `${pending.length} migration(s) pending`;
    },
    close: () => orm.close(true),
  };
  if (options.migrate !== false) await db.migrate();
  return db;
}
