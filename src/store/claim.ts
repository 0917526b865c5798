// The one shape of "take due rows" on both engines: PostgreSQL locks what it picks and skips what others hold; SQLite is one writer already.
import type { SelectQueryBuilder } from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

/** Adds `FOR UPDATE SKIP LOCKED` where the engine has it, so replicas picking at once never pick the same row. */
export function skipLocked<DB extends Database, TB extends keyof DB, O>(dialect: Dialect, query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
}

/** Splits rows for multi-row inserts (SQLite caps the number of bound parameters). */
export function chunks<T>(rows: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
