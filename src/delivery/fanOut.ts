// A digested article → one outbox message per chat in instant mode, one daily-digest line per chat in daily mode; idempotent.
import type { Dispatch } from '../core/model.js';
import { dailyEntryOf, renderPush } from '../core/renderDigest.js';
import type { Logger } from '../log.js';
import type { Dispatcher } from '../pipeline/digestStage.js';
import { keys, type Store } from '../store/store.js';
import type { SubscriptionIndex } from '../store/subscriptions.js';
import type { Sender } from './sender.js';

export interface FanOutDeps {
  store: Store;
  subs: SubscriptionIndex;
  sender: Sender;
  log: Logger;
  now: () => number;
}

export function createFanOut(deps: FanOutDeps): Dispatcher {
  return {
    async dispatch(d: Dispatch) {
      const chatIds = await deps.subs.subscribers(d.feedId);
      const chats = await deps.store.chats.getMany(chatIds.map(String));
      let pushed = 0;
      let queuedDaily = 0;
      for (const [i, chatId] of chatIds.entries()) {
        const chat = chats[i];
        if (chat && !chat.active) continue;
        const mode = chat?.mode ?? 'instant';
        if (mode === 'instant' || mode === 'both') {
          const rendered = renderPush(d, chat?.lang ?? 'zh');
          if (await deps.sender.enqueue({ id: keys.push(chatId, d.article.key), chatId, html: rendered.html, plain: rendered.plain })) pushed++;
        }
        if (mode === 'daily' || mode === 'both') {
          await deps.store.daily.set(keys.daily(chatId, d.article.key), dailyEntryOf(chatId, d, deps.now()));
          queuedDaily++;
        }
      }
      deps.log.info('article dispatched', { articleKey: d.article.key, feedId: d.feedId, url: d.article.url, pushed, daily: queuedDaily, digest: !!d.digest });
    },
  };
}
