// Opens the database STORE_URL names: SQLite (embedded, one file, WAL) or PostgreSQL (one or several replicas), behind one Kysely.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
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
  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
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
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
  return { dialect: 'sqlite', kysely, close: () => kysely.destroy() };
}

async function openPostgres(url: string): Promise<Db> {
  const { default: pg } = await import('pg');
  // int8 columns (Telegram ids, epoch ms) come back as strings by default; every value we store fits a JS number.
  pg.types.setTypeParser(20, Number);
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {}); // an idle client's dropped connection; the next query reconnects
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await kysely.destroy().catch(() => {});
    throw new StoreError(`cannot reach PostgreSQL at ${hostOf(url)}: ${(cause as Error).message}`, { cause });
  }
  return { dialect: 'postgres', kysely, close: () => kysely.destroy() };
}

export async function openDatabase(url: string): Promise<Db> {
  return dialectOf(url) === 'sqlite' ? openSqlite(url) : openPostgres(url);
}
