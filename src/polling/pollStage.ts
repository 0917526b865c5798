// The poll stage: every cron tick makes the feeds due by then claimable; workers on every replica claim them, a few per host at a time.
import type { FeedState } from '../core/model.js';
import type { ChooseFeeds, FeedQueries } from '../store/feeds.js';
import { createStage, type Stage } from '../stages/stage.js';
import { createLimiter } from './hostLimiter.js';
import { pollFeed, type PollDeps, type PollOutcome } from './pollFeed.js';

export interface FeedResult {
  feed: FeedState;
  outcome: PollOutcome;
}

export interface PollStageDeps extends PollDeps {
  claims: Pick<FeedQueries, 'claimDue' | 'claimIds' | 'ids' | 'renew'>;
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

/** A claim outlives three missed heartbeats; a crashed worker's feeds come back after it. */
const HOLD_MS = 2 * 60_000;
const RENEW_MS = 30_000;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function createPollStage(deps: PollStageDeps): PollStage {
  const limiter = createLimiter(deps.concurrency, deps.perHostConcurrency);
  const claimant = { owner: deps.owner, holdMs: HOLD_MS };
  /** Feeds in hand per host: a claim takes no more of a host than may be fetched from it at once. */
  const inHandByHost = new Map<string, number>();
  const choose: ChooseFeeds = (candidates, limit, alreadyTaken) => {
    const room = new Map<string, number>();
    for (const t of alreadyTaken) room.set(hostOf(t.url), (room.get(hostOf(t.url)) ?? inHandByHost.get(hostOf(t.url)) ?? 0) + 1);
    const ids: string[] = [];
    for (const c of candidates) {
      if (ids.length >= limit) break;
      const host = hostOf(c.url);
      const taken = room.get(host) ?? inHandByHost.get(host) ?? 0;
      if (taken >= deps.perHostConcurrency) continue;
      room.set(host, taken + 1);
      ids.push(c.id);
    }
    return ids;
  };
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
    claim: async (n) => {
      if (dueBy === undefined) return [];
      const feeds = await deps.claims.claimDue(dueBy, deps.now(), n, claimant, choose);
      for (const f of feeds) inHandByHost.set(hostOf(f.url), (inHandByHost.get(hostOf(f.url)) ?? 0) + 1);
      return feeds;
    },
    work: async (feed) => {
      try {
        await poll(feed);
      } finally {
        const host = hostOf(feed.url);
        const n = (inHandByHost.get(host) ?? 1) - 1;
        if (n <= 0) inHandByHost.delete(host);
        else inHandByHost.set(host, n);
      }
    },
    renew: async (feeds) => {
      await deps.claims.renew(
        feeds.map((f) => f.id),
        claimant,
      );
    },
    renewEveryMs: RENEW_MS,
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
        const feeds = await deps.claims.claimIds(ids, deps.now(), claimant);
        const beat = setInterval(() => void deps.claims.renew(feeds.map((f) => f.id), claimant).catch(() => {}), RENEW_MS);
        try {
          results.push(...(await Promise.all(feeds.map(poll))));
        } finally {
          clearInterval(beat);
        }
      }
      return results;
    },
  };
}
