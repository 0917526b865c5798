// A group that became a supergroup: its settings, feeds with their options and filters, daily queue, digests' record, jobs and queued messages move to the new id in one transaction.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ChatMoves {
  /**
   * Moves everything of chat `from` to `to`, all or nothing. The old chat's settings win over a row the new id got meanwhile
   * (an update from the supergroup arrives before Telegram's refusal tells us of the move, and creates a default row).
   */
  moveChat(from: number, to: number, now: number): Promise<void>;
}

export function createChatMoves(db: Kysely<Database>): ChatMoves {
  return {
    async moveChat(from, to, now) {
      await db.transaction().execute(async (tx) => {
        const old = await tx.selectFrom('chats').selectAll().where('id', '=', from).executeTakeFirst();
        if (old) {
          const settings = {
            title: old.title,
            lang: old.lang,
            mode: old.mode,
            digest_time: old.digest_time,
            timezone: old.timezone,
            active: old.active,
            inactive_reason: old.inactive_reason,
            next_digest_at: old.next_digest_at,
            last_digest_at: old.last_digest_at,
          };
          await tx
            .insertInto('chats')
            .values({ ...settings, id: to, type: 'supergroup', created_at: old.created_at })
            .onConflict((oc) => oc.column('id').doUpdateSet({ ...settings, type: 'supergroup' }))
            .execute();
          await tx.deleteFrom('chats').where('id', '=', from).execute();
        }
        await sql`INSERT INTO subscriptions (feed_id, chat_id, created_at, options, mode, title, preview, thread_id)
                  SELECT feed_id, CAST(${to} AS BIGINT), created_at, options, mode, title, preview, thread_id FROM subscriptions WHERE chat_id = ${from}
                  ON CONFLICT (feed_id, chat_id) DO NOTHING`.execute(tx);
        await tx.deleteFrom('subscriptions').where('chat_id', '=', from).execute();
        await sql`INSERT INTO filter_terms (chat_id, scope, sign, needle, kind, term, created_at)
                  SELECT CAST(${to} AS BIGINT), scope, sign, needle, kind, term, created_at FROM filter_terms WHERE chat_id = ${from}
                  ON CONFLICT DO NOTHING`.execute(tx);
        await tx.deleteFrom('filter_terms').where('chat_id', '=', from).execute();
        await tx.updateTable('filter_drops').set({ chat_id: to }).where('chat_id', '=', from).execute();
        await sql`INSERT INTO daily_entries (chat_id, article_key, feed_id, feed_title, title, url, tldr, tags, published_at, at, thread_id)
                  SELECT CAST(${to} AS BIGINT), article_key, feed_id, feed_title, title, url, tldr, tags, published_at, at, thread_id FROM daily_entries WHERE chat_id = ${from}
                  ON CONFLICT (chat_id, article_key) DO NOTHING`.execute(tx);
        await tx.deleteFrom('daily_entries').where('chat_id', '=', from).execute();
        await sql`INSERT INTO daily_sent (chat_id, article_key, at)
                  SELECT CAST(${to} AS BIGINT), article_key, at FROM daily_sent WHERE chat_id = ${from}
                  ON CONFLICT (chat_id, article_key) DO NOTHING`.execute(tx);
        await tx.deleteFrom('daily_sent').where('chat_id', '=', from).execute();
        await tx.updateTable('jobs').set({ chat_id: to }).where('chat_id', '=', from).execute();
        await tx.updateTable('outbox').set({ chat_id: to, claimed_until: 0 }).where('chat_id', '=', from).execute();
        await tx.deleteFrom('outbox_chats').where('chat_id', '=', from).execute();
        const next = await tx.selectFrom('outbox').select('priority').where('chat_id', '=', to).where('failed_at', 'is', null).orderBy('priority').limit(1).executeTakeFirst();
        if (next) {
          await tx
            .insertInto('outbox_chats')
            .values({ chat_id: to, priority: next.priority, ready_at: now })
            .onConflict((oc) => oc.column('chat_id').doUpdateSet({ priority: next.priority, ready_at: now }))
            .execute();
        }
      });
    },
  };
}
