// Following a feed: a known feed at once (one insert); a new one fetched once (however many ask together), recorded without backlog, then followed.
import { cleanFeedUrl, feedIdentity } from '../core/canonicalUrl.js';
import { feedId } from '../core/itemKey.js';
import { newFeedState, type FeedOptions, type FeedState } from '../core/model.js';
import { nextPollAfterSuccess } from '../core/schedule.js';
import { hasScheme } from '../core/urlsInText.js';
import { NotAFeedError } from '../feeds/parseFeed.js';
import { readFeed, type FeedRead } from '../feeds/readFeed.js';
import { isConnectionFailure, type SafeFetch } from '../feeds/safeFetch.js';
import type { FeedQueries } from '../store/feeds.js';
import type { SeenQueries } from '../store/seen.js';
import type { SubscriptionQueries } from '../store/subscriptions.js';

export class SubscribeError extends Error {
  constructor(
    readonly input: string,
    readonly reason: 'bad-url' | 'limit' | 'not-a-feed' | 'fetch',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SubscribeError';
  }
}

export interface SubscribeResult {
  feed: FeedState;
  already: boolean;
  /** Set when the URL was a web page and its advertised feed was used. */
  discoveredFrom?: string;
}

export interface SubscribeDeps {
  feeds: Pick<FeedQueries, 'get' | 'insert' | 'deleteIfUnfollowed'>;
  subscriptions: Pick<SubscriptionQueries, 'follow' | 'unfollow' | 'countOfChat' | 'setOptions'>;
  seen: Pick<SeenQueries, 'mark'>;
  fetch: SafeFetch;
  now: () => number;
  intervalMs: number;
  maxPerChat: number;
}

export interface Subscriber {
  /** The feed this input names, when the bot already polls it (so following it needs no fetch). */
  known(input: string): Promise<FeedState | undefined>;
  /**
   * Follows the feed at `input`; a new subscription starts with `options` (an imported feed's, a forum topic's), and a /sub in a
   * forum topic moves a feed already followed to that topic.
   */
  subscribe(chatId: number, input: string, options?: Partial<FeedOptions>): Promise<SubscribeResult>;
  /** Unsubscribes; the feed itself goes when nobody follows it any more. */
  unsubscribe(chatId: number, feedId: string): Promise<boolean>;
}

