// Deletes what has outlived its use a bounded batch at a time, yielding between batches: a prune never holds the event loop or a lock for long.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

/** Rows deleted per statement. */
export const PRUNE_BATCH = 2000;

/**
 * Deletes the rows of `table` matching `where` (raw SQL over the table's own columns), PRUNE_BATCH at a time (`rowid` on SQLite,
 * `ctid` on PostgreSQL), until none is left; returns how many went.
 */
export async function pruneInBatches(db: Kysely<Database>, dialect: Dialect, table: keyof Database, where: RawBuilder<unknown>, batch = PRUNE_BATCH): Promise<number> {
  const rowId = sql.raw(dialect === 'postgres' ? 'ctid' : 'rowid');
  const name = sql.table(table);
  let total = 0;
  for (;;) {
    const r = await sql`DELETE FROM ${name} WHERE ${rowId} IN (SELECT ${rowId} FROM ${name} WHERE ${where} LIMIT ${batch})`.execute(db);
    const n = Number(r.numAffectedRows ?? 0);
    total += n;
    if (n < batch) return total;
    await new Promise((resolve) => setImmediate(resolve)); // let updates and sends through between batches
  }
}
