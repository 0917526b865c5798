// Between polling and delivery: new items become pending articles; digest workers claim due ones (LLM_CONCURRENCY per replica), retry with backoff, never drop.
import { articleKey } from '../core/itemKey.js';
import { sameSite } from '../core/site.js';
import type { Article, Dispatch, FeedState, Item, PendingDigest } from '../core/model.js';
import { nextPollAfterFailure } from '../core/schedule.js';
import type { Logger } from '../log.js';
import type { ItemSink } from '../polling/pollFeed.js';
import { errorMessage } from '../polling/pollFeed.js';
import { createStage, type Stage } from '../stages/stage.js';
import type { ArticleQueries } from '../store/articles.js';
import { isStoreUnavailable } from '../store/database.js';
import { newFailureId as failureId } from '../store/failed.js';
import type { Summarizer } from './summarize.js';
import { LlmError } from './llmClient.js';
import { BudgetExhaustedError } from './tokenBudget.js';

/** The next stage after digests: must be idempotent per (feed, article). */
export interface Dispatcher {
  dispatch(d: Dispatch): Promise<void>;
}

export interface DigestStageDeps {
  articles: ArticleQueries;
  summarizer: Summarizer;
  dispatcher: Dispatcher;
  log: Logger;
  now: () => number;
  /** After this long without a digest, the article goes out without one. */
  fallbackAfterMs: number;
  /** First retry delay; doubles per attempt. */
  retryBaseMs?: number;
  /** LLM requests in flight at once in this process. */
  concurrency: number;
  /** Hears whether the LLM answers (its being down is shown in /list and told to the admins once). */
  llmHealth?: { failed(error: LlmError): Promise<void>; worked(): Promise<void> };
  /** This process's id as the owner of its claims. */
  owner: string;
}

const MAX_TEXT = 60_000;
/** A claim outlives three missed heartbeats (an LLM answer may take minutes: the heartbeat keeps it); a crashed worker's come back after it. */
const HOLD_MS = 3 * 60_000;
const RENEW_MS = 60_000;
/**
 * Claims of one article, crashes included, after which it is kept as failed: by then its fallback (out without a digest) has
 * been tried too, so what fails is the dispatch itself.
 */
export const MAX_DIGEST_ATTEMPTS = 25;

export interface DigestStage extends ItemSink, Pick<Stage, 'start' | 'stop' | 'idle' | 'wake'> {}

