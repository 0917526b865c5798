// The schema's history, applied at start by Kysely's Migrator (which locks on PostgreSQL, so replicas starting together do not race).
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { StoreError } from './database.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
const initial: Migration = {
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

/** Owned claims (who holds a row, renewed while it works), attempts counted at claim, failed rows kept, what daily digests held. */
const ownedClaims: Migration = {
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

/** The sender's repair looks at recent messages only (by age), not the whole outbox every 15 s. */
const outboxByAge: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('outbox_by_age').on('outbox').columns(['created_at']).execute();
  },
};

/** Each subscription the reader's own: its delivery, title, preview and forum topic; filters as terms; what filters dropped; tags by article. */
const perFeedOptions: Migration = {
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

/** Who manages which channel from a private chat (/channels lists them, each checked with Telegram again before it is shown). */
const chatManagers: Migration = {
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

/** A daily digest line remembers the forum topic its feed goes to: a forum group's digest comes to each topic with its own feeds. */
const dailyByTopic: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('daily_entries').addColumn('thread_id', 'bigint').execute();
  },
};

/**
 * One story, however many feeds tell it: the stories of the last 48 hours, their members (with each member's rendered push, so a
 * chat that got it can have it edited to name the next source), and the distinctive tokens a new article looks stories up by.
 */
const stories: Migration = {
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

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_owned_claims': ownedClaims,
  '0003_outbox_by_age': outboxByAge,
  '0004_per_feed_options': perFeedOptions,
  '0005_chat_managers': chatManagers,
  '0006_daily_by_topic': dailyByTopic,
  '0007_stories': stories,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Brings the schema up to date; throws a StoreError naming the migration that failed.
 * PostgreSQL serialises concurrent migrators with a lock; two processes opening one SQLite file at once (the bot and the CLI)
 * may race, and the loser simply looks again once the winner is done.
 */
export async function migrate(db: Kysely<any>, attempts = 3): Promise<void> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations', migrationLockTableName: 'schema_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error && attempts > 1 && /already exists/i.test(String((error as Error).message))) {
    await new Promise((r) => setTimeout(r, 100));
    return migrate(db, attempts - 1);
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(`database migration ${failed} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
}
