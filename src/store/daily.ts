// The daily_entries table: one line per (chat, article) waiting for the chat's next daily digest; taken, recorded and queued in one transaction.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DailyEntry } from '../core/renderDigest.js';
import { inSlice, type ChatSlice } from './chatSlice.js';
import { chunks, dbNowPlus } from './claim.js';
import type { Dialect } from './database.js';
import { enqueueIn, type NewMessage } from './outbox.js';
import { effectiveMode, filterConditions } from './filters.js';
import { pruneInBatches } from './prune.js';
import type { DailyEntriesTable, Database } from './schema.js';

export interface DailyFanOut {
  feedId: string;
  entry: Omit<DailyEntry, 'chatId' | 'feedId'>;
  /** The article's filter text: subscriptions whose filters reject it get no line. */
  filterText: string;
  /** Only these subscribers. */
  chats?: ChatSlice;
}

/** One chat's digest, made from its waiting entries. */
export interface DigestPage {
  chatId: number;
  messages: NewMessage[];
  /** The entries it holds (exactly those: entries that arrived meanwhile stay for the next one). */
  entries: Array<Pick<DailyEntry, 'chatId' | 'articleKey'>>;
  /** A scheduled digest: the chat's next due instant (null: it left daily mode). Absent for `/digest`, which moves no schedule. */
  nextDigestAt?: number | null;
}

export interface DailyQueries {
  /**
   * Adds the article to the next digest of every active subscriber of the feed whose mode (its own, else the chat's) is daily or
   * both, whose filters let it through and whose digests did not hold it yet, in one statement; returns how many.
   */
  fanOut(d: DailyFanOut): Promise<number>;
  /** The waiting entries of these chats. */
  ofChats(chatIds: number[]): Promise<Map<number, DailyEntry[]>>;
  /**
   * Records digests in one transaction: their messages queued (ids fixed by the caller), what they held remembered and removed
   * from the waiting entries, the chats' next due instants set. With `owner`, only chats whose digest claim it still holds;
   * returns the chats recorded.
   */
  commit(pages: DigestPage[], now: number, owner?: string): Promise<number[]>;
  /** Adds entries one by one (the 0.1 import); an entry already there stays. */
  insert(entries: DailyEntry[]): Promise<void>;
  /** Forgets what digests held before `before`. */
  pruneSent(before: number): Promise<number>;
}

function entryOf(r: Selectable<DailyEntriesTable>): DailyEntry {
  return {
    chatId: Number(r.chat_id),
    articleKey: r.article_key,
    feedId: r.feed_id,
    feedTitle: r.feed_title,
    title: r.title,
    url: r.url ?? undefined,
    tldr: r.tldr ?? undefined,
    tags: JSON.parse(r.tags) as string[],
    publishedAt: r.published_at === null ? undefined : Number(r.published_at),
    at: Number(r.at),
    ...(r.thread_id !== null ? { threadId: Number(r.thread_id) } : {}),
    ...(r.story_id !== null ? { storyId: r.story_id } : {}),
  };
}

const rowOf = (e: DailyEntry) => ({
  chat_id: e.chatId,
  article_key: e.articleKey,
  feed_id: e.feedId,
  feed_title: e.feedTitle,
  title: e.title,
  url: e.url ?? null,
  tldr: e.tldr ?? null,
  tags: JSON.stringify(e.tags ?? []),
  published_at: e.publishedAt ?? null,
  at: e.at,
  thread_id: e.threadId ?? null,
  story_id: e.storyId ?? null,
});

