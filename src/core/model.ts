// The domain's shapes, shared by every stage: feeds, items, digests, chats, deliveries.

/** A feed as parsed from one document, before any state. */
export interface ParsedFeed {
  format: 'rss' | 'atom' | 'rdf' | 'json';
  title: string;
  siteUrl?: string;
  /** The `ttl` hint of RSS, in minutes. */
  ttlMinutes?: number;
  items: Item[];
}

/** One entry of a feed, normalised. */
export interface Item {
  /** Identity within its feed: guid, else canonical link, else a hash of title and content. */
  key: string;
  guid?: string;
  /** Absolute link to the article. */
  url?: string;
  /** The link without tracking parameters, fragment or default port: the article's identity across feeds. */
  canonicalUrl?: string;
  title: string;
  author?: string;
  categories: string[];
  /** Epoch ms. */
  publishedAt?: number;
  contentHtml?: string;
  contentText: string;
}

/** A followed feed and its polling state (one store key per feed). */
export interface FeedState {
  id: string;
  url: string;
  title?: string;
  siteUrl?: string;
  etag?: string;
  lastModified?: string;
  /** Epoch ms of the next poll. */
  nextPollAt: number;
  /** Consecutive failures; 0 after a success. */
  errorCount: number;
  lastError?: string;
  lastErrorAt?: number;
  lastSuccessAt?: number;
  /** False until the first successful poll has recorded what was there. */
  primed: boolean;
  /** When subscribers were told that this feed has been failing for days; cleared by a success. */
  failureNoticeAt?: number;
  createdAt: number;
  /** Claims since the feed's last recorded outcome, this one included: above 1, a poll of it died with its process. */
  pollAttempts?: number;
}

/** The state of a feed nobody has polled yet: due now, not primed. */
export function newFeedState(id: string, url: string, now: number): FeedState {
  return { id, url, nextPollAt: now, errorCount: 0, primed: false, createdAt: now };
}

/** An article as the bot keeps it between polling and delivery; one per canonical URL across feeds. */
export interface Article {
  key: string;
  url?: string;
  canonicalUrl?: string;
  title: string;
  author?: string;
  publishedAt?: number;
  categories: string[];
  /** The feed's text, capped; the page is fetched when this is only a teaser. */
  contentText: string;
  feedId: string;
  feedTitle: string;
  firstSeenAt: number;
  /** False when the feed linked another site's URL: its text then serves that feed's readers only. */
  ownSite: boolean;
}

/** An article that arrived through a feed and waits for its digest before going out to that feed's chats. */
export interface PendingDigest {
  feedId: string;
  feedTitle: string;
  articleKey: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  /** Set once given up: the id operators and users quote. */
  failureId?: string;
}

/** What goes out for one article: its digest, or why there is none. */
export interface Dispatch {
  article: Article;
  feedId: string;
  feedTitle: string;
  digest?: import('./digest.js').Digest;
  /** Set when the article goes out without a digest. */
  noDigest?: 'unreadable' | 'llm-failed' | 'budget' | 'unfaithful';
}

export type DeliveryMode = 'instant' | 'daily' | 'both';

/** A chat the bot talks to, and how it wants its articles. */
export interface ChatSettings {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  lang: 'zh' | 'en';
  mode: DeliveryMode;
  /** HH:MM in `timezone`. */
  digestTime: string;
  timezone: string;
  /** False once Telegram said the bot is blocked or the chat is gone; true again when it speaks. */
  active: boolean;
  inactiveReason?: string;
  /** When the next scheduled daily digest is due (daily and both modes only). */
  nextDigestAt?: number;
  /** When the last daily digest went out on schedule. */
  lastDigestAt?: number;
  /** One story told by several feeds comes once (its first push edited to name the others); off: each feed's article apart. */
  merge: boolean;
  createdAt: number;
}

export function newChat(id: number, type: ChatSettings['type'], defaults: { digestTime: string; timezone: string; lang?: 'zh' | 'en' }, now: number): ChatSettings {
  return { id, type, lang: defaults.lang ?? 'zh', mode: 'instant', digestTime: defaults.digestTime, timezone: defaults.timezone, active: true, merge: true, createdAt: now };
}

/** How one feed reaches a chat: as the chat's `/mode` says, or its own way; `muted` keeps the feed without sending anything. */
export type FeedMode = 'chat' | DeliveryMode | 'muted';

/** A subscription's own options (INTERFACE.md, "Per-feed options"). */
export interface FeedOptions {
  mode: FeedMode;
  /** Shown instead of the feed's own title. */
  title?: string;
  /** The push shows the article's link preview, its large image above the text. */
  preview: boolean;
  /** The forum topic its pushes go to. */
  threadId?: number;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = { mode: 'chat', preview: false };

/** A chat following a feed. */
export interface Subscription extends FeedOptions {
  feedId: string;
  chatId: number;
  createdAt: number;
}

/** One message waiting in the durable outbox. */
export interface OutboxMessage {
  /** Stable id: the same push or digest part always gets the same id, so a rerun cannot queue it twice. */
  id: string;
  chatId: number;
  html?: string;
  /** Plain-text fallback, or the text of a plain message. */
  plain: string;
  document?: { filename: string; base64: string; caption?: string };
  replyMarkup?: unknown;
  replyTo?: number;
  /** The outbox id of an earlier message (a progress note) this one takes the place of: edited into it when it was sent. */
  replaces?: string;
  /**
   * With `replaces`: an edit, or the replaced message's place in the queue when it has not gone out; when it is gone (deleted, too
   * old, failed), nothing (a story's next source named under a push the chat got: never a second push).
   */
  editOnly?: boolean;
  noPreview?: boolean;
  /** The article's link preview, with its large image above the text (a push of a feed whose preview is on). */
  preview?: { url: string };
  /** The forum topic it goes to. */
  threadId?: number;
  createdAt: number;
  attempts: number;
}
