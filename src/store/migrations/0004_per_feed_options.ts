// Migration 0004_per_feed_options: each subscription the reader's own: its delivery, title, preview and forum topic; filters as terms; what filters dropped; tags by article.
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
export const perFeedOptions: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('subscriptions').addColumn('mode', 'text').execute();
    await db.schema.alterTable('subscriptions').addColumn('title', 'text').execute();
    await db.schema.alterTable('subscriptions').addColumn('preview', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('subscriptions').addColumn('thread_id', 'bigint').execute();
    await db.schema.alterTable('outbox').addColumn('thread_id', 'bigint').execute();
    await db.schema
      .createTable('filter_terms')
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('sign', 'text', (c) => c.notNull())
      .addColumn('needle', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('term', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('filter_terms_pk', ['chat_id', 'scope', 'sign', 'needle'])
      .execute();
    await db.schema
      .createTable('filter_drops')
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('day', 'bigint', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('filter_drops_pk', ['chat_id', 'feed_id', 'scope', 'day'])
      .execute();
    await db.schema.createIndex('filter_drops_by_day').on('filter_drops').columns(['day']).execute();
    await db.schema
      .createTable('article_tags')
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('article_key', 'text', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('article_tags_pk', ['feed_id', 'article_key', 'tag'])
      .execute();
    await db.schema.createIndex('article_tags_by_feed').on('article_tags').columns(['feed_id', 'at']).execute();
    await db.schema.createIndex('article_tags_by_age').on('article_tags').columns(['at']).execute();
  },
};
