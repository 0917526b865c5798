// The filter_terms and filter_drops tables: a chat's filters as one row per term, matched inside the fan-out's statements, and what they kept out.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FilterSign, FilterTerm } from '../core/feedFilter.js';
import type { Dialect } from './database.js';
import { inSlice, type ChatSlice } from './chatSlice.js';
import { pruneInBatches } from './prune.js';
import type { Database } from './schema.js';

/** The scope of a filter on all of a chat's feeds (a feed's own filter has the feed's id). */
export const ALL_FEEDS = '*';

const DAY_MS = 24 * 3_600_000;
/** /list counts what filters kept out, and /tags what was written, over this window. */
export const FILTER_WINDOW_MS = 7 * DAY_MS;
/** Days since the epoch (UTC), the unit filter_drops counts in. */
export const dayOf = (at: number) => Math.floor(at / DAY_MS);

export type AddResult = 'added' | 'already' | 'limit';

export interface FilterQueries {
  /** The chat's filters by scope (a feed's id, or ALL_FEEDS), terms in the order they were set. */
  ofChat(chatId: number): Promise<Map<string, FilterTerm[]>>;
  /** Sets one filter to exactly these terms (an empty list clears it): whole, whoever sets it at the same time. */
  replace(chatId: number, scope: string, terms: FilterTerm[], now: number): Promise<void>;
  /** Adds one term unless the filter holds `max` terms already (one statement: two presses at once cannot pass the limit together). */
  add(chatId: number, scope: string, term: FilterTerm, now: number, max: number): Promise<AddResult>;
  /** Articles each filter kept out since `sinceDay` (days since the epoch), by feed and scope. */
  dropsOfChat(chatId: number, sinceDay: number): Promise<Array<{ feedId: string; scope: string; n: number }>>;
  /**
   * Counts the article as kept out for every active, not muted subscriber in the slice whose filters reject it (`text`: the
   * article's filter text); one statement. Returns how many.
   */
  countDrops(d: { feedId: string; text: string; day: number; chats?: ChatSlice }): Promise<number>;
  /** Forgets counts of days before `beforeDay`. */
  pruneDrops(beforeDay: number): Promise<number>;
}

/** `text` contains `needle`: plain substring search on both engines (no pattern syntax, linear time). */
function contains(dialect: Dialect, text: string, needle: RawBuilder<unknown>): RawBuilder<boolean> {
  return dialect === 'postgres' ? sql<boolean>`strpos(CAST(${text} AS TEXT), ${needle}) > 0` : sql<boolean>`instr(${text}, ${needle}) > 0`;
}

/**
 * The filter rule as SQL conditions on a subscription `s`, for an article whose filter text is `text`: a filter rejects the
 * article when one of its `-` terms is found, or when it has `+` terms and none is found. A subscription's own filter and its
 * chat's filter on all feeds both apply. A chat without filters costs one index probe.
 */
export function filterConditions(dialect: Dialect, text: string) {
  const terms = (scope: RawBuilder<unknown>, sign: FilterSign, found: boolean) =>
    sql<boolean>`EXISTS (SELECT 1 FROM filter_terms f WHERE f.chat_id = s.chat_id AND f.scope = ${scope} AND f.sign = ${sign}${
      found ? sql` AND ${contains(dialect, text, sql.ref('f.needle'))}` : sql``
    })`;
  const rejects = (scope: RawBuilder<unknown>) => sql<boolean>`(${terms(scope, '-', true)} OR (${terms(scope, '+', false)} AND NOT ${terms(scope, '+', true)}))`;
  const ownScope = sql.ref('s.feed_id');
  const allScope = sql`CAST(${ALL_FEEDS} AS TEXT)`;
  const unfiltered = sql<boolean>`NOT EXISTS (SELECT 1 FROM filter_terms f WHERE f.chat_id = s.chat_id)`;
  return {
    /** The subscription lets the article through. */
    passes: sql<boolean>`(${unfiltered} OR NOT (${rejects(ownScope)} OR ${rejects(allScope)}))`,
    /** The subscription's filters keep it out. */
    rejected: sql<boolean>`(NOT ${unfiltered} AND (${rejects(ownScope)} OR ${rejects(allScope)}))`,
    /** Which filter kept it out (the feed's own first). */
    rejectedBy: sql<string>`CASE WHEN ${rejects(ownScope)} THEN s.feed_id ELSE ${allScope} END`,
  };
}

