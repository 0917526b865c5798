// The daily_entries table: one line per (chat, article) waiting for the chat's next daily digest; deleted only once its digest is queued.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DailyEntry } from '../core/renderDigest.js';
import { chunks } from './claim.js';
import type { Dialect } from './database.js';
import type { DailyEntriesTable, Database } from './schema.js';

export interface DailyFanOut {
  feedId: string;
  entry: Omit<DailyEntry, 'chatId' | 'feedId'>;
}

export interface DailyQueries {
  /** Adds the article to the next digest of every active daily/both subscriber of the feed, in one statement; returns how many. */
  fanOut(d: DailyFanOut): Promise<number>;
  /** The waiting entries of these chats. */
  ofChats(chatIds: number[]): Promise<Map<number, DailyEntry[]>>;
  /** Removes the entries digests have taken (exactly those: entries that arrived meanwhile stay). */
  remove(entries: Array<Pick<DailyEntry, 'chatId' | 'articleKey'>>): Promise<void>;
  /** A group became a supergroup: its entries move to the new id. */
  moveChat(from: number, to: number): Promise<void>;
  /** Adds entries one by one (the 0.1 import); an entry already there stays. */
  insert(entries: DailyEntry[]): Promise<void>;
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
});

export function createDailyQueries(db: Kysely<Database>, dialect: Dialect): DailyQueries {
  return {
    async fanOut({ feedId, entry: e }) {
      const r = await sql`
        INSERT INTO daily_entries (chat_id, article_key, feed_id, feed_title, title, url, tldr, tags, published_at, at)
        SELECT s.chat_id, CAST(${e.articleKey} AS TEXT), CAST(${feedId} AS TEXT), CAST(${e.feedTitle} AS TEXT), CAST(${e.title} AS TEXT),
               CAST(${e.url ?? null} AS TEXT), CAST(${e.tldr ?? null} AS TEXT), CAST(${JSON.stringify(e.tags)} AS TEXT),
               CAST(${e.publishedAt ?? null} AS BIGINT), CAST(${e.at} AS BIGINT)
        FROM subscriptions s JOIN chats c ON c.id = s.chat_id
        WHERE s.feed_id = ${feedId} AND c.active = 1 AND c.mode IN ('daily', 'both')
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
    async remove(entries) {
      if (dialect === 'postgres') {
        // A join against two arrays: PostgreSQL plans a long row-value IN list poorly (tens of ms per 500 pairs).
        for (const part of chunks(entries, 5000)) {
          await sql`DELETE FROM daily_entries d USING unnest(${part.map((e) => e.chatId)}::bigint[], ${part.map((e) => e.articleKey)}::text[]) AS t(chat_id, article_key)
                    WHERE d.chat_id = t.chat_id AND d.article_key = t.article_key`.execute(db);
        }
        return;
      }
      for (const part of chunks(entries)) {
        await db
          .deleteFrom('daily_entries')
          .where((eb) => eb(eb.refTuple('chat_id', 'article_key'), 'in', part.map((e) => eb.tuple(e.chatId, e.articleKey))))
          .execute();
      }
    },
    async insert(entries) {
      for (const part of chunks(entries)) {
        await db.insertInto('daily_entries').values(part.map(rowOf)).onConflict((oc) => oc.doNothing()).execute();
      }
    },
    async moveChat(from, to) {
      await db.transaction().execute(async (tx) => {
        await sql`
          INSERT INTO daily_entries (chat_id, article_key, feed_id, feed_title, title, url, tldr, tags, published_at, at)
          SELECT CAST(${to} AS BIGINT), article_key, feed_id, feed_title, title, url, tldr, tags, published_at, at FROM daily_entries WHERE chat_id = ${from}
          ON CONFLICT (chat_id, article_key) DO NOTHING`.execute(tx);
        await tx.deleteFrom('daily_entries').where('chat_id', '=', from).execute();
      });
    },
  };
}
