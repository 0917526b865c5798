// The tables behind the bot, as Kysely sees them: one interface per table, times as epoch ms, flags as 0/1 (the same on SQLite and PostgreSQL).
import type { Generated } from 'kysely';

export interface FeedsTable {
  id: string;
  url: string;
  title: string | null;
  site_url: string | null;
  etag: string | null;
  last_modified: string | null;
  next_poll_at: number;
  error_count: Generated<number>;
  last_error: string | null;
  last_error_at: number | null;
  last_success_at: number | null;
  primed: Generated<number>;
  failure_notice_at: number | null;
  created_at: number;
  /** A poll worker holds the feed until then (0: free). */
  claimed_until: Generated<number>;
  /** When a worker last took it: once per tick at most. */
  last_polled_at: Generated<number>;
  /** The worker (a process's id for this run) that holds it. */
  claimed_by: string | null;
  /** Claims since its last recorded outcome: a poll that killed its process counts as a failure. */
  poll_attempts: Generated<number>;
  /** When its keys were last marked seen (a body was read): keys marked before that are the ones gone from the feed. */
  seen_at: number | null;
}

export interface SubscriptionsTable {
  feed_id: string;
  chat_id: number;
  created_at: number;
  /** Unused (an early room for options; the options have columns of their own). */
  options: string | null;
  /** Its own delivery: instant, daily, both or muted; null follows the chat's mode. */
  mode: string | null;
  /** Shown instead of the feed's title. */
  title: string | null;
  /** 1: pushes show the article's link preview, its large image above the text. */
  preview: Generated<number>;
  /** The forum topic its pushes go to (null: the chat's main thread). */
  thread_id: number | null;
}

/** One term of a chat's filter on one feed (`scope` its id) or on all its feeds (`scope` '*'). */
export interface FilterTermsTable {
  chat_id: number;
  scope: string;
  sign: string;
  /** The folded text searched for. */
  needle: string;
  kind: string;
  /** As typed, for showing. */
  term: string;
  created_at: number;
}

/** Articles a filter kept from a chat, per feed, per filter (`scope` as in filter_terms) and per day (days since the epoch). */
export interface FilterDropsTable {
  chat_id: number;
  feed_id: string;
  scope: string;
  day: number;
  n: number;
}

/** The tags of each digested article of a feed, for /tags. */
export interface ArticleTagsTable {
  feed_id: string;
  article_key: string;
  tag: string;
  at: number;
}

/** A story of the last 48 hours, compared by its first member's digest. */
export interface StoriesTable {
  /** The first member's article key. */
  id: string;
  at: number;
  title: string;
  tldr: string;
  /** JSON array. */
  tags: string;
  /** The first member's original title. */
  original: string;
}

export interface StoryMembersTable {
  story_id: string;
  article_key: string;
  feed_id: string;
  feed_title: string;
  url: string | null;
  at: number;
  /** The member's push as rendered for every chat, the feed's name a marker each chat's statement fills in. */
  html_zh: string;
  html_en: string;
  plain_zh: string;
  plain_en: string;
}

export interface StoryTokensTable {
  token: string;
  story_id: string;
  at: number;
}

export interface ChatsTable {
  id: number;
  type: string;
  title: string | null;
  lang: string;
  mode: string;
  digest_time: string;
  timezone: string;
  active: Generated<number>;
  inactive_reason: string | null;
  /** The instant of the next scheduled daily digest; null in instant mode. */
  next_digest_at: number | null;
  last_digest_at: number | null;
  created_at: number;
  /** A daily tick holds the chat's due digest until then (its due instant stays as it was: the digest's identity). */
  digest_claimed_until: Generated<number>;
  digest_claimed_by: string | null;
  /** 1: a story told by several feeds comes once, its first push edited to name the others. */
  merge: Generated<number>;
}

export interface SeenTable {
  feed_id: string;
  /** A hash of the item key: bounded length, whatever the guid or link. */
  key_hash: string;
  at: number;
}

