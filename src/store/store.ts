// The store: opens the database, brings its schema up to date, and hands out the queries of each table (each use case takes the few it needs).
import type { Kysely } from 'kysely';
import type { CachedDigest } from '../digests/summarize.js';
import { createArticleQueries, type ArticleQueries } from './articles.js';
import { createArticleTagQueries, type ArticleTagQueries } from './articleTags.js';
import { createCache, type Collection } from './cache.js';
import { createChatManagerQueries, type ChatManagerQueries } from './chatManagers.js';
import { createChatMoves, type ChatMoves } from './chatMoves.js';
import { createChatQueries, type ChatQueries } from './chats.js';
import { createDailyQueries, type DailyQueries } from './daily.js';
import { openDatabase, type Dialect, type OpenOptions } from './database.js';
import { createFailedQueries, type FailedQueries } from './failed.js';
import { createFeedQueries, type FeedQueries } from './feeds.js';
import { createFilterQueries, dayOf, FILTER_WINDOW_MS, type FilterQueries } from './filters.js';
import { createJobQueries, type JobQueries } from './jobs.js';
import { createLeases, type Leases } from './leases.js';
import { migrate } from './migrations.js';
import { createOutboxQueries, type OutboxQueries } from './outbox.js';
import { createQuotas, type Quotas } from './quotas.js';
import type { Database } from './schema.js';
import { createSeenQueries, type SeenQueries } from './seen.js';
import { createServiceHealth, type ServiceHealth } from './serviceHealth.js';
import { createStoryQueries, type StoryQueries } from './stories.js';
import { createSubscriptionQueries, type SubscriptionQueries } from './subscriptions.js';

export interface Store {
  dialect: Dialect;
  feeds: FeedQueries;
  subscriptions: SubscriptionQueries;
  filters: FilterQueries;
  articleTags: ArticleTagQueries;
  chats: ChatQueries;
  managers: ChatManagerQueries;
  seen: SeenQueries;
  articles: ArticleQueries;
  outbox: OutboxQueries;
  daily: DailyQueries;
  stories: StoryQueries;
  quotas: Quotas;
  leases: Leases;
  jobs: JobQueries;
  failed: FailedQueries;
  moves: ChatMoves;
  services: ServiceHealth;
  /** Cached digests by content hash, and the newest digest key per canonical URL. */
  digests: Collection<CachedDigest>;
  digestsByUrl: Collection<string>;
  /** Small remembered facts: a provider's structured-output mode. */
  memory: Collection<unknown>;
  /** Drops what has outlived its use: sent marks, seen keys, old articles, spent quotas, expired cache entries. */
  prune(now: number): Promise<Record<string, number>>;
  /** The raw database, for migrations of old data and tests. */
  db: Kysely<Database>;
  close(): Promise<void>;
}

export const SENT_RETENTION_MS = 14 * 24 * 3_600_000;
/** How long a seen item key is remembered after it was last seen in its feed. */
export const SEEN_RETENTION_MS = 120 * 24 * 3_600_000;
/** A key still in its feed is marked seen again once it is this old (so a key older than its feed's last read by more is gone from it). */
export const SEEN_REFRESH_MS = SEEN_RETENTION_MS / 2;
/** What daily digests held is remembered this long (an article comes back to a chat's digest only after that). */
export const DAILY_SENT_RETENTION_MS = 30 * 24 * 3_600_000;
export const ARTICLE_RETENTION_MS = 14 * 24 * 3_600_000;
/** A story takes new sources for 48 hours; kept a day longer, so a rerun of a late dispatch still finds its place. */
export const STORY_RETENTION_MS = 72 * 3_600_000;


export async function openStore(url: string, onError: (error: unknown) => void = () => {}, options: OpenOptions = {}): Promise<Store> {
  const { dialect, kysely: db, close } = await openDatabase(url, options);
  try {
    await migrate(db);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  const cache = createCache(db, onError);
  const store: Store = {
    dialect,
    feeds: createFeedQueries(db, dialect),
    subscriptions: createSubscriptionQueries(db, dialect),
    filters: createFilterQueries(db, dialect),
    articleTags: createArticleTagQueries(db, dialect),
    chats: createChatQueries(db, dialect),
    managers: createChatManagerQueries(db),
    seen: createSeenQueries(db, dialect),
    articles: createArticleQueries(db, dialect),
    outbox: createOutboxQueries(db, dialect),
    daily: createDailyQueries(db, dialect),
    stories: createStoryQueries(db, dialect),
    quotas: createQuotas(db),
    leases: createLeases(db, dialect),
    jobs: createJobQueries(db, dialect),
    failed: createFailedQueries(db),
    moves: createChatMoves(db),
    services: createServiceHealth(db),
    digests: cache.collection<CachedDigest>('digests'),
    digestsByUrl: cache.collection<string>('digest_urls'),
    memory: cache.collection<unknown>('meta'),
    async prune(now) {
      return {
        sent: await store.outbox.pruneSent(now - SENT_RETENTION_MS),
        seen: await store.seen.prune(now - SEEN_RETENTION_MS, SEEN_REFRESH_MS),
        dailySent: await store.daily.pruneSent(now - DAILY_SENT_RETENTION_MS),
        articles: await store.articles.prune(now - ARTICLE_RETENTION_MS),
        stories: await store.stories.prune(now - STORY_RETENTION_MS),
        articleTags: await store.articleTags.prune(now - FILTER_WINDOW_MS - 24 * 3_600_000),
        filterDrops: await store.filters.pruneDrops(dayOf(now - FILTER_WINDOW_MS) - 1),
        quotas: await store.quotas.prune(now),
        cache: await cache.prune(now),
      };
    },
    db,
    close,
  };
  return store;
}
