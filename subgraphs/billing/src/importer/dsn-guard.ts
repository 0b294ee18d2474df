/**
 * The DSN guard (pure): the importer reads another app's PostgreSQL, never billing's own database.
 * A missing DSN, a non-PostgreSQL one, or one naming the same server and database as
 * `DATABASE_URL` is refused with a message naming the variable. (After connecting, the source
 * session compares server identities too: two spellings of one host are caught there.)
 */

export class SourceDsnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceDsnError';
  }
}

interface Target {
  host: string;
  port: string;
  database: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '']);

function targetOf(url: string): Target | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = decodeURIComponent(parsed.hostname).toLowerCase();
  const user = decodeURIComponent(parsed.username);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  return { host: LOOPBACK.has(host) ? 'loopback' : host, port: parsed.port || '5432', database };
}

/** Returns the DSN when it may be used as a source, else throws naming `variable`. */
export function guardSourceDsn(dsn: string | undefined, ownDatabaseUrl: string, variable: string): string {
  const value = (dsn ?? '').trim();
  if (!value) {
    throw new SourceDsnError(`${variable} is not set: give it a read-only PostgreSQL connection string of the app's database`);
  }
  if (!/^postgres(ql)?:\/\//.test(value)) throw new SourceDsnError(`${variable} must be a postgres:// connection string`);
  const source = targetOf(value);
  if (!source || !source.database) throw new SourceDsnError(`${variable} is not a valid connection string (it needs a host and a database)`);
  if (/^postgres(ql)?:\/\//.test(ownDatabaseUrl)) {
    const own = targetOf(ownDatabaseUrl);
    if (own && own.host === source.host && own.port === source.port && own.database === source.database) {
      throw new SourceDsnError(`${variable} points at billing's own database (DATABASE_URL); it must name the app's database`);
    }
  }
  return value;
}

/** The DSN without its password, for logs and run records. */
export function redactDsn(dsn: string): string {
  try {
    const url = new URL(dsn);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable DSN)';
  }
}