export interface ArticlesTable {
  key: string;
  url: string | null;
  canonical_url: string | null;
  title: string;
  author: string | null;
  published_at: number | null;
  categories: string;
  content_text: string;
  feed_id: string;
  feed_title: string;
  first_seen_at: number;
  own_site: number;
}

export interface PendingDigestsTable {
  feed_id: string;
  article_key: string;
  feed_title: string;
  created_at: number;
  attempts: Generated<number>;
  next_attempt_at: number;
  /** Its feed's turn: a feed's articles are spaced out in turns, so a feed that floods the queue cannot starve the others. */
  turn_at: number;
  last_error: string | null;
  claimed_until: Generated<number>;
  claimed_by: string | null;
  /** Given up after too many attempts: kept for operators (`failed`), never claimed again until revived. */
  failed_at: number | null;
  failure_id: string | null;
}

export interface OutboxTable {
  id: string;
  chat_id: number;
  /** 0 for replies to a person, 1 for pushes and digests: a reply never waits behind a fan-out. */
  priority: number;
  created_at: number;
  html: string | null;
  plain: string;
  /** JSON: document, reply markup, reply-to, preview. */
  extra: string | null;
  attempts: Generated<number>;
  /** The sender holds the message until then while it is being sent. */
  claimed_until: Generated<number>;
  failed_at: number | null;
  failure_id: string | null;
  last_error: string | null;
  /** The forum topic it goes to. */
  thread_id: number | null;
}

/** One row per chat with queued messages: when its next message may go. The sender picks from here by index. */
export interface OutboxChatsTable {
  chat_id: number;
  priority: number;
  ready_at: number;
}

export interface SentTable {
  id: string;
  at: number;
  /** Telegram's message id, for a later message that edits this one in place. */
  message_id: number | null;
}

export interface DailyEntriesTable {
  chat_id: number;
  article_key: string;
  feed_id: string;
  feed_title: string;
  title: string;
  url: string | null;
  tldr: string | null;
  tags: string;
  published_at: number | null;
  at: number;
  /** The forum topic the line's feed goes to (null: the chat's main thread). */
  thread_id: number | null;
  /** The story it tells: a chat that merges stories sees one line per story, naming its other sources. */
  story_id: string | null;
}

export interface QuotasTable {
  name: string;
  period: string;
  used: number;
  expires_at: number;
}

export interface LeasesTable {
  name: string;
  owner: string;
  until: number;
}

export interface CacheTable {
  key: string;
  value: string;
  expires_at: number | null;
}

/** Slow work a person asked for (/sub of a new feed, /summary, /import): survives a deploy or a crash, one at a time per chat. */
export interface JobsTable {
  id: string;
  chat_id: number;
  kind: string;
  payload: string;
  created_at: number;
  run_at: number;
  attempts: Generated<number>;
  claimed_until: Generated<number>;
  claimed_by: string | null;
  last_error: string | null;
  failed_at: number | null;
  failure_id: string | null;
}

/** Which articles a chat's daily digests already held: an article is in one daily digest of a chat at most. */
export interface DailySentTable {
  chat_id: number;
  article_key: string;
  at: number;
}

/** A user who manages a channel (or group) from a private chat, since `at` (the last time it was checked). */
export interface ChatManagersTable {
  chat_id: number;
  user_id: number;
  at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  feeds: FeedsTable;
  subscriptions: SubscriptionsTable;
  chats: ChatsTable;
  seen: SeenTable;
  articles: ArticlesTable;
  pending_digests: PendingDigestsTable;
  outbox: OutboxTable;
  outbox_chats: OutboxChatsTable;
  sent: SentTable;
  daily_entries: DailyEntriesTable;
  daily_sent: DailySentTable;
  quotas: QuotasTable;
  leases: LeasesTable;
  cache: CacheTable;
  meta: MetaTable;
  jobs: JobsTable;
  filter_terms: FilterTermsTable;
  filter_drops: FilterDropsTable;
  article_tags: ArticleTagsTable;
  chat_managers: ChatManagersTable;
  stories: StoriesTable;
  story_members: StoryMembersTable;
  story_tokens: StoryTokensTable;
}
