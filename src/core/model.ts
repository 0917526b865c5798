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
  createdAt: number;
}

/** The state of a feed nobody has polled yet: due now, not primed. */
export function newFeedState(id: string, url: string, now: number): FeedState {
  return { id, url, nextPollAt: now, errorCount: 0, primed: false, createdAt: now };
}
