// Pending digests: one article across feeds, retries with backoff when the LLM fails, and out without a digest after the deadline.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalUrl } from '../../src/core/canonicalUrl.js';
import { itemKey } from '../../src/core/itemKey.js';
import type { Dispatch, FeedState, Item } from '../../src/core/model.js';
import { newFeedState } from '../../src/core/model.js';
import type { DigestStage } from '../../src/digests/digestStage.js';
import type { Store } from '../../src/store/store.js';
import { ARTICLE_TEXT } from '../support/articles.js';
import { testDigestStage } from '../support/digestStage.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { openTempStore } from '../support/tempStore.js';

const HOUR = 3_600_000;
let llm: OpenAiServer;
let clock: number;
let dispatched: Dispatch[];
let store: Store;
let stage: DigestStage;

/** One look for due work, waiting until it is done. */
const processPending = async () => {
  stage.wake();
  await stage.idle();
};
const waiting = () => store.articles.pendingCount();

const feedA: FeedState = { ...newFeedState('feedA', 'https://news.example/feed', 0), title: 'Feed A', primed: true };
const feedB: FeedState = { ...newFeedState('feedB', 'https://www.news.example/rss', 0), title: 'Feed B', primed: true };

function item(url: string, title = '新芯片'): Item {
  const i: Item = { key: '', url, title, categories: ['科技'], contentText: ARTICLE_TEXT, canonicalUrl: canonicalUrl(url)! };
  i.key = itemKey(i);
  return i;
}

beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
beforeEach(async () => {
  llm.requests.length = 0;
  clock = Date.parse('2026-11-24T00:00:00Z');
  dispatched = [];
  store = await openTempStore();
  // Someone reads both feeds (articles of feeds nobody active follows are not digested).
  for (const feed of [feedA, feedB]) await store.db.insertInto('subscriptions').values({ feed_id: feed.id, chat_id: 1, created_at: 0, options: null }).execute();
  stage = makeStage(3);
  stage.start();
});

function makeStage(concurrency: number): DigestStage {
  return testDigestStage({ store, llmBaseUrl: llm.baseUrl, now: () => clock, dispatched, concurrency, fallbackAfterMs: 6 * HOUR });
}
afterEach(async () => {
  await stage.stop();
  await store.close();
});

describe('digest stage', () => {
  it('digests an article reached through two feeds once, and sends it on for each feed', async () => {
    await stage.accept(feedA, [item('https://news.example/a?utm_source=a')]);
    await stage.accept(feedB, [item('https://news.example/a#top')]);
    await stage.accept(feedA, [item('https://news.example/a?utm_source=a')]); // a crash made the poller hand it again
    await processPending();
    expect(dispatched).toHaveLength(2);
    expect(await waiting()).toBe(0);
    expect(llm.requests).toHaveLength(1);
    expect(dispatched.map((d) => d.feedTitle).sort()).toEqual(['Feed A', 'Feed B']);
    expect(new Set(dispatched.map((d) => d.article.key)).size).toBe(1);
    expect(dispatched[0]!.digest?.tags).toContain('人工智能');
  });

  it('keeps an article when the LLM fails, retries it with backoff, and sends it once the LLM is back', async () => {
    llm.queue({ status: 503, error: 'overloaded' });
    await stage.accept(feedA, [item('https://news.example/b')]);
    await processPending();
    expect(dispatched).toHaveLength(0);
    const row = await store.db.selectFrom('pending_digests').selectAll().executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(Number(row.next_attempt_at)).toBe(clock + 60_000);
    expect(row.last_error).toMatch(/503/);

    await processPending(); // not due yet
    expect(dispatched).toHaveLength(0);
    clock += 61_000;
    await processPending();
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]!.digest).toBeDefined();
    expect(await waiting()).toBe(0);
  });

  it('sends an article without a digest, marked, once the deadline has passed', async () => {
    await stage.accept(feedA, [item('https://news.example/c')]);
    for (let i = 0; i < 12 && dispatched.length === 0; i++) {
      llm.queue({ status: 500, error: 'down' });
      clock += HOUR;
      await processPending();
    }
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]!.digest).toBeUndefined();
    expect(dispatched[0]!.noDigest).toBe('llm-failed');
    expect(await waiting()).toBe(0);
    llm.clearQueue(); // past the deadline no LLM call is made: the last scripted failure is left over
  });

  it('takes each feed in turn: a feed that floods the queue does not starve another feed', async () => {
    await stage.stop();
    stage = makeStage(1);
    const flood = Array.from({ length: 10 }, (_, i) => item(`https://flood.example/${i}`, `洪水${i}`));
    await stage.accept(feedA, flood);
    clock += 1000;
    await stage.accept(feedB, [item('https://b.example/one', '另一个源')]);
    stage.start();
    await processPending();
    expect(dispatched).toHaveLength(11);
    expect(dispatched.findIndex((d) => d.feedId === 'feedB')).toBeLessThanOrEqual(1);
  });

  it('sends a teaser it cannot read without a digest, marked, at once', async () => {
    const teaser: Item = { key: 'g:t', guid: 't', title: '只有标题', categories: [], contentText: '短短的导语……' };
    await stage.accept(feedA, [teaser]);
    await processPending();
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]!.noDigest).toBe('unreadable');
    expect(llm.requests).toHaveLength(0);
  });
});
