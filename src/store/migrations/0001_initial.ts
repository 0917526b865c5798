// Migration 0001_initial: the first schema — feeds and subscriptions, chats, seen items, articles and pending digests, the outbox with its index and sent marks, daily entries, quotas, leases, cache, meta and jobs.
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
export const initial: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('feeds')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('site_url', 'text')
      .addColumn('etag', 'text')
      .addColumn('last_modified', 'text')
      .addColumn('next_poll_at', 'bigint', (c) => c.notNull())
      .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'bigint')
      .addColumn('last_success_at', 'bigint')
      .addColumn('primed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failure_notice_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_polled_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('feeds_due').on('feeds').columns(['next_poll_at']).execute();

    await db.schema
      .createTable('subscriptions')
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('options', 'text')
      .addPrimaryKeyConstraint('subscriptions_pk', ['feed_id', 'chat_id'])
      .execute();
    await db.schema.createIndex('subscriptions_by_chat').on('subscriptions').columns(['chat_id', 'created_at']).execute();

    await db.schema
      .createTable('chats')
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('lang', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('digest_time', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('inactive_reason', 'text')
      .addColumn('next_digest_at', 'bigint')
      .addColumn('last_digest_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('chats_digest_due').on('chats').columns(['next_digest_at']).execute();

    await db.schema
      .createTable('seen')
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('seen_pk', ['feed_id', 'key_hash'])
      .execute();
    await db.schema.createIndex('seen_by_age').on('seen').columns(['at']).execute();

    await db.schema
      .createTable('articles')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text')
      .addColumn('canonical_url', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('author', 'text')
      .addColumn('published_at', 'bigint')
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('content_text', 'text', (c) => c.notNull())
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('feed_title', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('own_site', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('articles_by_age').on('articles').columns(['first_seen_at']).execute();

    await db.schema
      .createTable('pending_digests')
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('article_key', 'text', (c) => c.notNull())
      .addColumn('feed_title', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('turn_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('pending_digests_pk', ['feed_id', 'article_key'])
      .execute();
    await db.schema.createIndex('pending_digests_turn').on('pending_digests').columns(['turn_at']).execute();
    await db.schema.createIndex('pending_digests_by_feed').on('pending_digests').columns(['feed_id', 'turn_at']).execute();
    await db.schema.createIndex('pending_digests_by_article').on('pending_digests').columns(['article_key']).execute();

    await db.schema
      .createTable('outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('html', 'text')
      .addColumn('plain', 'text', (c) => c.notNull())
      .addColumn('extra', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('outbox_by_chat').on('outbox').columns(['chat_id', 'priority', 'created_at', 'id']).execute();

    await db.schema
      .createTable('outbox_chats')
      .addColumn('chat_id', 'bigint', (c) => c.primaryKey())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('ready_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('outbox_chats_ready').on('outbox_chats').columns(['priority', 'ready_at']).execute();

    await db.schema
      .createTable('sent')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('message_id', 'bigint')
      .execute();
    await db.schema.createIndex('sent_by_age').on('sent').columns(['at']).execute();

    await db.schema
      .createTable('daily_entries')
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('article_key', 'text', (c) => c.notNull())
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('feed_title', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('tldr', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('published_at', 'bigint')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('daily_entries_pk', ['chat_id', 'article_key'])
      .execute();

    await db.schema
      .createTable('quotas')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('used', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('quotas_pk', ['name', 'period'])
      .execute();

    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('until', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('cache')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .execute();
    await db.schema.createIndex('cache_by_expiry').on('cache').columns(['expires_at']).execute();

    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('chat_id', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('run_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('jobs_due').on('jobs').columns(['run_at']).execute();
    await db.schema.createIndex('jobs_by_chat').on('jobs').columns(['chat_id', 'claimed_until']).execute();
  },
};
