// The subscriptions table: who follows which feed, changed by single statements; read by index from either side.
import { sql, type Kysely } from 'kysely';
import type { Subscription } from '../core/model.js';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

export type FollowResult = 'added' | 'already' | 'limit' | 'no-feed';

export interface SubscriptionQueries {
  /** Subscribes a chat to an existing feed, unless it follows `maxPerChat` feeds already; 'no-feed' when the feed is gone. */
  follow(feedId: string, chatId: number, now: number, maxPerChat: number): Promise<FollowResult>;
  /** True when this call removed it. */
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

export function createSubscriptionQueries(db: Kysely<Database>, dialect: Dialect): SubscriptionQueries {
  return {
    async follow(feedId, chatId, now, maxPerChat) {
      return db.transaction().execute(async (tx) => {
        // Holding the feed row serialises this with an /unsub that would delete the feed (see FeedQueries.deleteIfUnfollowed).
        let lockFeed = tx.selectFrom('feeds').select('id').where('id', '=', feedId);
        if (dialect === 'postgres') lockFeed = lockFeed.forUpdate();
        if (!(await lockFeed.executeTakeFirst())) return 'no-feed';
        const inserted = await sql<{ feed_id: string }>`
          INSERT INTO subscriptions (feed_id, chat_id, created_at)
          SELECT CAST(${feedId} AS TEXT), CAST(${chatId} AS BIGINT), CAST(${now} AS BIGINT)
          WHERE (SELECT count(*) FROM subscriptions WHERE chat_id = ${chatId}) < ${maxPerChat}
          ON CONFLICT (feed_id, chat_id) DO NOTHING
          RETURNING feed_id`.execute(tx);
        if (inserted.rows.length > 0) return 'added';
        const exists = await tx.selectFrom('subscriptions').select('chat_id').where('feed_id', '=', feedId).where('chat_id', '=', chatId).executeTakeFirst();
        return exists ? 'already' : 'limit';
      });
    },
    async unfollow(feedId, chatId) {
      const r = await db.deleteFrom('subscriptions').where('feed_id', '=', feedId).where('chat_id', '=', chatId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async ofChat(chatId) {
      const rows = await db.selectFrom('subscriptions').selectAll().where('chat_id', '=', chatId).orderBy('created_at').orderBy('feed_id').execute();
      return rows.map((r) => ({ feedId: r.feed_id, chatId: Number(r.chat_id), createdAt: Number(r.created_at) }));
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
