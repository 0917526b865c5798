// The subscriptions table: who follows which feed, changed by single statements; read by index from either side.
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { FeedMode, FeedOptions, Subscription } from '../core/model.js';
import { chunks } from './claim.js';
import type { Dialect } from './database.js';
import type { Database, SubscriptionsTable } from './schema.js';

export type FollowResult = 'added' | 'already' | 'limit' | 'no-feed';

/** A change of a subscription's options: only the given ones (`title: null` clears the title, `threadId: null` the topic). */
export type OptionsChange = { mode?: FeedMode; title?: string | null; preview?: boolean; threadId?: number | null };

function subscriptionOf(r: Selectable<SubscriptionsTable>): Subscription {
  const s: Subscription = { feedId: r.feed_id, chatId: Number(r.chat_id), createdAt: Number(r.created_at), mode: (r.mode as FeedMode | null) ?? 'chat', preview: Number(r.preview) === 1 };
  if (r.title !== null) s.title = r.title;
  if (r.thread_id !== null) s.threadId = Number(r.thread_id);
  return s;
}

export interface SubscriptionQueries {
  /**
   * Subscribes a chat to an existing feed, unless it follows `maxPerChat` feeds already; 'no-feed' when the feed is gone. A new
   * subscription starts with `options` (an import's, a forum topic's); an existing one keeps its own.
   */
  follow(feedId: string, chatId: number, now: number, maxPerChat: number, options?: Partial<FeedOptions>): Promise<FollowResult>;
  /** Changes one subscription's options in one statement; false when the chat does not follow the feed. */
  setOptions(feedId: string, chatId: number, change: OptionsChange): Promise<boolean>;
  /** Which of these chats have a feed of their own in daily or both mode (they keep a daily schedule whatever their `/mode`). */
  withDailyFeeds(chatIds: number[]): Promise<Set<number>>;
  /** A forum topic is gone: the chat's feeds sent there go to its main thread, and so do its queued messages; returns the feeds moved. */
  leaveTopic(chatId: number, threadId: number): Promise<number>;
  /** True when this call removed it; the feed's own filter goes with it. */
  unfollow(feedId: string, chatId: number): Promise<boolean>;
  /** A chat's subscriptions, oldest first (the numbering of /list). */
  ofChat(chatId: number): Promise<Subscription[]>;
  countOfChat(chatId: number): Promise<number>;
  /** Chats following a feed, a page at a time (by chat id). */
  subscribers(feedId: string, afterChatId?: number, limit?: number): Promise<number[]>;
  /** Where a slice of `size` subscribers of the feed after `afterChatId` ends (its last chat id), or undefined when fewer are left. */
  sliceEnd(feedId: string, afterChatId: number | undefined, size: number): Promise<number | undefined>;
  /** A group became a supergroup: its subscriptions move to the new id (copied, then removed). */
}

/**
 * A new subscription's created_at: now, or just after the chat's newest one (several followed in one moment keep the order they
 * were given in, and /list's numbers with it).
 */
const orderedAfter = (chatId: number, now: number) => sql`(SELECT CASE WHEN max(o.created_at) IS NULL OR max(o.created_at) < ${now} THEN CAST(${now} AS BIGINT) ELSE max(o.created_at) + 1 END FROM subscriptions o WHERE o.chat_id = ${chatId})`;

/** The mode column: null follows the chat. */
const modeColumn = (mode: FeedMode | undefined) => (mode === undefined || mode === 'chat' ? null : mode);

