// Refreshes one claimed feed, top to bottom: conditional GET, parse, keep the new items, hand them on, then record state field by field.
import type { FeedState, Item } from '../core/model.js';
import { nextPollAfterFailure, nextPollAfterSuccess } from '../core/schedule.js';
import { readFeed } from '../feeds/readFeed.js';
import { FetchError, type SafeFetch } from '../feeds/safeFetch.js';
import type { Logger } from '../log.js';
import type { FeedQueries } from '../store/feeds.js';
import type { SeenQueries } from '../store/seen.js';
import { findNewItems } from './newItems.js';

/** The next stage: receives a feed's new items; must be idempotent (a crash may hand the same items again). */
export interface ItemSink {
  accept(feed: FeedState, items: Item[]): Promise<void>;
}

export type PollOutcome =
  | { kind: 'new'; count: number }
  | { kind: 'primed'; count: number }
  | { kind: 'not-modified' }
  | { kind: 'error'; message: string };

/** New items of one feed taken per poll: a feed that re-keys thousands of items at once gets its newest only. */
export const MAX_NEW_PER_POLL = 100;

export interface PollDeps {
  feeds: Pick<FeedQueries, 'recordSuccess' | 'recordFailure'>;
  seen: SeenQueries;
  fetch: SafeFetch;
  sink: ItemSink;
  log: Logger;
  now: () => number;
  /** Least time between two polls of a feed (0: every tick). */
  intervalMs: number;
  /** A feed brought more new items than one poll takes (told to its subscribers). */
  onFlood?(feed: FeedState, total: number, kept: number): Promise<void>;
}

/** The newest `max` of the new items (by date where they have one, else in the feed's own order). */
export function newestFirst(items: Item[], max: number): Item[] {
  if (items.length <= max) return items;
  const ranked = items.map((item, i) => ({ item, i }));
  ranked.sort((a, b) => (b.item.publishedAt ?? Infinity) - (a.item.publishedAt ?? Infinity) || a.i - b.i);
  return ranked.slice(0, max).map((r) => r.item);
}

/** First wait after a failure; it doubles per failure in a row, up to a day. */
export const FAILURE_BACKOFF_MS = 5 * 60_000;

export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 500);
}

export async function pollFeed(deps: PollDeps, feed: FeedState): Promise<PollOutcome> {
  const { log } = deps;
  const started = deps.now();
  const validators = feed.primed ? { etag: feed.etag, lastModified: feed.lastModified } : {};
  try {
    const read = await readFeed(deps.fetch, feed.url, validators);
    const now = deps.now();
    if (read.status === 'not-modified') {
      await deps.feeds.recordSuccess(feed.id, { at: now, nextPollAt: nextPollAfterSuccess(now, deps.intervalMs, read.hints) });
      log.debug('feed not modified', { feedUrl: feed.url, durationMs: now - started });
      return { kind: 'not-modified' };
    }
    const { fresh, markSeen } = await findNewItems(deps.seen, feed.id, read.feed.items, now, log.child({ feedUrl: feed.url }));
    const title = read.feed.title || feed.title || feed.url;
    const taken = newestFirst(fresh, MAX_NEW_PER_POLL);
    if (feed.primed && taken.length > 0) await deps.sink.accept({ ...feed, title }, taken);
    if (feed.primed && taken.length < fresh.length) {
      log.warn('feed flooded: only its newest items are digested', { feedUrl: feed.url, newItems: fresh.length, kept: taken.length });
      await deps.onFlood?.({ ...feed, title }, fresh.length, taken.length).catch((error: unknown) => log.error('could not tell about a flooded feed', { feedUrl: feed.url, error }));
    }
    await markSeen();
    await deps.feeds.recordSuccess(feed.id, {
      at: now,
      nextPollAt: nextPollAfterSuccess(now, deps.intervalMs, { ...read.hints, ttlMinutes: read.feed.ttlMinutes }),
      title,
      primed: true,
      etag: read.validators.etag,
      lastModified: read.validators.lastModified,
      ...(read.feed.siteUrl ? { siteUrl: read.feed.siteUrl } : {}),
    });
    const level = !feed.primed || fresh.length > 0 ? 'info' : 'debug';
    log[level](feed.primed ? 'feed polled' : 'feed primed', { feedUrl: feed.url, newItems: fresh.length, durationMs: deps.now() - started });
    return feed.primed ? { kind: 'new', count: fresh.length } : { kind: 'primed', count: read.feed.items.length };
  } catch (error) {
    const now = deps.now();
    const message = errorMessage(error);
    const errorCount = feed.errorCount + 1;
    const retryAfter = error instanceof FetchError ? error.retryAfterMs : undefined;
    await deps.feeds.recordFailure(feed.id, {
      errorCount,
      error: message,
      at: now,
      nextPollAt: nextPollAfterFailure(now, Math.max(deps.intervalMs, FAILURE_BACKOFF_MS), errorCount, retryAfter),
    });
    log.warn('feed failed', { feedUrl: feed.url, errorCount, error: message, durationMs: now - started });
    return { kind: 'error', message };
  }
}
