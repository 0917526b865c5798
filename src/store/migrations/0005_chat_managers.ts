// Migration 0005_chat_managers: who manages which channel from a private chat (/channels lists them, each checked with Telegram again before it is shown).
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
export const chatManagers: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('chat_managers')
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('chat_managers_pk', ['chat_id', 'user_id'])
      .execute();
    await db.schema.createIndex('chat_managers_by_user').on('chat_managers').columns(['user_id', 'at']).execute();
  },
};
