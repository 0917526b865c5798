// Migration 0002_owned_claims: owned claims (who holds a row, renewed while it works), attempts counted at claim, failed rows kept, what daily digests held.
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
export const ownedClaims: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('feeds').addColumn('claimed_by', 'text').execute();
    await db.schema.alterTable('feeds').addColumn('poll_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('feeds').addColumn('seen_at', 'bigint').execute();
    for (const table of ['pending_digests', 'jobs', 'outbox']) {
      if (table !== 'outbox') await db.schema.alterTable(table).addColumn('claimed_by', 'text').execute();
      await db.schema.alterTable(table).addColumn('failed_at', 'bigint').execute();
      await db.schema.alterTable(table).addColumn('failure_id', 'text').execute();
    }
    await db.schema.alterTable('jobs').addColumn('last_error', 'text').execute();
    await db.schema.alterTable('outbox').addColumn('last_error', 'text').execute();
    await db.schema.createIndex('jobs_failed').on('jobs').columns(['failure_id']).execute();
    await db.schema.createIndex('pending_digests_failed').on('pending_digests').columns(['failure_id']).execute();
    await db.schema.createIndex('outbox_failed').on('outbox').columns(['failure_id']).execute();
    await db.schema.alterTable('chats').addColumn('digest_claimed_until', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('chats').addColumn('digest_claimed_by', 'text').execute();
    await db.schema
      .createTable('daily_sent')
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('article_key', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('daily_sent_pk', ['chat_id', 'article_key'])
      .execute();
    await db.schema.createIndex('daily_sent_by_age').on('daily_sent').columns(['at']).execute();
  },
};
