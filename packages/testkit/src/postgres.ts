import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { registerProcessCleanup } from './cleanup.js';
import { dirWithPrograms, isExecutable, pathDirs } from './executables.js';
import { initAndStartCluster, isRoot, postgresUser, quitPostmasterSync, quoteIdent, runTool, type RunResult } from './postgres-process.js';

/**
 * Env var with an admin URL of an already running server (e.g.
 * `postgres://postgres@127.0.0.1:5432/postgres`). When set, no cluster is started.
 */
export const TEST_POSTGRES_URL_ENV = 'TEST_POSTGRES_URL';

export interface StartPostgresOptions {
  /**
   * Share one throwaway cluster among all handles of this process (default true).
   * Pass false to get a private cluster, e.g. for a test that calls restart().
   * Ignored when TEST_POSTGRES_URL is set.
   */
  shared?: boolean;
}

export interface PostgresHandle {
  /** Superuser URL of the `postgres` database. */
  readonly adminUrl: string;
  /** True when the server comes from TEST_POSTGRES_URL (not started by the testkit). */
  readonly external: boolean;
  /**
   * Create a new empty database with a unique name (`<prefix>_<random>`) and
   * return its URL. It is dropped by stop().
   */
  createDatabase(prefix?: string): Promise<string>;
  /**
   * Drop the databases created through this handle, then stop the cluster when
   * this process started it and no other handle still uses it. Never stops an
   * external TEST_POSTGRES_URL server. Idempotent.
   */
  stop(): Promise<void>;
  /**
   * Own cluster: fast shutdown and start again on the same port with the same
   * data (every client connection is dropped). With the default shared cluster
   * this affects every handle of the process; use `shared: false` to isolate. External server: it cannot be
   * restarted, so the backends connected to databases of this handle are
   * terminated instead, which is what a client sees of a restart.
   */
  restart(): Promise<void>;
}

// ---------------------------------------------------------------------------
// binaries

/** Directory holding initdb/pg_ctl/postgres, or undefined. */
export function findPostgresBinDir(): string | undefined {
  const fromEnv = process.env['POSTGRES_BIN_DIR'];
  if (fromEnv) return isExecutable(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const candidates: string[] = [];
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    /* not Debian-style */
  }
  return dirWithPrograms([...candidates, ...pathDirs()], ['initdb', 'pg_ctl']);
}

/**
 * True when startPostgres() can work: TEST_POSTGRES_URL is set, or initdb is
 * installed (and, when running as root, the `postgres` OS user exists).
 */
export function postgresAvailable(): boolean {
  if (process.env[TEST_POSTGRES_URL_ENV]) return true;
  if (!findPostgresBinDir()) return false;
  return !isRoot() || postgresUser() !== undefined;
}

// ---------------------------------------------------------------------------
// throwaway cluster

class LocalCluster {
  readonly adminUrl: string;
  private running = false;
  private unregisterCleanup: (() => void) | undefined;

