import pg from 'pg';
import { redactDsn } from './dsn-guard.js';

/** Reading the app's database failed: unreachable, or its schema is not what the reader expects. */
export class SourceReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceReadError';
  }
}

/** What tells two PostgreSQL databases apart once connected (see SourceDatabase.connect). */
export interface ServerIdentity {
  database: string;
  port: string;
  startedAt: string;
}

export const SERVER_IDENTITY_SQL =
  "select current_database() as database, current_setting('port') as port, extract(epoch from pg_postmaster_start_time())::text as started_at";

const READS = /^\s*(SELECT|WITH|SHOW|FETCH|CLOSE|COMMIT|DECLARE\s+\w+\s+NO\s+SCROLL\s+CURSOR\s+FOR\s+(SELECT|WITH)|BEGIN\s+TRANSACTION\s+ISOLATION\s+LEVEL\s+REPEATABLE\s+READ\s+READ\s+ONLY)\b/i;

// `timestamp without time zone` values are read as UTC instants, whatever the reader's zone.
const TIMESTAMP_OID = 1114;
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP_OID) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface SourceSessionOptions {
  dsn: string;
  /** Billing's own server identity when it runs on PostgreSQL: the source must differ. */
  ownIdentity?: ServerIdentity;
  statementTimeoutMs?: number;
  /** Names the source in errors (the service code). */
  label: string;
}

/**
 * A read-only session on an app's PostgreSQL. Read-only twice over: the connection starts with
 * `default_transaction_read_only=on` and the session is then set `READ ONLY`, so even a
 * misconfigured role with write grants cannot change the app's data through us.
 */
export class SourceDatabase {
  private constructor(private readonly client: pg.Client, readonly label: string) {}

  static async connect(options: SourceSessionOptions): Promise<SourceDatabase> {
    const timeout = options.statementTimeoutMs ?? 120_000;
    const client = new pg.Client({
      connectionString: options.dsn,
      application_name: 'switchboard-billing-reader',
      options: `-c default_transaction_read_only=on -c statement_timeout=${timeout}`,
      connectionTimeoutMillis: 10_000,
      types,
    });
    client.on('error', () => undefined); // a dropped connection surfaces on the next query
    try {
      await client.connect();
    } catch (error) {
      throw new SourceReadError(`could not connect to the ${options.label} database (${redactDsn(options.dsn)}): ${(error as Error).message}`);
    }
    const session = new SourceDatabase(client, options.label);
    try {
      await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      const readOnly = await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
      if (readOnly.rows[0]?.transaction_read_only !== 'on') throw new SourceReadError(`the ${options.label} session is not read-only`);
      if (options.ownIdentity) {
        const identity = await session.identity();
        if (identity.database === options.ownIdentity.database && identity.port === options.ownIdentity.port && identity.startedAt === options.ownIdentity.startedAt) {
          throw new SourceReadError(`the ${options.label} source DSN reaches billing's own database; it must name the app's database`);
        }
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error instanceof SourceReadError ? error : new SourceReadError(`could not open a read-only session on the ${options.label} database: ${(error as Error).message}`);
    }
    return session;
  }

  async identity(): Promise<ServerIdentity> {
    const result = await this.client.query<{ database: string; port: string; started_at: string }>(SERVER_IDENTITY_SQL);
    const row = result.rows[0]!;
    return { database: row.database, port: row.port, startedAt: row.started_at };
  }

  /**
   * Run a read; a failure names what was being read and suggests a schema change. Only reads and
   * the cursor statements around them are sent: an explicit `BEGIN READ WRITE` could override the
   * session default, so nothing else leaves this class (the app's read-only role is the third line).
   */
  async query<T extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = []): Promise<T[]> {
    if (!READS.test(sql) || /;\s*\S/.test(sql)) throw new SourceReadError(`refusing to send a statement that is not a single read to the ${this.label} database`);
    try {
      const result = await this.client.query<T>(sql, params);
      return result.rows;
    } catch (error) {
      throw new SourceReadError(`failed reading ${this.label} ${what} — has the schema changed? ${(error as Error).message}`);
    }
  }

  /**
   * Stream a large SELECT in pages through a server-side cursor, inside one read-only
   * transaction: every page comes from the same snapshot, memory stays bounded.
   */
  async *pages<T extends pg.QueryResultRow>(what: string, sql: string, params: unknown[], pageSize: number): AsyncGenerator<T[]> {
    const cursor = `switchboard_${what.replace(/\W+/g, '_')}`;
    await this.query(what, 'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      await this.query(what, `DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const rows = await this.query<T>(what, `FETCH ${pageSize} FROM ${cursor}`);
        if (rows.length === 0) break;
        yield rows;
        if (rows.length < pageSize) break;
      }
      await this.query(what, `CLOSE ${cursor}`);
    } finally {
      await this.client.query('COMMIT').catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** Billing's own server identity, when its database is PostgreSQL (compared by connect()). */
export async function ownServerIdentity(execute: (sql: string) => Promise<Record<string, unknown>[]>): Promise<ServerIdentity> {
  const row = (await execute(SERVER_IDENTITY_SQL))[0]!;
  return { database: String(row['database']), port: String(row['port']), startedAt: String(row['started_at']) };
}