/** A subscription's effective mode: its own, else its chat's (a chat not known yet: instant). */
export const effectiveMode = sql<string>`COALESCE(s.mode, c.mode, 'instant')`;

export function createFilterQueries(db: Kysely<Database>, dialect: Dialect): FilterQueries {
  return {
    async ofChat(chatId) {
      const rows = await db.selectFrom('filter_terms').selectAll().where('chat_id', '=', chatId).orderBy('created_at').orderBy('sign').orderBy('needle').execute();
      const out = new Map<string, FilterTerm[]>();
      for (const r of rows) {
        const list = out.get(r.scope) ?? [];
        list.push({ sign: r.sign as FilterSign, kind: r.kind as FilterTerm['kind'], term: r.term, needle: r.needle });
        out.set(r.scope, list);
      }
      return out;
    },
    async replace(chatId, scope, terms, now) {
      await db.transaction().execute(async (tx) => {
        // Two admins setting one filter at once: the second waits for the first (the chat's row is held), so the filter is one of
        // theirs, never a mix.
        if (dialect === 'postgres') await sql`SELECT id FROM chats WHERE id = ${chatId} FOR UPDATE`.execute(tx);
        await tx.deleteFrom('filter_terms').where('chat_id', '=', chatId).where('scope', '=', scope).execute();
        if (terms.length === 0) return;
        await tx
          .insertInto('filter_terms')
          .values(terms.map((t, i) => ({ chat_id: chatId, scope, sign: t.sign, needle: t.needle, kind: t.kind, term: t.term, created_at: now + i })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
    },
    async add(chatId, scope, t, now, max) {
      const r = await sql<{ chat_id: number }>`
        INSERT INTO filter_terms (chat_id, scope, sign, needle, kind, term, created_at)
        SELECT CAST(${chatId} AS BIGINT), CAST(${scope} AS TEXT), CAST(${t.sign} AS TEXT), CAST(${t.needle} AS TEXT), CAST(${t.kind} AS TEXT),
               CAST(${t.term} AS TEXT), CAST(${now} AS BIGINT)
        WHERE (SELECT count(*) FROM filter_terms WHERE chat_id = ${chatId} AND scope = ${scope}) < ${max}
        ON CONFLICT DO NOTHING
        RETURNING chat_id`.execute(db);
      if (r.rows.length > 0) return 'added';
      const there = await db
        .selectFrom('filter_terms')
        .select('chat_id')
        .where('chat_id', '=', chatId)
        .where('scope', '=', scope)
        .where('sign', '=', t.sign)
        .where('needle', '=', t.needle)
        .executeTakeFirst();
      return there ? 'already' : 'limit';
    },
    async dropsOfChat(chatId, sinceDay) {
      const rows = await db
        .selectFrom('filter_drops')
        .select(['feed_id', 'scope', (eb) => eb.fn.sum<number>('n').as('n')])
        .where('chat_id', '=', chatId)
        .where('day', '>=', sinceDay)
        .groupBy(['feed_id', 'scope'])
        .execute();
      return rows.map((r) => ({ feedId: r.feed_id, scope: r.scope, n: Number(r.n) }));
    },
    async countDrops({ feedId, text, day, chats }) {
      const f = filterConditions(dialect, text);
      const r = await sql`
        INSERT INTO filter_drops (chat_id, feed_id, scope, day, n)
        SELECT s.chat_id, s.feed_id, ${f.rejectedBy}, CAST(${day} AS BIGINT), 1
        FROM subscriptions s JOIN chats c ON c.id = s.chat_id
        WHERE s.feed_id = ${feedId}${inSlice('s.chat_id', chats)} AND c.active = 1 AND ${effectiveMode} <> 'muted' AND ${f.rejected}
        ON CONFLICT (chat_id, feed_id, scope, day) DO UPDATE SET n = filter_drops.n + 1`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },
    async pruneDrops(beforeDay) {
      return pruneInBatches(db, dialect, 'filter_drops', sql`day < ${beforeDay}`);
    },
  };
}
