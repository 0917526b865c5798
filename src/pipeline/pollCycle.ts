// One poll cycle: the feeds that are due, fetched with bounded concurrency and a per-host limit, one outcome per feed.
import type { FeedState } from '../core/model.js';
import { createLimiter } from './limiter.js';
import { pollFeed, type PollDeps, type PollOutcome } from './pollFeed.js';

export interface CycleOptions {
  concurrency: number;
  perHostConcurrency: number;
  /** Poll every feed, due or not (`poll --once`). */
  all?: boolean;
}

export interface FeedResult {
  feed: FeedState;
  outcome: PollOutcome;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export async function listFeeds(deps: Pick<PollDeps, 'store'>): Promise<FeedState[]> {
  const feeds: FeedState[] = [];
  for await (const [, feed] of deps.store.feeds.entries()) feeds.push(feed);
  return feeds;
}

export async function runPollCycle(deps: PollDeps, options: CycleOptions): Promise<FeedResult[]> {
  const now = deps.now();
  const feeds = (await listFeeds(deps)).filter((f) => options.all || f.nextPollAt <= now).sort((a, b) => a.nextPollAt - b.nextPollAt);
  const limiter = createLimiter(options.concurrency, options.perHostConcurrency);
  const started = deps.now();
  const results = await Promise.all(
    feeds.map((feed) => limiter.run(hostOf(feed.url), async () => ({ feed, outcome: await pollFeed(deps, feed) }))),
  );
  const count = (kind: PollOutcome['kind']) => results.filter((r) => r.outcome.kind === kind).length;
  deps.log.info('poll cycle done', {
    feeds: results.length,
    changed: count('new') + count('primed'),
    notModified: count('not-modified'),
    failed: count('error'),
    newItems: results.reduce((n, r) => n + (r.outcome.kind === 'new' ? r.outcome.count : 0), 0),
    durationMs: deps.now() - started,
  });
  return results;
}
