// Migration 0007_stories: one story, however many feeds tell it: the stories of the last 48 hours, their members (with each member's rendered push, so a chat that got it can have it edited to name the next source), and the distinctive tokens a new article looks stories up by.
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
export const stories: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('stories')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('tldr', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('original', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('stories_by_age').on('stories').columns(['at']).execute();
    await db.schema
      .createTable('story_members')
      .addColumn('story_id', 'text', (c) => c.notNull())
      .addColumn('article_key', 'text', (c) => c.notNull())
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('feed_title', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('html_zh', 'text', (c) => c.notNull())
      .addColumn('html_en', 'text', (c) => c.notNull())
      .addColumn('plain_zh', 'text', (c) => c.notNull())
      .addColumn('plain_en', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('story_members_pk', ['story_id', 'article_key'])
      .execute();
    await db.schema.createIndex('story_members_by_article').on('story_members').columns(['article_key']).execute();
    await db.schema.createIndex('story_members_by_age').on('story_members').columns(['at']).execute();
    await db.schema
      .createTable('story_tokens')
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('story_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('story_tokens_pk', ['token', 'story_id'])
      .execute();
    await db.schema.createIndex('story_tokens_by_token').on('story_tokens').columns(['token', 'at']).execute();
    await db.schema.createIndex('story_tokens_by_age').on('story_tokens').columns(['at']).execute();
    await db.schema.alterTable('chats').addColumn('merge', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    await db.schema.alterTable('daily_entries').addColumn('story_id', 'text').execute();
  },
};
