// Subscribers hear, once, about a feed that has failed for days; a success clears the notice so a later outage is told again.
import { renderFeedFailing } from '../core/renderDigest.js';
import { visibleText } from '../core/telegramHtml.js';
import type { Logger } from '../log.js';
import type { FeedResult } from '../pipeline/pollCycle.js';
import type { Store } from '../store/store.js';
import type { SubscriptionIndex } from '../store/subscriptions.js';
import type { Sender } from './sender.js';

export const FAILING_NOTICE_AFTER_MS = 3 * 24 * 3_600_000;

export interface FeedHealthDeps {
  store: Store;
  subs: SubscriptionIndex;
  sender: Sender;
  log: Logger;
  now: () => number;
}

export async function noticeFailingFeeds(deps: FeedHealthDeps, results: FeedResult[]): Promise<number> {
  const now = deps.now();
  let told = 0;
  for (const r of results) {
    if (r.outcome.kind !== 'error') continue;
    const feed = await deps.store.feeds.get(r.feed.id);
    if (!feed || feed.failureNoticeAt !== undefined) continue;
    const since = feed.lastSuccessAt ?? feed.createdAt;
    if (now - since < FAILING_NOTICE_AFTER_MS) continue;
    const days = Math.floor((now - since) / (24 * 3_600_000));
    for (const chatId of await deps.subs.subscribers(feed.id)) {
      const chat = await deps.store.chats.get(String(chatId));
      if (chat && !chat.active) continue;
      const html = renderFeedFailing(feed.title ?? feed.url, feed.url, days, feed.lastError ?? r.outcome.message, chat?.lang ?? 'zh');
      await deps.sender.enqueue({ id: `n:${chatId}:${feed.id}:${since}`, chatId, html, plain: visibleText(html), noPreview: true });
      told++;
    }
    await deps.store.feeds.set(feed.id, { ...feed, failureNoticeAt: now });
    deps.log.warn('feed failing for days, subscribers told', { feedUrl: feed.url, days, chats: told });
  }
  return told;
}
