// The poll stage: every cron tick makes the feeds due by then claimable; workers on every replica claim them, a few per host at a time.
import type { FeedState } from '../core/model.js';
import type { FeedQueries } from '../store/feeds.js';
import { createStage, type Stage } from '../stages/stage.js';
import { createLimiter } from './hostLimiter.js';
import { pollFeed, type PollDeps, type PollOutcome } from './pollFeed.js';

export interface FeedResult {
  feed: FeedState;
  outcome: PollOutcome;
}

export interface PollStageDeps extends PollDeps {
  claims: Pick<FeedQueries, 'claimDue' | 'claimIds' | 'ids'>;
  concurrency: number;
  perHostConcurrency: number;
  /** Hears every outcome (failing-feed notices). */
  onResult?(result: FeedResult): Promise<void>;
}

export interface PollStage extends Pick<Stage, 'start' | 'stop' | 'idle'> {
  /** A cron tick: feeds due by `at` may now be polled. */
  tick(at?: number): void;
  /** Polls every feed once, due or not, and reports each (`poll --once`). */
  pollAll(): Promise<FeedResult[]>;
}

/** A claim outlives the slowest fetch (timeouts, redirects) by far; a crashed worker's feeds come back after it. */
const HOLD_MS = 5 * 60_000;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function createPollStage(deps: PollStageDeps): PollStage {
  const limiter = createLimiter(deps.concurrency, deps.perHostConcurrency);
  let dueBy: number | undefined;

  const poll = async (feed: FeedState): Promise<FeedResult> => {
    const outcome = await limiter.run(hostOf(feed.url), () => pollFeed(deps, feed));
    const result = { feed, outcome };
    await deps.onResult?.(result).catch((error: unknown) => deps.log.error('after-poll step failed', { feedUrl: feed.url, error }));
    return result;
  };

  const stage = createStage<FeedState>({
    name: 'poll',
    concurrency: deps.concurrency,
    claim: (n) => (dueBy === undefined ? Promise.resolve([]) : deps.claims.claimDue(dueBy, deps.now(), n, HOLD_MS)),
    work: async (feed) => {
      await poll(feed);
    },
    log: deps.log,
    recheckMs: 30_000,
  });

  const { start, stop, idle } = stage;
  return {
    start,
    stop,
    idle,
    tick(at = deps.now()) {
      dueBy = at;
      stage.wake();
    },
    async pollAll() {
      const results: FeedResult[] = [];
      let after: string | undefined;
      for (;;) {
        const ids = await deps.claims.ids(after, 500);
        if (ids.length === 0) break;
        after = ids[ids.length - 1];
        const feeds = await deps.claims.claimIds(ids, deps.now(), HOLD_MS);
        results.push(...(await Promise.all(feeds.map(poll))));
      }
      return results;
    },
  };
}
