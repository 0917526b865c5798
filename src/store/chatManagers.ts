// The chat_managers table: which user manages which channel from a private chat (a hint for /channels; Telegram is asked again each time).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ChatManagerQueries {
  /** Remembers (or refreshes) that `userId` manages `chatId`. */
  record(chatId: number, userId: number, at: number): Promise<void>;
  /** Forgets it (Telegram says they no longer do, or the bot may not post there). */
  forget(chatId: number, userId: number): Promise<void>;
  /** The chats `userId` managed, most recent first. */
  ofUser(userId: number, limit: number): Promise<number[]>;
}

export function createChatManagerQueries(db: Kysely<Database>): ChatManagerQueries {
  return {
    async record(chatId, userId, at) {
      await db
        .insertInto('chat_managers')
        .values({ chat_id: chatId, user_id: userId, at })
        .onConflict((oc) => oc.columns(['chat_id', 'user_id']).doUpdateSet({ at }))
        .execute();
    },
    async forget(chatId, userId) {
      await db.deleteFrom('chat_managers').where('chat_id', '=', chatId).where('user_id', '=', userId).execute();
    },
    async ofUser(userId, limit) {
      const rows = await db.selectFrom('chat_managers').select('chat_id').where('user_id', '=', userId).orderBy('at', 'desc').limit(limit).execute();
      return rows.map((r) => Number(r.chat_id));
    },
  };
}
