// The one shape of "take due rows" on both engines: owned holds on the database's clock, PostgreSQL's SKIP LOCKED, bounded chunks.
import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

/**
 * Who holds a claimed row, and for how long without a heartbeat. `owner` is one process's id for this run: a row is recorded only
 * by its owner, and taken by another worker only once its owner stopped renewing.
 */
export interface Claimant {
  owner: string;
  holdMs: number;
}

/**
 * The database's clock in epoch ms: every hold and lease is compared against it, so replicas whose own clocks differ agree on
 * when a hold has lapsed (on SQLite the machine's clock, the one process's anyway).
 */
export function dbNow(dialect: Dialect): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`CAST(extract(epoch from clock_timestamp()) * 1000 AS BIGINT)`
    : sql<number>`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
}

/** `dbNow + ms`, for a hold's end. */
export function dbNowPlus(dialect: Dialect, ms: number): RawBuilder<number> {
  return sql<number>`(${dbNow(dialect)} + ${Math.round(ms)})`;
}

/** A claim let go without an outcome gives its attempt back (never below 0): `column - 1`. */
export function attemptGivenBack(column: 'attempts' | 'poll_attempts'): RawBuilder<number> {
  return sql<number>`CASE WHEN ${sql.ref(column)} > 0 THEN ${sql.ref(column)} - 1 ELSE 0 END`;
}

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
