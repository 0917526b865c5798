// A digested article's story: the story of the last 48 hours it tells (found by shared tokens, judged by the same-story rule), or a new one.
import type { Dispatch } from '../core/model.js';
import { compareStories, storyKeyOf, storyTokensOf, type StoryText } from '../core/story.js';
import type { Logger } from '../log.js';
import type { RenderedMember, StoryQueries } from '../store/stories.js';

/** A story is open to new sources this long after its first. */
export const STORY_WINDOW_MS = 48 * 3_600_000;
/** Stories compared per article, those sharing the most tokens first. */
const CANDIDATES = 30;

export interface StoryMatchDeps {
  stories: StoryQueries;
  /** Told when an article joins a story another feed told first (/stats counts them). */
  onMerged(): Promise<void>;
  log: Logger;
}

export interface StoryMatcher {
  /**
   * The story the article tells (the same on a rerun), the article recorded as its member with its push as rendered; undefined
   * for an article without a digest (nothing to compare).
   */
  place(d: Dispatch, rendered: Pick<RenderedMember, 'html' | 'plain'>, now: number): Promise<string | undefined>;
}

export function storyTextOf(d: Dispatch): StoryText | undefined {
  return d.digest ? { title: d.digest.title, tldr: d.digest.tldr, tags: d.digest.tags, original: d.article.title } : undefined;
}

/** Where an article went: a story of its own (or the one it was placed in before), or another feed's story it joined. */
type Placement = { id: string; joined: false } | { id: string; joined: true; score: number };

export function createStoryMatcher(deps: StoryMatchDeps): StoryMatcher {
  return {
    async place(d, rendered, now) {
      const text = storyTextOf(d);
      if (!text) return undefined;
      const key = storyKeyOf(text);
      const tokens = storyTokensOf(text, key);
      const member: RenderedMember = { articleKey: d.article.key, feedId: d.feedId, feedTitle: d.feedTitle, url: d.article.url, at: now, ...rendered };
      const placed = await deps.stories.exclusive(async (q): Promise<Placement> => {
        const known = await q.storyOf(d.article.key);
        if (known) return { id: known, joined: false };
        let best: { id: string; score: number } | undefined;
        for (const c of await q.candidates(tokens, now - STORY_WINDOW_MS, CANDIDATES)) {
          // Stories across feeds: a feed's own next article on a story is its reader's news (an update, a correction), sent as such.
          if (c.feeds.has(d.feedId)) continue;
          const verdict = compareStories(key, storyKeyOf(c.text));
          if (verdict.same && verdict.score > (best?.score ?? 0)) best = { id: c.id, score: verdict.score };
        }
        if (!best) {
          await q.start({ text, tokens }, member);
          return { id: d.article.key, joined: false };
        }
        await q.join(best.id, member);
        return { id: best.id, joined: true, score: best.score };
      });
      if (placed.joined) {
        await deps.onMerged();
        deps.log.info('article joins a story', { articleKey: d.article.key, feedId: d.feedId, storyId: placed.id, score: Number(placed.score.toFixed(3)) });
      }
      return placed.id;
    },
  };
}
