// Opens the database STORE_URL names: SQLite (embedded, one file, WAL) or PostgreSQL (one or several replicas), behind one Kysely.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  dialect: Dialect;
  kysely: Kysely<Database>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * The database cannot be reached or answered with a connection fault (refused, reset, terminated, a pool that cannot connect,
 * SQLite busy past its timeout): nobody's work is at fault, so it is never counted against a feed, a job or a digest.
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (/^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|SQLITE_BUSY|SQLITE_LOCKED)/.test(code) || /^(08|57P)/.test(code))) return true;
    if (typeof message === 'string' && /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|database is locked|terminating connection|the database system is (starting up|shutting down)/i.test(message)) return true;
  }
  return false;
}

/** Which engine a STORE_URL names; `redis://` was a store in 0.1 and is refused with a pointer to PostgreSQL. */
export function dialectOf(url: string): Dialect {
  if (url.startsWith('sqlite://')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (/^rediss?:\/\//.test(url)) {
    throw new StoreError('STORE_URL=redis:// is no longer a store: use postgres://USER@HOST/DB for several replicas, or sqlite://PATH for one process');
  }
  throw new StoreError('STORE_URL must start with sqlite:// or postgres://');
}

/** Where the host of a URL is, for messages (never the password). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

/**
 * SQLite transactions that read and then write fail at once ("database is locked") when another process (the CLI beside the bot)
 * writes meanwhile; taking the write lock at BEGIN makes them wait their turn instead (busy_timeout).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  /** SQLite runs DDL inside transactions: a migration that dies half way leaves nothing half done. */
  override createAdapter(): DialectAdapter {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl() {
        return true;
      }
    })();
  }

  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/** Statements kept prepared: the hot queries' SQL is the same text each time (IN lists of a few lengths aside). */
const STATEMENTS_KEPT = 500;

/**
 * better-sqlite3 compiles a statement on every `prepare`, and Kysely prepares one per query: the same SQL text reuses its
 * statement here (least recently used dropped past STATEMENTS_KEPT). Safe because a statement runs to the end before the next
 * query (`all` and `run` are synchronous, and nothing streams).
 */
export function keepStatements(database: SqliteDatabase, kept = STATEMENTS_KEPT): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text) {
      let statement = statements.get(text);
      if (statement) statements.delete(text); // re-inserted below: the most recently used come last
      else statement = database.prepare(text);
      statements.set(text, statement);
      if (statements.size > kept) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}

async function openSqlite(url: string): Promise<Db> {
  const { default: Sqlite } = await import('better-sqlite3');
  let path = url.slice('sqlite://'.length);
  if (path !== ':memory:') {
    path = resolve(path);
    mkdirSync(dirname(path), { recursive: true });
  }
  const database = new Sqlite(path, { timeout: 10_000 });
  // WAL + NORMAL: durable across process crashes, thousands of small writes a second; a second process (the CLI) waits instead of failing.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 10000');
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: keepStatements(database) }) });
  return { dialect: 'sqlite', kysely, close: () => kysely.destroy() };
}

export interface OpenOptions {
  /** PostgreSQL connections: what the stages use at once (polls, digests, jobs, sends, leases), so work waits for none. */
  poolSize?: number;
}

async function openPostgres(url: string, options: OpenOptions): Promise<Db> {
  const { default: pg } = await import('pg');
  // int8 columns (Telegram ids, epoch ms) come back as strings by default; every value we store fits a JS number.
  pg.types.setTypeParser(20, Number);
  // Waiting for a free connection is not a failure of the work that waits: give it time (a cut connection fails at once anyway).
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 15_000 });
  // A connection cut while idle is reported on the pool, one cut while a client is checked out on that client: with no
  // listener there, Node turns it into an uncaught 'error' that kills the process. The query in progress fails on its own.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await kysely.destroy().catch(() => {});
    throw new StoreError(`cannot reach PostgreSQL at ${hostOf(url)}: ${(cause as Error).message}`, { cause });
  }
  return { dialect: 'postgres', kysely, close: () => kysely.destroy() };
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Db> {
  return dialectOf(url) === 'sqlite' ? openSqlite(url) : openPostgres(url, options);
}
