// Refreshes one feed, top to bottom: conditional GET, parse, keep the new items, hand them on, then record state.
import type { FeedState, Item } from '../core/model.js';
import { nextPollAfterFailure, nextPollAfterSuccess } from '../core/schedule.js';
import { readFeed } from '../feeds/readFeed.js';
import { FetchError, type SafeFetch } from '../feeds/safeFetch.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
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

export interface PollDeps {
  store: Store;
  fetch: SafeFetch;
  sink: ItemSink;
  log: Logger;
  now: () => number;
  intervalMs: number;
}

export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 500);
}

export async function pollFeed(deps: PollDeps, feed: FeedState): Promise<PollOutcome> {
  const { store, log } = deps;
  const started = deps.now();
  const validators = feed.primed ? { etag: feed.etag, lastModified: feed.lastModified } : {};
  try {
    const read = await readFeed(deps.fetch, feed.url, validators);
    const now = deps.now();
    const healthy: FeedState = { ...feed, errorCount: 0, lastSuccessAt: now };
    delete healthy.failureNoticeAt;
    if (read.status === 'not-modified') {
      await store.feeds.set(feed.id, { ...healthy, nextPollAt: nextPollAfterSuccess(now, deps.intervalMs, read.hints) });
      log.debug('feed not modified', { feedUrl: feed.url, durationMs: now - started });
      return { kind: 'not-modified' };
    }
    const { fresh, markSeen } = await findNewItems(store, feed.id, read.feed.items, now);
    const updated: FeedState = {
      ...healthy,
      title: read.feed.title || feed.title || feed.url,
      primed: true,
      nextPollAt: nextPollAfterSuccess(now, deps.intervalMs, { ...read.hints, ttlMinutes: read.feed.ttlMinutes }),
    };
    if (read.feed.siteUrl) updated.siteUrl = read.feed.siteUrl;
    delete updated.etag;
    delete updated.lastModified;
    if (read.validators.etag) updated.etag = read.validators.etag;
    if (read.validators.lastModified) updated.lastModified = read.validators.lastModified;
    if (feed.primed && fresh.length > 0) await deps.sink.accept(updated, fresh);
    await markSeen();
    await store.feeds.set(feed.id, updated);
    const level = !feed.primed || fresh.length > 0 ? 'info' : 'debug';
    log[level](feed.primed ? 'feed polled' : 'feed primed', { feedUrl: feed.url, newItems: fresh.length, durationMs: deps.now() - started });
    return feed.primed ? { kind: 'new', count: fresh.length } : { kind: 'primed', count: read.feed.items.length };
  } catch (error) {
    const now = deps.now();
    const message = errorMessage(error);
    const errorCount = feed.errorCount + 1;
    const retryAfter = error instanceof FetchError ? error.retryAfterMs : undefined;
    await store.feeds.set(feed.id, {
      ...feed,
      errorCount,
      lastError: message,
      lastErrorAt: now,
      nextPollAt: nextPollAfterFailure(now, deps.intervalMs, errorCount, retryAfter),
    });
    log.warn('feed failed', { feedUrl: feed.url, errorCount, error: message, durationMs: now - started });
    return { kind: 'error', message };
  }
}
