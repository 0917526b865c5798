// What subscribers hear about their feed itself: once when it has failed for days (a success clears that), once a day when it floods.
import type { FeedState } from '../core/model.js';
import { renderFeedFailing, renderFeedFlood, type Lang } from '../core/renderDigest.js';
import { localDay } from '../core/localTime.js';
import type { Logger } from '../log.js';
import type { FeedResult } from '../polling/pollStage.js';
import type { ChatQueries } from '../store/chats.js';
import type { FeedQueries } from '../store/feeds.js';
import type { SubscriptionQueries } from '../store/subscriptions.js';
import { htmlMessage, type Sender } from './sender.js';

export const FAILING_NOTICE_AFTER_MS = 3 * 24 * 3_600_000;

export interface FeedHealthDeps {
  feeds: Pick<FeedQueries, 'get' | 'markFailureNotice'>;
  subscriptions: Pick<SubscriptionQueries, 'subscribers'>;
  chats: Pick<ChatQueries, 'getMany'>;
  sender: Pick<Sender, 'enqueueMany'>;
  log: Logger;
  now: () => number;
}

/** After a poll: when the feed has failed for days and nobody was told yet, tells its subscribers (once, whichever replica polls). */
export async function noticeFailingFeed(deps: FeedHealthDeps, result: FeedResult): Promise<number> {
  if (result.outcome.kind !== 'error') return 0;
  const now = deps.now();
  const feed: FeedState | undefined = await deps.feeds.get(result.feed.id);
  if (!feed || feed.failureNoticeAt !== undefined) return 0;
  const since = feed.lastSuccessAt ?? feed.createdAt;
  if (now - since < FAILING_NOTICE_AFTER_MS) return 0;
  if (!(await deps.feeds.markFailureNotice(feed.id, now))) return 0;
  const days = Math.floor((now - since) / (24 * 3_600_000));
  const told = await tellSubscribers(deps, feed.id, (chatId, lang) => {
    const html = renderFeedFailing(feed.title ?? feed.url, feed.url, days, feed.lastError ?? result.outcome.kind, lang);
    return { id: `n:${chatId}:${feed.id}:${since}`, html };
  });
  deps.log.warn('feed failing for days, subscribers told', { feedUrl: feed.url, days, chats: told });
  return told;
}

/** After a poll that brought more than one poll takes: its subscribers hear of it, at most once a day (the message ids say which day). */
export async function noticeFloodedFeed(deps: FeedHealthDeps, feed: FeedState, total: number, kept: number): Promise<number> {
  const day = localDay(deps.now(), 'UTC');
  return tellSubscribers(deps, feed.id, (chatId, lang) => ({ id: `f:${chatId}:${feed.id}:${day}`, html: renderFeedFlood(feed.title ?? feed.url, feed.url, total, kept, lang) }));
}

/** One notice to every active subscriber of a feed, in each chat's language, a page of subscribers at a time. */
async function tellSubscribers(deps: FeedHealthDeps, feedId: string, notice: (chatId: number, lang: Lang) => { id: string; html: string }): Promise<number> {
  let told = 0;
  let after: number | undefined;
  for (;;) {
    const chatIds = await deps.subscriptions.subscribers(feedId, after, 1000);
    if (chatIds.length === 0) break;
    after = chatIds[chatIds.length - 1];
    const chats = new Map((await deps.chats.getMany(chatIds)).map((c) => [c.id, c]));
    const messages = chatIds
      .filter((id) => chats.get(id)?.active !== false)
      .map((chatId) => {
        const { id, html } = notice(chatId, chats.get(chatId)?.lang ?? 'zh');
        return htmlMessage(id, chatId, html);
      });
    told += (await deps.sender.enqueueMany(messages)).length;
  }
  return told;
}