export function articleOf(feed: FeedState, item: Item, now: number): Article {
  const ownSite = sameSite(item.canonicalUrl ?? item.url, feed.url);
  const article: Article = {
    key: articleKey(feed.id, item, ownSite),
    ownSite,
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
  return article;
}

export function createDigestStage(deps: DigestStageDeps): DigestStage {
  const retryBase = deps.retryBaseMs ?? 2 * 60_000;
  const claimant = { owner: deps.owner, holdMs: HOLD_MS };

  async function processOne(p: PendingDigest): Promise<void> {
    try {
      await digestOne(p);
    } catch (error) {
      // The store failed under it (or the dispatch did): not the article's fault when the store is down.
      if (isStoreUnavailable(error)) {
        deps.log.warn('digest interrupted: the database is unavailable', { articleKey: p.articleKey, feedId: p.feedId, error: errorMessage(error) });
        return deps.articles.release(p, deps.owner).catch(() => {});
      }
      throw error;
    }
  }

  async function digestOne(p: PendingDigest): Promise<void> {
    if (p.attempts > MAX_DIGEST_ATTEMPTS) {
      const id = failureId();
      deps.log.error('article failed for good: kept for the operator', { articleKey: p.articleKey, feedId: p.feedId, attempts: p.attempts, failureId: id, error: p.lastError });
      return deps.articles.fail(p, deps.owner, { error: p.lastError ?? 'its digest and its dispatch kept failing', failureId: id, at: deps.now() });
    }
    if (!(await deps.articles.hasActiveReader(p.feedId))) {
      // Every chat that follows the feed blocked or removed the bot: nobody would get it, so no LLM call is spent on it.
      deps.log.debug('article not digested: its feed has no active reader', { articleKey: p.articleKey, feedId: p.feedId });
      return deps.articles.finish(p);
    }
    const article = await deps.articles.get(p.articleKey);
    if (!article) {
      deps.log.error('pending digest without its article, dropped', { articleKey: p.articleKey, feedId: p.feedId });
      return deps.articles.finish(p);
    }
    const base: Omit<Dispatch, 'digest' | 'noDigest'> = { article, feedId: p.feedId, feedTitle: p.feedTitle || article.feedTitle };
    const finish = async (d: Dispatch) => {
      await deps.dispatcher.dispatch(d);
      await deps.articles.finish(p);
    };
    if (p.attempts > 1 && deps.now() - p.createdAt >= deps.fallbackAfterMs) {
      // Tried before and out of time, however the tries ended (an error, or a process that died making it): out without one.
      deps.log.warn('no digest in time, article goes out without one', { articleKey: article.key, url: article.url, attempts: p.attempts, error: p.lastError });
      return finish({ ...base, noDigest: 'llm-failed' });
    }
    try {
      const outcome = await deps.summarizer.forArticle({
        url: article.url,
        canonicalUrl: article.canonicalUrl,
        title: article.title,
        contentText: article.contentText,
        categories: article.categories,
        source: base.feedTitle,
        publishedAt: article.publishedAt,
        ownSite: article.ownSite,
        feedId: p.feedId,
      });
      if (outcome.kind === 'digest') {
        if (!outcome.cached) await deps.llmHealth?.worked().catch(() => {});
        return await finish({ ...base, digest: outcome.digest });
      }
      deps.log.info('article goes out without a digest', { articleKey: article.key, url: article.url, reason: outcome.reason });
      return await finish({ ...base, noDigest: outcome.unfaithful ? 'unfaithful' : 'unreadable' });
    } catch (error) {
      if (isStoreUnavailable(error)) throw error;
      const now = deps.now();
      const message = errorMessage(error);
      if (error instanceof LlmError && error.kind !== 'invalid-output') await deps.llmHealth?.failed(error).catch(() => {});
      if (now - p.createdAt >= deps.fallbackAfterMs) {
        deps.log.warn('no digest in time, article goes out without one', { articleKey: article.key, url: article.url, error: message });
        return finish({ ...base, noDigest: error instanceof BudgetExhaustedError ? 'budget' : 'llm-failed' });
      }
      const attempts = p.attempts;
      const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs ?? 0;
      const deadline = p.createdAt + deps.fallbackAfterMs;
      const nextAttemptAt =
        error instanceof BudgetExhaustedError ? Math.min(error.resumeAt, deadline) : Math.min(nextPollAfterFailure(now, retryBase, attempts, retryAfter), deadline);
      await deps.articles.retryLater(p, deps.owner, { nextAttemptAt, error: message });
      deps.log.warn('digest failed, will retry', { articleKey: article.key, url: article.url, attempts, retryAt: new Date(nextAttemptAt).toISOString(), error: message });
    }
  }

  const stage = createStage<PendingDigest>({
    name: 'digest',
    concurrency: deps.concurrency,
    claim: (n) => deps.articles.claimDue(deps.now(), n, claimant),
    work: processOne,
    renew: async (held) => {
      await deps.articles.renew(held, claimant);
    },
    renewEveryMs: RENEW_MS,
    log: deps.log,
    recheckMs: 5000,
  });

  const { start, stop, idle, wake } = stage;
  return {
    start,
    stop,
    idle,
    wake,
    async accept(feed, items) {
      const now = deps.now();
      const articles = items.map((item) => articleOf(feed, item, now));
      const pending = articles.map((a) => ({ feedId: feed.id, feedTitle: feed.title ?? feed.url, articleKey: a.key, createdAt: now, attempts: 0, nextAttemptAt: now }));
      await deps.articles.accept(articles, pending);
      stage.wake();
    },
  };
}
