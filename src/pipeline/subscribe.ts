// Following a feed: resolve a web page to its feed, fetch it once, record what is there (no backlog), subscribe the chat.
import { feedId } from '../core/itemKey.js';
import { newFeedState, type FeedState } from '../core/model.js';
import { nextPollAfterSuccess } from '../core/schedule.js';
import { NotAFeedError } from '../feeds/parseFeed.js';
import { readFeed, type FeedRead } from '../feeds/readFeed.js';
import type { SafeFetch } from '../feeds/safeFetch.js';
import type { Store } from '../store/store.js';
import type { SubscriptionIndex } from '../store/subscriptions.js';
import { findNewItems } from './newItems.js';

export class SubscribeError extends Error {
  constructor(
    readonly input: string,
    readonly reason: 'bad-url' | 'limit' | 'not-a-feed' | 'fetch',
    message: string,
  ) {
    super(message);
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
  store: Store;
  subs: SubscriptionIndex;
  fetch: SafeFetch;
  now: () => number;
  intervalMs: number;
  maxPerChat: number;
}

/** Accepts `example.com/feed` as `https://example.com/feed`; refuses anything but http(s). */
export function normaliseFeedInput(input: string): string {
  const raw = input.trim().replace(/^<|>$/g, '');
  const withScheme = /^[a-z][a-z\d+.-]*:/i.test(raw) ? raw : `https://${raw}`;
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
  url.hash = '';
  return url.href;
}

export async function subscribe(deps: SubscribeDeps, chatId: number, input: string): Promise<SubscribeResult> {
  const url = normaliseFeedInput(input);
  const existing = await deps.store.feeds.get(feedId(url));
  if ((await deps.subs.subscriptions(chatId)).length >= deps.maxPerChat && !(existing && (await deps.subs.subscribers(existing.id)).includes(chatId))) {
    throw new SubscribeError(input, 'limit', `this chat already follows ${deps.maxPerChat} feeds`);
  }
  if (existing) return attach(deps, chatId, existing);
  let read: FeedRead;
  let feedUrl = url;
  let discoveredFrom: string | undefined;
  try {
    read = await readFeed(deps.fetch, url);
  } catch (error) {
    if (!(error instanceof NotAFeedError) || error.alternates.length === 0) throw wrap(input, error);
    discoveredFrom = url;
    feedUrl = error.alternates[0]!.url;
    const known = await deps.store.feeds.get(feedId(feedUrl));
    if (known) return { ...(await attach(deps, chatId, known)), discoveredFrom };
    try {
      read = await readFeed(deps.fetch, feedUrl);
    } catch (inner) {
      throw wrap(input, inner);
    }
  }
  if (read.status !== 'ok') throw new SubscribeError(input, 'fetch', `${input}: the server sent no feed`);
  const now = deps.now();
  const feed: FeedState = {
    ...newFeedState(feedId(feedUrl), feedUrl, now),
    title: read.feed.title || new URL(feedUrl).hostname,
    primed: true,
    lastSuccessAt: now,
    nextPollAt: nextPollAfterSuccess(now, deps.intervalMs, { ...read.hints, ttlMinutes: read.feed.ttlMinutes }),
  };
  if (read.feed.siteUrl) feed.siteUrl = read.feed.siteUrl;
  if (read.validators.etag) feed.etag = read.validators.etag;
  if (read.validators.lastModified) feed.lastModified = read.validators.lastModified;
  // No backlog: what the feed holds now counts as seen.
  await (await findNewItems(deps.store, feed.id, read.feed.items, now)).markSeen();
  await deps.store.feeds.set(feed.id, feed);
  await deps.subs.add(feed.id, chatId, now);
  return discoveredFrom ? { feed, already: false, discoveredFrom } : { feed, already: false };
}

async function attach(deps: SubscribeDeps, chatId: number, feed: FeedState): Promise<SubscribeResult> {
  const added = await deps.subs.add(feed.id, chatId, deps.now());
  return { feed, already: !added };
}

function wrap(input: string, error: unknown): SubscribeError {
  if (error instanceof SubscribeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SubscribeError(input, error instanceof NotAFeedError ? 'not-a-feed' : 'fetch', message);
}

/** Unsubscribes; the feed itself goes when nobody follows it any more. */
export async function unsubscribe(deps: Pick<SubscribeDeps, 'store' | 'subs'>, chatId: number, feedIdToDrop: string): Promise<boolean> {
  const removed = await deps.subs.remove(feedIdToDrop, chatId);
  if (removed && (await deps.subs.count(feedIdToDrop)) === 0) await deps.store.feeds.delete(feedIdToDrop);
  return removed;
}
