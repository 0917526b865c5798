// A slice of a feed's subscribers by chat id: a large fan-out goes slice by slice, each its own short statement.
import { sql, type RawBuilder } from 'kysely';

/** A slice of a feed's subscribers by chat id: `after` < chat_id <= `upTo` (either end open when absent). */
export interface ChatSlice {
  after?: number | undefined;
  upTo?: number | undefined;
}

/** The slice's bounds on `column` as `AND …` conditions (none for an open end, so each end can use the index). */
export function inSlice(column: string, slice: ChatSlice | undefined): RawBuilder<unknown> {
  const after = slice?.after !== undefined ? sql` AND ${sql.ref(column)} > ${slice.after}` : sql``;
  const upTo = slice?.upTo !== undefined ? sql` AND ${sql.ref(column)} <= ${slice.upTo}` : sql``;
  return sql`${after}${upTo}`;
}
