// A digested article → one outbox message per instant subscriber and one daily line per daily subscriber, each a single set-based insert; idempotent.
import type { Dispatch } from '../core/model.js';
import { dailyEntryOf, renderPush } from '../core/renderDigest.js';
import type { Dispatcher } from '../digests/digestStage.js';
import type { Logger } from '../log.js';
import type { DailyQueries } from '../store/daily.js';
import type { OutboxQueries } from '../store/outbox.js';

export interface FanOutDeps {
  outbox: Pick<OutboxQueries, 'fanOut'>;
  daily: Pick<DailyQueries, 'fanOut'>;
  /** New messages are queued: the sender may look. */
  onQueued(): void;
  log: Logger;
  now: () => number;
}

/** The outbox id of an article's push to a chat: `p:<chat>:<article>`, so a rerun never queues it twice. */
export const pushId = (chatId: number, articleKey: string) => `p:${chatId}:${articleKey}`;

export function createFanOut(deps: FanOutDeps): Dispatcher {
  return {
    async dispatch(d: Dispatch) {
      const now = deps.now();
      const zh = renderPush(d, 'zh');
      const en = renderPush(d, 'en');
      const pushed = await deps.outbox.fanOut({
        feedId: d.feedId,
        idPrefix: 'p:',
        idSuffix: `:${d.article.key}`,
        html: { zh: zh.html, en: en.html },
        plain: { zh: zh.plain, en: en.plain },
        at: now,
      });
      const { chatId: _chat, feedId: _feed, ...entry } = dailyEntryOf(0, d, now);
      const daily = await deps.daily.fanOut({ feedId: d.feedId, entry });
      if (pushed > 0) deps.onQueued();
      deps.log.info('article dispatched', { articleKey: d.article.key, feedId: d.feedId, url: d.article.url, pushed, daily, digest: !!d.digest });
    },
  };
}