export function createSubscriptionQueries(db: Kysely<Database>, dialect: Dialect): SubscriptionQueries {
  return {
    async follow(feedId, chatId, now, maxPerChat, options = {}) {
      return db.transaction().execute(async (tx) => {
        // Holding the feed row serialises this with an /unsub that would delete the feed (see FeedQueries.deleteIfUnfollowed).
        let lockFeed = tx.selectFrom('feeds').select('id').where('id', '=', feedId);
        if (dialect === 'postgres') lockFeed = lockFeed.forUpdate();
        if (!(await lockFeed.executeTakeFirst())) return 'no-feed';
        const inserted = await sql<{ feed_id: string }>`
          INSERT INTO subscriptions (feed_id, chat_id, created_at, mode, title, preview, thread_id)
          SELECT CAST(${feedId} AS TEXT), CAST(${chatId} AS BIGINT), ${orderedAfter(chatId, now)}, CAST(${modeColumn(options.mode)} AS TEXT),
                 CAST(${options.title ?? null} AS TEXT), CAST(${options.preview ? 1 : 0} AS INTEGER), CAST(${options.threadId ?? null} AS BIGINT)
          WHERE (SELECT count(*) FROM subscriptions WHERE chat_id = ${chatId}) < ${maxPerChat}
          ON CONFLICT (feed_id, chat_id) DO NOTHING
          RETURNING feed_id`.execute(tx);
        if (inserted.rows.length > 0) return 'added';
        const exists = await tx.selectFrom('subscriptions').select('chat_id').where('feed_id', '=', feedId).where('chat_id', '=', chatId).executeTakeFirst();
        return exists ? 'already' : 'limit';
      });
    },
    async unfollow(feedId, chatId) {
      return db.transaction().execute(async (tx) => {
        const r = await tx.deleteFrom('subscriptions').where('feed_id', '=', feedId).where('chat_id', '=', chatId).executeTakeFirst();
        await tx.deleteFrom('filter_terms').where('chat_id', '=', chatId).where('scope', '=', feedId).execute();
        return Number(r.numDeletedRows) > 0;
      });
    },
    async ofChat(chatId) {
      const rows = await db.selectFrom('subscriptions').selectAll().where('chat_id', '=', chatId).orderBy('created_at').orderBy('feed_id').execute();
      return rows.map(subscriptionOf);
    },
    async setOptions(feedId, chatId, change) {
      const set: Updateable<SubscriptionsTable> = {};
      if (change.mode !== undefined) set.mode = modeColumn(change.mode);
      if (change.title !== undefined) set.title = change.title;
      if (change.preview !== undefined) set.preview = change.preview ? 1 : 0;
      if (change.threadId !== undefined) set.thread_id = change.threadId;
      if (Object.keys(set).length === 0) return false;
      const r = await db.updateTable('subscriptions').set(set).where('feed_id', '=', feedId).where('chat_id', '=', chatId).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async withDailyFeeds(chatIds) {
      const out = new Set<number>();
      for (const part of chunks(chatIds)) {
        const rows = await db.selectFrom('subscriptions').select('chat_id').distinct().where('chat_id', 'in', part).where('mode', 'in', ['daily', 'both']).execute();
        for (const r of rows) out.add(Number(r.chat_id));
      }
      return out;
    },
    async leaveTopic(chatId, threadId) {
      return db.transaction().execute(async (tx) => {
        const r = await tx.updateTable('subscriptions').set({ thread_id: null }).where('chat_id', '=', chatId).where('thread_id', '=', threadId).executeTakeFirst();
        await tx.updateTable('outbox').set({ thread_id: null }).where('chat_id', '=', chatId).where('thread_id', '=', threadId).execute();
        await tx.updateTable('daily_entries').set({ thread_id: null }).where('chat_id', '=', chatId).where('thread_id', '=', threadId).execute();
        return Number(r.numUpdatedRows);
      });
    },
    async countOfChat(chatId) {
      const row = await db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('chat_id', '=', chatId).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async sliceEnd(feedId, afterChatId, size) {
      let q = db.selectFrom('subscriptions').select('chat_id').where('feed_id', '=', feedId);
      if (afterChatId !== undefined) q = q.where('chat_id', '>', afterChatId);
      const row = await q.orderBy('chat_id').limit(1).offset(size - 1).executeTakeFirst();
      return row ? Number(row.chat_id) : undefined;
    },
    async subscribers(feedId, afterChatId, limit = 10_000) {
      let q = db.selectFrom('subscriptions').select('chat_id').where('feed_id', '=', feedId);
      if (afterChatId !== undefined) q = q.where('chat_id', '>', afterChatId);
      return (await q.orderBy('chat_id').limit(limit).execute()).map((r) => Number(r.chat_id));
    },
  };
}