/** Accepts `example.com/feed` as `https://example.com/feed`; refuses anything but http(s). */
export function normaliseFeedInput(input: string): string {
  const raw = input.trim().replace(/^<|>$/g, '');
  const withScheme = hasScheme(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new SubscribeError(input, 'bad-url', `not a URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SubscribeError(input, 'bad-url', `only http and https feeds: ${input}`);
  if (!url.hostname.includes('.') && url.hostname !== 'localhost' && !url.hostname.startsWith('[')) {
    throw new SubscribeError(input, 'bad-url', `not a URL: ${input}`);
  }
  return cleanFeedUrl(url);
}

/** The id of the feed at this URL (one feed whatever tracking parameters or trailing slash it is given with). */
const idOf = (url: string) => feedId(feedIdentity(url));

/** Paths where sites commonly serve their feed without advertising it. */
const COMMON_FEED_PATHS = ['/feed', '/rss', '/rss.xml', '/atom.xml', '/index.xml', '/feed.xml'];

export function createSubscriber(deps: SubscribeDeps): Subscriber {
  /** First fetches in flight in this process, by URL: a burst of /sub for one new feed fetches it once. */
  const firstFetches = new Map<string, Promise<{ feed: FeedState; discoveredFrom?: string }>>();

  const follow = async (chatId: number, feed: FeedState, options: Partial<FeedOptions>, discoveredFrom?: string): Promise<SubscribeResult | undefined> => {
    const r = await deps.subscriptions.follow(feed.id, chatId, deps.now(), deps.maxPerChat, options);
    if (r === 'no-feed') return undefined;
    if (r === 'already' && options.threadId !== undefined) await deps.subscriptions.setOptions(feed.id, chatId, { threadId: options.threadId });
    if (r === 'limit') throw new SubscribeError(feed.url, 'limit', `this chat already follows ${deps.maxPerChat} feeds`);
    return { feed, already: r === 'already', ...(discoveredFrom ? { discoveredFrom } : {}) };
  };

  const firstFetch = (input: string, url: string) => {
    let p = firstFetches.get(url);
    if (!p) {
      p = fetchNewFeed(deps, input, url).finally(() => firstFetches.delete(url));
      firstFetches.set(url, p);
    }
    return p;
  };

  return {
    async known(input) {
      return deps.feeds.get(idOf(normaliseFeedInput(input)));
    },
    async subscribe(chatId, input, options = {}) {
      const url = normaliseFeedInput(input);
      for (let attempt = 0; attempt < 3; attempt++) {
        const existing = await deps.feeds.get(idOf(url));
        if (existing) {
          const done = await follow(chatId, existing, options);
          if (done) return done;
          continue; // unsubscribed by everyone a moment ago: fetch it anew
        }
        if ((await deps.subscriptions.countOfChat(chatId)) >= deps.maxPerChat) {
          throw new SubscribeError(input, 'limit', `this chat already follows ${deps.maxPerChat} feeds`);
        }
        const { feed, discoveredFrom } = await firstFetch(input, url).catch(async (error: unknown) => {
          // Typed without a scheme and https does not answer: the site may speak plain http only.
          if (!typedWithoutScheme(input) || !(error instanceof SubscribeError) || !isConnectionFailure(error.cause)) throw error;
          return firstFetch(input, url.replace(/^https:/, 'http:'));
        });
        const done = await follow(chatId, feed, options, discoveredFrom);
        if (done) return done;
      }
      throw new SubscribeError(input, 'fetch', `${input}: the feed was removed while subscribing; try again`);
    },
    async unsubscribe(chatId, id) {
      const removed = await deps.subscriptions.unfollow(id, chatId);
      if (removed) await deps.feeds.deleteIfUnfollowed(id);
      return removed;
    },
  };
}

/** Fetches a feed nobody follows yet (resolving a web page to its advertised feed) and records it, with what it holds now counted as seen. */
async function fetchNewFeed(deps: SubscribeDeps, input: string, url: string): Promise<{ feed: FeedState; discoveredFrom?: string }> {
  let read: FeedRead;
  let feedUrl = url;
  let discoveredFrom: string | undefined;
  try {
    read = await readFeed(deps.fetch, url);
  } catch (error) {
    if (!(error instanceof NotAFeedError)) throw wrap(input, error);
    // A web page: its advertised feed, else the paths where sites commonly serve one.
    discoveredFrom = url;
    const candidates = error.alternates.length ? [error.alternates[0]!.url] : COMMON_FEED_PATHS.map((p) => new URL(p, url).href);
    const found = await readFirst(deps, candidates).catch((inner: unknown) => {
      throw wrap(input, inner);
    });
    if (!found) throw wrap(input, error);
    if ('known' in found) return { feed: found.known, discoveredFrom };
    ({ read, url: feedUrl } = found);
  }
  if (read.status !== 'ok') throw new SubscribeError(input, 'fetch', `${input}: the server sent no feed`);
  const now = deps.now();
  const feed: FeedState = {
    ...newFeedState(idOf(feedUrl), feedUrl, now),
    title: read.feed.title || new URL(feedUrl).hostname,
    primed: true,
    lastSuccessAt: now,
    nextPollAt: nextPollAfterSuccess(now, deps.intervalMs, { ...read.hints, ttlMinutes: read.feed.ttlMinutes }),
  };
  if (read.feed.siteUrl) feed.siteUrl = read.feed.siteUrl;
  if (read.validators.etag) feed.etag = read.validators.etag;
  if (read.validators.lastModified) feed.lastModified = read.validators.lastModified;
  // No backlog: what the feed holds now counts as seen, before the feed can be polled.
  await deps.seen.mark(feed.id, read.feed.items.map((i) => i.key), now);
  if (!(await deps.feeds.insert(feed))) return { feed: (await deps.feeds.get(feed.id)) ?? feed, ...(discoveredFrom ? { discoveredFrom } : {}) };
  return discoveredFrom ? { feed, discoveredFrom } : { feed };
}

/** The first of these URLs that is a feed the bot knows (no fetch) or that reads as a feed; undefined when none does. */
async function readFirst(deps: SubscribeDeps, urls: string[]): Promise<{ known: FeedState } | { read: FeedRead; url: string } | undefined> {
  for (const url of urls) {
    const known = await deps.feeds.get(idOf(url));
    if (known) return { known };
    try {
      const read = await readFeed(deps.fetch, url);
      if (read.status === 'ok') return { read, url };
    } catch (error) {
      if (urls.length === 1) throw error; // the advertised feed: its own error says most
    }
  }
  return undefined;
}

const typedWithoutScheme = (input: string) => !hasScheme(input.trim().replace(/^</, ''));

function wrap(input: string, error: unknown): SubscribeError {
  if (error instanceof SubscribeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SubscribeError(input, error instanceof NotAFeedError ? 'not-a-feed' : 'fetch', message, { cause: error });
}
