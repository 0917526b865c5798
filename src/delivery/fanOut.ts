// A digested article → its story, then one outbox message per instant subscriber (an edit of the story's push where the chat got one) and one daily line per daily subscriber whose filters let it through; set-based, a slice at a time; idempotent.
import { filterTextOf } from '../core/feedFilter.js';
import type { Dispatch } from '../core/model.js';
import { dailyEntryOf, renderPush, renderSources } from '../core/renderDigest.js';
import type { Dispatcher } from '../digests/digestStage.js';
import type { Logger } from '../log.js';
import type { ArticleTagQueries } from '../store/articleTags.js';
import type { DailyQueries } from '../store/daily.js';
import { dayOf, type FilterQueries } from '../store/filters.js';
import type { OutboxQueries } from '../store/outbox.js';
import type { SubscriptionQueries } from '../store/subscriptions.js';
import type { StoryMatcher } from './storyMatch.js';

export interface FanOutDeps {
  outbox: Pick<OutboxQueries, 'fanOut'>;
  stories: StoryMatcher;
  daily: Pick<DailyQueries, 'fanOut'>;
  subscriptions: Pick<SubscriptionQueries, 'sliceEnd'>;
  filters: Pick<FilterQueries, 'countDrops'>;
  articleTags: Pick<ArticleTagQueries, 'record'>;
  /** Pushes that became an edit of a story's first push in a chat (/stats counts them). */
  onEdited(n: number): Promise<void>;
  /** New messages are queued: the sender may look. */
  onQueued(): void;
  log: Logger;
  now: () => number;
}

/** The queries a fan-out runs, from the store. */
export const fanOutQueries = (store: Pick<FanOutDeps, 'outbox' | 'daily' | 'subscriptions' | 'filters' | 'articleTags'>) => ({
  outbox: store.outbox,
  daily: store.daily,
  subscriptions: store.subscriptions,
  filters: store.filters,
  articleTags: store.articleTags,
});

/**
 * Subscribers queued per statement: each slice is a short transaction of its own, so updates, sends and other digests go on
 * between slices of a feed followed by 100,000 chats (a rerun after a crash queues only what is missing: ids are fixed).
 */
const SLICE = 2000;

/** Stands for the feed's name in the rendered push; each subscription's statement puts its own title or the feed's there. */
const TITLE_MARKER = '\uE000feed-title\uE000';

export function createFanOut(deps: FanOutDeps): Dispatcher {
  return {
    async dispatch(d: Dispatch) {
      const now = deps.now();
      const marked = { ...d, feedTitle: TITLE_MARKER };
      const zh = renderPush(marked, 'zh');
      const en = renderPush(marked, 'en');
      // The story is the article's, whoever reads it; filters and modes decide per chat below, before any merging.
      const storyId = await deps.stories.place(d, { html: { zh: zh.html, en: en.html }, plain: { zh: zh.plain, en: en.plain } }, now);
      const { chatId: _chat, feedId: _feed, ...entry } = { ...dailyEntryOf(0, d, now), ...(storyId ? { storyId } : {}) };
      const filterText = filterTextOf({
        title: d.article.title,
        digestTitle: d.digest?.title,
        summary: d.digest?.summary,
        tags: d.digest?.tags ?? [],
        categories: d.article.categories,
      });
      if (d.digest?.tags.length) await deps.articleTags.record(d.feedId, d.article.key, d.digest.tags, now);
      let pushed = 0;
      let daily = 0;
      let filtered = 0;
      let edited = 0;
      for (let after: number | undefined, more = true; more; ) {
        const upTo = await deps.subscriptions.sliceEnd(d.feedId, after, SLICE);
        const chats = { after, upTo };
        const queued = await deps.outbox.fanOut({
          feedId: d.feedId,
          articleKey: d.article.key,
          html: { zh: zh.html, en: en.html },
          plain: { zh: zh.plain, en: en.plain },
          titleMarker: TITLE_MARKER,
          feedTitle: d.feedTitle,
          previewUrl: d.article.url,
          filterText,
          at: now,
          chats,
          ...(storyId ? { story: { id: storyId, sourcesLine: renderSources } } : {}),
        });
        edited += queued.edited;
        daily += await deps.daily.fanOut({ feedId: d.feedId, entry, filterText, chats });
        filtered += await deps.filters.countDrops({ feedId: d.feedId, text: filterText, day: dayOf(now), chats });
        pushed += queued.pushed;
        if (queued.pushed + queued.edited > 0) deps.onQueued(); // the first slices go out while the rest are queued
        more = upTo !== undefined;
        after = upTo;
        if (more) await new Promise((resolve) => setImmediate(resolve));
      }
      await deps.onEdited(edited);
      deps.log.info('article dispatched', { articleKey: d.article.key, feedId: d.feedId, url: d.article.url, pushed, edited, daily, filtered, digest: !!d.digest, storyId });
    },
  };
}