export function createDailyQueries(db: Kysely<Database>, dialect: Dialect): DailyQueries {
  return {
    async fanOut({ feedId, entry: e, filterText, chats }) {
      const r = await sql`
        INSERT INTO daily_entries (chat_id, article_key, feed_id, feed_title, title, url, tldr, tags, published_at, at, thread_id, story_id)
        SELECT s.chat_id, CAST(${e.articleKey} AS TEXT), CAST(${feedId} AS TEXT), COALESCE(s.title, CAST(${e.feedTitle} AS TEXT)), CAST(${e.title} AS TEXT),
               CAST(${e.url ?? null} AS TEXT), CAST(${e.tldr ?? null} AS TEXT), CAST(${JSON.stringify(e.tags)} AS TEXT),
               CAST(${e.publishedAt ?? null} AS BIGINT), CAST(${e.at} AS BIGINT), s.thread_id, CAST(${e.storyId ?? null} AS TEXT)
        FROM subscriptions s JOIN chats c ON c.id = s.chat_id
        WHERE s.feed_id = ${feedId}${inSlice('s.chat_id', chats)} AND c.active = 1 AND ${effectiveMode} IN ('daily', 'both')
          AND ${filterConditions(dialect, filterText).passes}
          AND NOT EXISTS (SELECT 1 FROM daily_sent ds WHERE ds.chat_id = s.chat_id AND ds.article_key = ${e.articleKey})
        ON CONFLICT (chat_id, article_key) DO NOTHING`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },
    async ofChats(chatIds) {
      const out = new Map<number, DailyEntry[]>();
      for (const part of chunks(chatIds)) {
        const rows = await db.selectFrom('daily_entries').selectAll().where('chat_id', 'in', part).orderBy('chat_id').orderBy('at').execute();
        for (const r of rows) {
          const e = entryOf(r);
          const list = out.get(e.chatId) ?? [];
          list.push(e);
          out.set(e.chatId, list);
        }
      }
      return out;
    },
    async commit(pages, now, owner) {
      if (pages.length === 0) return [];
      return db.transaction().execute(async (tx) => {
        let mine = pages;
        if (owner !== undefined) {
          // Still ours? (A tick that stalled past its hold lost its chats to another; it records nothing for them.) Renewed, so the
          // hold cannot lapse before this transaction ends.
          const held = new Set<number>();
          for (const part of chunks(pages.map((p) => p.chatId))) {
            const rows = await tx
              .updateTable('chats')
              .set({ digest_claimed_until: dbNowPlus(dialect, 60_000) })
              .where('id', 'in', part)
              .where('digest_claimed_by', '=', owner)
              .returning('id')
              .execute();
            for (const r of rows) held.add(Number(r.id));
          }
          mine = pages.filter((p) => held.has(p.chatId));
        }
        await enqueueIn(
          tx,
          mine.flatMap((p) => p.messages),
          now,
        );
        const entries = mine.flatMap((p) => p.entries);
        for (const part of chunks(entries, 300)) {
          await tx
            .insertInto('daily_sent')
            .values(part.map((e) => ({ chat_id: e.chatId, article_key: e.articleKey, at: now })))
            .onConflict((oc) => oc.columns(['chat_id', 'article_key']).doNothing())
            .execute();
        }
        await removeEntries(tx, dialect, entries);
        const byInstant = new Map<number | null, number[]>();
        for (const p of mine) if (p.nextDigestAt !== undefined) byInstant.set(p.nextDigestAt, [...(byInstant.get(p.nextDigestAt) ?? []), p.chatId]);
        for (const [instant, ids] of byInstant) {
          for (const part of chunks(ids)) {
            await tx
              .updateTable('chats')
              .set({ next_digest_at: instant, last_digest_at: now, digest_claimed_until: 0, digest_claimed_by: null })
              .where('id', 'in', part)
              .execute();
          }
        }
        return mine.map((p) => p.chatId);
      });
    },
    async insert(entries) {
      for (const part of chunks(entries)) {
        await db.insertInto('daily_entries').values(part.map(rowOf)).onConflict((oc) => oc.doNothing()).execute();
      }
    },
    async pruneSent(before) {
      return pruneInBatches(db, dialect, 'daily_sent', sql`at < ${before}`);
    },
  };
}

/** Removes exactly these entries, by key. */
async function removeEntries(db: Kysely<Database>, dialect: Dialect, entries: Array<Pick<DailyEntry, 'chatId' | 'articleKey'>>): Promise<void> {
  if (dialect === 'postgres') {
    // Pairs as two arrays (PostgreSQL plans a long row-value IN list poorly, tens of ms per 500 pairs), and the chats on their own
    // as an index condition: without it the planner, blind to unnest's size, may scan the whole table for each page.
    for (const part of chunks(entries, 5000)) {
      const chatIds = [...new Set(part.map((e) => e.chatId))];
      await sql`DELETE FROM daily_entries d
                WHERE d.chat_id = ANY(${chatIds}::bigint[])
                  AND (d.chat_id, d.article_key) IN (SELECT * FROM unnest(${part.map((e) => e.chatId)}::bigint[], ${part.map((e) => e.articleKey)}::text[]))`.execute(db);
    }
    return;
  }
  for (const part of chunks(entries)) {
    await db
      .deleteFrom('daily_entries')
      .where((eb) => eb(eb.refTuple('chat_id', 'article_key'), 'in', part.map((e) => eb.tuple(e.chatId, e.articleKey))))
      .execute();
  }
}
