// Between polling and delivery: new items become pending articles; each is digested once, retried with backoff, never dropped.
import { articleKey } from '../core/itemKey.js';
import type { Article, Dispatch, FeedState, Item, PendingDigest } from '../core/model.js';
import { nextPollAfterFailure } from '../core/schedule.js';
import { BudgetExhaustedError } from '../digests/tokenBudget.js';
import type { Summarizer } from '../digests/summarize.js';
import type { Logger } from '../log.js';
import type { Collection } from '../store/keyvStore.js';
import { createLimiter } from './limiter.js';
import { errorMessage, type ItemSink } from './pollFeed.js';

/** The next stage after digests: must be idempotent per (feed, article). */
export interface Dispatcher {
  dispatch(d: Dispatch): Promise<void>;
}

export interface DigestStageDeps {
  articles: Collection<Article>;
  pending: Collection<PendingDigest>;
  summarizer: Summarizer;
  dispatcher: Dispatcher;
  log: Logger;
  now: () => number;
  /** After this long without a digest, the article goes out without one. */
  fallbackAfterMs: number;
  /** First retry delay; doubles per attempt. */
  retryBaseMs?: number;
  concurrency?: number;
}

const MAX_TEXT = 60_000;
/** Articles are kept while they may still be pending or dispatched again; long past any fallback deadline. */
const ARTICLE_TTL_MS = 14 * 24 * 3_600_000;
export const pendingKey = (feedId: string, aKey: string) => `${feedId}:${aKey}`;

export interface DigestStage extends ItemSink {
  /** Digests what is due; returns how many went on to delivery. */
  processPending(): Promise<{ dispatched: number; waiting: number }>;
}

export function createDigestStage(deps: DigestStageDeps): DigestStage {
  const retryBase = deps.retryBaseMs ?? 2 * 60_000;
  let running: Promise<{ dispatched: number; waiting: number }> | undefined;

  async function accept(feed: FeedState, items: Item[]): Promise<void> {
    const now = deps.now();
    for (const item of items) {
      const aKey = articleKey(feed.id, item);
      if (!(await deps.articles.get(aKey))) {
        const article: Article = {
          key: aKey,
          title: item.title || item.url || '(untitled)',
          categories: item.categories,
          contentText: item.contentText.slice(0, MAX_TEXT),
          feedId: feed.id,
          feedTitle: feed.title ?? feed.url,
          firstSeenAt: now,
        };
        if (item.url) article.url = item.url;
        if (item.canonicalUrl) article.canonicalUrl = item.canonicalUrl;
        if (item.author) article.author = item.author;
        if (item.publishedAt !== undefined) article.publishedAt = item.publishedAt;
        await deps.articles.set(aKey, article, ARTICLE_TTL_MS);
      }
      const key = pendingKey(feed.id, aKey);
      if (!(await deps.pending.get(key))) {
        await deps.pending.set(key, { feedId: feed.id, feedTitle: feed.title ?? feed.url, articleKey: aKey, createdAt: now, attempts: 0, nextAttemptAt: now });
      }
    }
  }

  async function processOne(key: string, p: PendingDigest): Promise<boolean> {
    const article = await deps.articles.get(p.articleKey);
    if (!article) {
      deps.log.error('pending digest without its article, dropped', { articleKey: p.articleKey, feedId: p.feedId });
      await deps.pending.delete(key);
      return false;
    }
    const base: Omit<Dispatch, 'digest' | 'noDigest'> = { article, feedId: p.feedId, feedTitle: p.feedTitle || article.feedTitle };
    const finish = async (d: Dispatch) => {
      await deps.dispatcher.dispatch(d);
      await deps.pending.delete(key);
      return true;
    };
    try {
      const outcome = await deps.summarizer.forArticle({
        url: article.url,
        canonicalUrl: article.canonicalUrl,
        title: article.title,
        contentText: article.contentText,
        categories: article.categories,
        source: base.feedTitle,
        publishedAt: article.publishedAt,
      });
      if (outcome.kind === 'digest') return finish({ ...base, digest: outcome.digest });
      deps.log.info('article goes out without a digest', { articleKey: article.key, url: article.url, reason: outcome.reason });
      return finish({ ...base, noDigest: 'unreadable' });
    } catch (error) {
      const now = deps.now();
      const message = errorMessage(error);
      if (now - p.createdAt >= deps.fallbackAfterMs) {
        deps.log.warn('no digest in time, article goes out without one', { articleKey: article.key, url: article.url, error: message });
        return finish({ ...base, noDigest: error instanceof BudgetExhaustedError ? 'budget' : 'llm-failed' });
      }
      const attempts = p.attempts + 1;
      const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs ?? 0;
      const nextAttemptAt =
        error instanceof BudgetExhaustedError
          ? Math.min(error.resumeAt, p.createdAt + deps.fallbackAfterMs)
          : Math.min(nextPollAfterFailure(now, retryBase, attempts, retryAfter), p.createdAt + deps.fallbackAfterMs);
      await deps.pending.set(key, { ...p, attempts, nextAttemptAt, lastError: message });
      deps.log.warn('digest failed, will retry', { articleKey: article.key, url: article.url, attempts, retryAt: new Date(nextAttemptAt).toISOString(), error: message });
      return false;
    }
  }

  async function processAll(): Promise<{ dispatched: number; waiting: number }> {
    const now = deps.now();
    const due: Array<[string, PendingDigest]> = [];
    let waiting = 0;
    for await (const [key, p] of deps.pending.entries()) {
      if (p.nextAttemptAt <= now) due.push([key, p]);
      else waiting++;
    }
    due.sort((a, b) => a[1].createdAt - b[1].createdAt);
    const limiter = createLimiter(deps.concurrency ?? 3, deps.concurrency ?? 3);
    const results = await Promise.all(due.map(([key, p]) => limiter.run('llm', () => processOne(key, p))));
    const dispatched = results.filter(Boolean).length;
    return { dispatched, waiting: waiting + due.length - dispatched };
  }

  return {
    accept,
    processPending() {
      // One pass at a time; a caller arriving mid-pass shares it.
      running ??= processAll().finally(() => (running = undefined));
      return running;
    },
  };
}
