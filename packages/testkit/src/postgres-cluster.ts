import { rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { registerProcessCleanup } from './cleanup.js';
import { findPostgresBinDir } from './postgres.js';
import { initAndStartCluster, postgresUser, quitPostmasterSync, quoteIdent, runTool, type RunResult } from './postgres-process.js';

/**
 * A PostgreSQL cluster this process owns and may take down and bring back at will — for chaos
 * runs, where the database has to stay down for a while and come back on the same port with the
 * same data. Unlike startPostgres() it never uses TEST_POSTGRES_URL: a server someone else runs
 * cannot be stopped. Commits are synchronous as in production; fsync is off, which only matters
 * when the machine itself crashes, not the server.
 */
export interface PostgresCluster {
  /** Superuser URL of the `postgres` database. */
  readonly adminUrl: string;
  readonly port: number;
  /** The cluster's temp dir: its data dir (`data/`, with `postmaster.pid`) and server log. Removed by destroy(). */
  readonly directory: string;
  /** True between start and stop. */
  readonly running: boolean;
  /** Create a database with exactly this name (fails if it exists) and return its URL. */
  createDatabase(name: string): Promise<string>;
  /** URL of a database of this cluster. */
  databaseUrl(name: string): string;
  /** Run one statement on a database of this cluster (a fresh connection each time). */
  query<T extends Record<string, unknown> = Record<string, unknown>>(database: string, sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Shut the server down and keep it down: `fast` (default) rolls back open transactions and
   * disconnects clients, `immediate` aborts without a checkpoint, like a crash (recovery on start).
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Start again on the same port with the same data. No-op while running. */
  start(): Promise<void>;
  /** The tail of the server log. */
  log(): Promise<string>;
  /** Stop the server (immediate) and delete its data. Idempotent. */
  destroy(): Promise<void>;
}

export interface PostgresClusterOptions {
  /** `max_connections` (default 300). */
  maxConnections?: number;
}

class Cluster implements PostgresCluster {
  readonly adminUrl: string;
  running = false;
  private destroyed = false;
  private unregisterCleanup: (() => void) | undefined;

  constructor(
    private readonly binDir: string,
    readonly directory: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
    private readonly maxConnections: number,
  ) {
    this.adminUrl = this.databaseUrl('postgres');
  }

  private get dataDir(): string {
    return join(this.directory, 'data');
  }

  private get logFile(): string {
    return join(this.directory, 'postgres.log');
  }

  databaseUrl(name: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${encodeURIComponent(name)}`;
  }

  /** Runs a PostgreSQL tool, as the `postgres` OS user when this process is root. */
  private tool(name: string, args: string[]): Promise<RunResult> {
    return runTool(this.binDir, name, args, this.directory, this.user);
  }

  async initdb(): Promise<void> {
    const result = await this.tool('initdb', ['-D', this.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    if (result.code !== 0) throw new Error(`initdb failed (exit ${result.code}):\n${result.output}`);
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error('the PostgreSQL cluster was destroyed');
    if (this.running) return;
    const options = [
      `-p ${this.port}`,
      `-k ${this.directory}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c full_page_writes=off',
      `-c max_connections=${this.maxConnections}`,
    ].join(' ');
    const result = await this.tool('pg_ctl', ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', this.logFile, '-o', options]);
    if (result.code !== 0) {
      throw new Error(`pg_ctl start failed (exit ${result.code}) on port ${this.port}:\n${result.output}\n${await this.log()}`);
    }
    this.running = true;
    this.unregisterCleanup ??= registerProcessCleanup(() => this.destroySync());
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    const result = await this.tool('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', this.dataDir]);
    if (result.code !== 0) throw new Error(`pg_ctl stop -m ${mode} failed (exit ${result.code}):\n${result.output}`);
    this.running = false;
  }

  async log(): Promise<string> {
    try {
      return (await readFile(this.logFile, 'utf8')).slice(-8000);
    } catch {
      return '';
    }
  }

  async createDatabase(name: string): Promise<string> {
    await this.query('postgres', `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`);
    return this.databaseUrl(name);
  }

  async query<T extends Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl(database), connectionTimeoutMillis: 10_000 });
    client.on('error', () => {
      /* a dropped connection surfaces through the pending query */
    });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      await this.stop('immediate');
    } finally {
      this.unregisterCleanup?.();
      this.unregisterCleanup = undefined;
      await rm(this.directory, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    }
  }

  /** At process exit or on a terminating signal: SIGQUIT (immediate shutdown), short wait, remove. */
  private destroySync(): void {
    quitPostmasterSync(this.dataDir, 3000);
    try {
      // Retries: files the server's last processes were still writing make a first pass fail (ENOTEMPTY).
      rmSync(this.directory, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    } catch {
      /* best effort */
    }
  }
}

/**
 * Initialise a throwaway cluster in a temp dir and start it on a free port (as the `postgres` OS
 * user when this process is root, like startPostgres()). Its data lives until destroy().
 */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('PostgreSQL not installed (initdb not found): apt-get install -y postgresql, or set POSTGRES_BIN_DIR');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const user = root ? postgresUser() : undefined;
  if (root && !user) throw new Error('running as root but there is no `postgres` OS user to run PostgreSQL as');
  const maxConnections = options.maxConnections ?? 300;
  return initAndStartCluster('testkit-pgcluster-', user, {
    initdb: (baseDir) => new Cluster(binDir, baseDir, 0, user, maxConnections).initdb(),
    start: async (baseDir, port) => {
      const cluster = new Cluster(binDir, baseDir, port, user, maxConnections);
      await cluster.start();
      return cluster;
    },
  });
}