  private constructor(
    private readonly binDir: string,
    private readonly baseDir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {
    this.adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  private get dataDir(): string {
    return join(this.baseDir, 'data');
  }

  private get logFile(): string {
    return join(this.baseDir, 'postgres.log');
  }

  /** Runs a postgres binary, as the `postgres` OS user when this process is root. */
  private async pgRun(tool: string, args: string[]): Promise<RunResult> {
    return runTool(this.binDir, tool, args, this.baseDir, this.user);
  }

  private pgCtlStartArgs(): string[] {
    const serverOptions = [
      `-p ${this.port}`,
      `-k ${this.baseDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    return ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', this.logFile, '-o', serverOptions];
  }

  static async create(): Promise<LocalCluster> {
    const binDir = findPostgresBinDir();
    if (!binDir) {
      throw new Error(
        'PostgreSQL not installed (initdb not found): apt-get install -y postgresql, ' +
          `or set ${TEST_POSTGRES_URL_ENV} to an admin URL of a running server`,
      );
    }
    let user: { uid: number; gid: number } | undefined;
    if (isRoot()) {
      user = postgresUser();
      if (!user) throw new Error('running as root but there is no `postgres` OS user to run initdb as');
    }
    return initAndStartCluster('testkit-pg-', user, {
      initdb: (baseDir) => new LocalCluster(binDir, baseDir, 0, user).initdb(),
      start: async (baseDir, port) => {
        const cluster = new LocalCluster(binDir, baseDir, port, user);
        await cluster.start();
        return cluster;
      },
    });
  }

  private async initdb(): Promise<void> {
    const res = await this.pgRun('initdb', [
      '-D', this.dataDir,
      '-U', 'postgres',
      '-A', 'trust',
      '-E', 'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    if (res.code !== 0) throw new Error(`initdb failed (exit ${res.code}):\n${res.output}`);
  }

  async start(): Promise<void> {
    const res = await this.pgRun('pg_ctl', this.pgCtlStartArgs());
    if (res.code !== 0) {
      let log = '';
      try {
        log = (await readFile(this.logFile, 'utf8')).slice(-4000);
      } catch {
        /* no log */
      }
      throw new Error(`pg_ctl start failed (exit ${res.code}) on port ${this.port}:\n${res.output}\n${log}`);
    }
    this.running = true;
    this.unregisterCleanup ??= registerProcessCleanup(() => this.destroySync());
  }

  async stopServer(): Promise<void> {
    if (!this.running) return;
    const res = await this.pgRun('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', this.dataDir]);
    if (res.code !== 0) throw new Error(`pg_ctl stop failed (exit ${res.code}):\n${res.output}`);
    this.running = false;
  }

  async restart(): Promise<void> {
    await this.stopServer();
    await this.start();
  }

  async destroy(): Promise<void> {
    try {
      await this.stopServer();
    } finally {
      this.unregisterCleanup?.();
      this.unregisterCleanup = undefined;
      await rm(this.baseDir, { recursive: true, force: true });
    }
  }

  /**
   * Synchronous best-effort cleanup for process exit / worker termination:
   * immediate shutdown (SIGQUIT to the postmaster), short wait, remove the dir.
   */
  private destroySync(): void {
    quitPostmasterSync(this.dataDir, 300);
    try {
      rmSync(this.baseDir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  }
}

// One shared cluster per process, reference-counted by the handles using it.
let shared: { cluster: Promise<LocalCluster>; refs: number } | undefined;

async function acquireShared(): Promise<{ cluster: LocalCluster; release: () => Promise<void> }> {
  if (!shared) {
    const entry = { cluster: LocalCluster.create(), refs: 0 };
    shared = entry;
    entry.cluster.catch(() => {
      if (shared === entry) shared = undefined;
    });
  }
  const entry = shared;
  entry.refs++;
  let cluster: LocalCluster;
  try {
    cluster = await entry.cluster;
  } catch (err) {
    entry.refs--;
    throw err;
  }
  return {
    cluster,
    release: async () => {
      entry.refs--;
      if (entry.refs === 0) {
        if (shared === entry) shared = undefined;
        await cluster.destroy();
      }
    },
  };
}

// ---------------------------------------------------------------------------
// handle

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {
    /* a dropped admin connection surfaces through the pending query instead */
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let dbCounter = 0;

class Handle implements PostgresHandle {
  private readonly databases = new Set<string>();
  private stopped = false;

  constructor(
    readonly adminUrl: string,
    readonly external: boolean,
    private readonly cluster: LocalCluster | undefined,
    private readonly release: () => Promise<void>,
  ) {}

  async createDatabase(prefix = 'test'): Promise<string> {
    if (this.stopped) throw new Error('PostgresHandle was stopped');
    const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z_]/, '_$&').slice(0, 30);
    const name = `${clean}_${process.pid}_${++dbCounter}_${randomBytes(4).toString('hex')}`;
    // template0: nobody is ever connected to it, so concurrent CREATE DATABASEs don't collide.
    await withAdmin(this.adminUrl, (c) =>
      c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`),
    );
    this.databases.add(name);
    return databaseUrl(this.adminUrl, name);
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error('PostgresHandle was stopped');
    if (this.cluster) {
      await this.cluster.restart();
      return;
    }
    const names = [...this.databases];
    if (names.length === 0) return;
    await withAdmin(this.adminUrl, (c) =>
      c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()',
        [names],
      ),
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const names = [...this.databases];
    this.databases.clear();
    try {
      if (names.length > 0) {
        await withAdmin(this.adminUrl, async (c) => {
          for (const name of names) {
            await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
          }
        });
      }
    } finally {
      await this.release();
    }
  }
}

/**
 * A PostgreSQL server for tests. Uses the server at TEST_POSTGRES_URL when set;
 * otherwise starts (once per process, unless `shared: false`) a throwaway
 * cluster in a temp dir on a free port with fsync off and trust auth.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const externalUrl = process.env[TEST_POSTGRES_URL_ENV];
  if (externalUrl) {
    // Fail early with a clear message when the server is not reachable.
    await withAdmin(externalUrl, (c) => c.query('SELECT 1'));
    return new Handle(externalUrl, true, undefined, async () => undefined);
  }
  if (options.shared === false) {
    const cluster = await LocalCluster.create();
    return new Handle(cluster.adminUrl, false, cluster, () => cluster.destroy());
  }
  const { cluster, release } = await acquireShared();
  return new Handle(cluster.adminUrl, false, cluster, release);
}
