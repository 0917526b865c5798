// Migration 0006_daily_by_topic: a daily digest line remembers the forum topic its feed goes to: a forum group's digest comes to each topic with its own feeds.
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
export const dailyByTopic: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('daily_entries').addColumn('thread_id', 'bigint').execute();
  },
};
