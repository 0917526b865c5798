// Refreshes one claimed feed, top to bottom: conditional GET, parse, keep the new items, hand them on, then record state field by field.
import type { FeedState, Item } from '../core/model.js';
import { nextPollAfterFailure, nextPollAfterSuccess } from '../core/schedule.js';
import { readFeed } from '../feeds/readFeed.js';
import { FetchError, type SafeFetch } from '../feeds/safeFetch.js';
import type { Logger } from '../log.js';
import { isStoreUnavailable } from '../store/database.js';
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
  feeds: Pick<FeedQueries, 'recordSuccess' | 'recordFailure' | 'release'>;
  /** This process's id as the owner of its claims. */
  owner: string;
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

/** Polls of one feed that died with their process, in a row, before the next claim counts as a failure (one is a deploy's kill). */
export const CRASHES_BEFORE_FAILURE = 2;

export async function pollFeed(deps: PollDeps, feed: FeedState): Promise<PollOutcome> {
  const { log } = deps;
  const started = deps.now();
  const validators = feed.primed ? { etag: feed.etag, lastModified: feed.lastModified } : {};
  const recordFailure = async (error: string, retryAfter?: number) => {
    const now = deps.now();
    const errorCount = feed.errorCount + 1;
    const nextPollAt = nextPollAfterFailure(now, Math.max(deps.intervalMs, FAILURE_BACKOFF_MS), errorCount, retryAfter);
    if (!(await deps.feeds.recordFailure(feed.id, deps.owner, { errorCount, error, at: now, nextPollAt }))) log.warn('feed claim lost; outcome not recorded', { feedUrl: feed.url });
    log.warn('feed failed', { feedUrl: feed.url, errorCount, error, durationMs: now - started });
    return { kind: 'error', message: error } as const;
  };
  if ((feed.pollAttempts ?? 1) > CRASHES_BEFORE_FAILURE) {
    // The last polls of this feed never recorded an outcome: their process died (out of memory, a native crash). Back off
    // like a failing feed instead of feeding it to the next process at once.
    log.error('feed polls died with their process; backing off', { feedUrl: feed.url, pollAttempts: feed.pollAttempts });
    return recordFailure(`the last ${(feed.pollAttempts ?? 1) - 1} polls of this feed stopped the bot's process`);
  }
  try {
    const read = await readFeed(deps.fetch, feed.url, validators);
    const now = deps.now();
    if (read.status === 'not-modified') {
      await deps.feeds.recordSuccess(feed.id, deps.owner, { at: now, nextPollAt: nextPollAfterSuccess(now, deps.intervalMs, read.hints) });
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
    await deps.feeds.recordSuccess(feed.id, deps.owner, {
      at: now,
      seenAt: now,
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
    if (isStoreUnavailable(error)) {
      // Not the feed's fault: let it go uncounted (if the store answers), so it is polled again once the store is back.
      await deps.feeds.release(feed.id, deps.owner).catch(() => {});
      log.warn('feed poll stopped: the database is unavailable', { feedUrl: feed.url, error: errorMessage(error) });
      return { kind: 'error', message: 'the database is unavailable' };
    }
    return recordFailure(errorMessage(error), error instanceof FetchError ? error.retryAfterMs : undefined);
  }
}
