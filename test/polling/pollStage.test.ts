// The poll cycle against a feed server: no backlog, new items exactly once, 304s, errors kept per feed, backoff, host limits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedId } from '../../src/core/itemKey.js';
import { newFeedState, type FeedState, type Item } from '../../src/core/model.js';
import { parseAllowList } from '../../src/feeds/addressPolicy.js';
import { createSafeFetch, type SafeFetch } from '../../src/feeds/safeFetch.js';
import { createLogger, silentLogger } from '../../src/log.js';
import type { PollDeps } from '../../src/polling/pollFeed.js';
import { createPollStage, type FeedResult } from '../../src/polling/pollStage.js';
import type { Store } from '../../src/store/store.js';
import { rss, startFeedServer, type FeedServer } from '../support/feedServer.js';
import { openTempStore } from '../support/tempStore.js';

const MIN = 60_000;
let server: FeedServer;
let store: Store;
let fetch: SafeFetch;
let clock: number;
let received: Array<{ feed: string; items: Item[] }>;
let deps: PollDeps;

beforeEach(async () => {
  server = await startFeedServer();
  store = await openTempStore();
  fetch = createSafeFetch({ allowPrivate: parseAllowList('127.0.0.1/32'), maxBytes: 1024 * 1024, timeoutMs: 800 });
  clock = Date.parse('2026-11-24T08:00:00Z');
  received = [];
  deps = {
    feeds: store.feeds,
    owner: 'poll-test',
    seen: store.seen,
    fetch,
    log: silentLogger,
    now: () => clock,
    intervalMs: 10 * MIN,
    sink: { accept: async (feed, items) => void received.push({ feed: feed.url, items }) },
  };
});
afterEach(async () => {
  await fetch.close();
  await server.close();
  await store.close();
});

async function follow(path: string): Promise<FeedState> {
  const url = server.url(path);
  const feed = newFeedState(feedId(url), url, clock);
  await store.feeds.insert(feed);
  return feed;
}

const item = (n: number) => ({ title: `文章 ${n}`, link: `https://news.example.cn/a/${n}?utm_source=rss`, guid: `id-${n}` });
/** One cron tick at the test's clock (or every feed, as `poll --once`), and what each polled feed came to. */
async function cycle(all = false): Promise<FeedResult[]> {
  const results: FeedResult[] = [];
  const stage = createPollStage({ ...deps, claims: store.feeds, concurrency: 4, perHostConcurrency: 2, onResult: async (r) => void results.push(r) });
  if (all) return stage.pollAll();
  stage.start();
  stage.tick(clock);
  await stage.idle();
  await stage.stop();
  return results.sort((a, b) => a.feed.nextPollAt - b.feed.nextPollAt);
}

describe('poll cycle', () => {
  it('records the first poll without emitting, then emits only what is new, once', async () => {
    server.set('/feed', { body: rss('新闻', [item(1), item(2)]), etag: '"a"' });
    const feed = await follow('/feed');

    const [first] = await cycle();
    expect(first!.outcome).toEqual({ kind: 'primed', count: 2 });
    expect(received).toEqual([]);
    expect((await store.feeds.get(feed.id))!.title).toBe('新闻');

    clock += 11 * MIN;
    server.set('/feed', { body: rss('新闻', [item(3), item(1), item(2)]), etag: '"b"' });
    const [second] = await cycle();
    expect(second!.outcome).toEqual({ kind: 'new', count: 1 });
    expect(received.map((r) => r.items.map((i) => i.title))).toEqual([['文章 3']]);
    expect(received[0]!.items[0]!.canonicalUrl).toBe('https://news.example.cn/a/3');

    clock += 11 * MIN;
    const [third] = await cycle();
    expect(third!.outcome).toEqual({ kind: 'not-modified' });
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe('"b"');
    expect(received).toHaveLength(1);
  });

  it('logs an item published more than 120 days ago instead of sending it, and reads a date ahead as now', async () => {
    const lines: Array<Record<string, unknown>> = [];
    deps.log = createLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    server.set('/feed', { body: rss('新闻', [item(1)]) });
    const feed = await follow('/feed');
    await cycle();

    clock += 11 * MIN;
    const old = { ...item(2), pubDate: new Date(clock - 200 * 24 * 60 * MIN).toUTCString() };
    const ahead = { ...item(3), pubDate: new Date(clock + 365 * 24 * 60 * MIN).toUTCString() };
    server.set('/feed', { body: rss('新闻', [old, ahead, item(1)]) });
    await cycle();
    expect(received.flatMap((r) => r.items.map((i) => [i.title, i.publishedAt]))).toEqual([['文章 3', clock]]);
    const skipped = lines.find((l) => l.msg === 'old item skipped');
    expect(skipped).toMatchObject({ feedUrl: feed.url, feedId: feed.id, itemKey: 'g:id-2', publishedAt: new Date(Date.parse(old.pubDate)).toISOString() });
  });

  it('polls only feeds that are due, unless asked for all', async () => {
    server.set('/feed', { body: rss('t', [item(1)]) });
    await follow('/feed');
    await cycle();
    expect(await cycle()).toEqual([]);
    expect(await cycle(true)).toHaveLength(1);
  });

  it('keeps each feed’s error on that feed alone, backs off, and resets on success', async () => {
    server.set('/good', { body: rss('good', [item(1)]) });
    server.set('/broken', { body: '<rss><channel><item><title>unclosed' });
    server.set('/html', { body: '<!doctype html><html><head><title>Home</title></head><body>hi</body></html>', contentType: 'text/html' });
    server.set('/empty', { body: '' });
    server.set('/silent', { handle: () => {} });
    const feeds = await Promise.all(['/good', '/broken', '/html', '/empty', '/silent', '/missing'].map(follow));
    const results = await cycle();
    const byUrl = new Map(results.map((r) => [r.feed.url, r.outcome]));
    expect(byUrl.get(server.url('/good'))).toEqual({ kind: 'primed', count: 1 });
    expect(byUrl.get(server.url('/broken'))).toMatchObject({ kind: 'error', message: expect.stringMatching(/malformed feed XML/) });
    expect(byUrl.get(server.url('/html'))).toMatchObject({ kind: 'error', message: expect.stringMatching(/HTML page, not a feed/) });
    expect(byUrl.get(server.url('/empty'))).toMatchObject({ kind: 'error', message: expect.stringMatching(/empty/) });
    expect(byUrl.get(server.url('/silent'))).toMatchObject({ kind: 'error', message: expect.stringMatching(/no complete answer/) });
    expect(byUrl.get(server.url('/missing'))).toMatchObject({ kind: 'error', message: expect.stringMatching(/HTTP 404/) });

    const missing = (await store.feeds.get(feeds[5]!.id))!;
    expect(missing.errorCount).toBe(1);
    expect(missing.lastError).toMatch(/404/);
    expect(missing.nextPollAt).toBe(clock + 10 * MIN);

    clock += 10 * MIN;
    await cycle();
    const again = (await store.feeds.get(feeds[5]!.id))!;
    expect(again.errorCount).toBe(2);
    expect(again.nextPollAt).toBe(clock + 20 * MIN);

    server.set('/missing', { body: rss('back', [item(9)]) });
    clock += 20 * MIN;
    await cycle();
    const healed = (await store.feeds.get(feeds[5]!.id))!;
    expect(healed.errorCount).toBe(0);
    expect(healed.nextPollAt).toBe(clock + 10 * MIN);
  });

  it('waits what Retry-After asks', async () => {
    server.set('/busy', { status: 429, headers: { 'retry-after': '7200' } });
    const feed = await follow('/busy');
    await cycle();
    expect((await store.feeds.get(feed.id))!.nextPollAt).toBe(clock + 2 * 3_600_000);
  });

  it('stretches the interval by the feed’s ttl', async () => {
    server.set('/ttl', { body: rss('t', [item(1)], '<ttl>60</ttl>') });
    const feed = await follow('/ttl');
    await cycle();
    expect((await store.feeds.get(feed.id))!.nextPollAt).toBe(clock + 60 * MIN);
  });

  it('loses nothing when the next stage fails: the items come again next time', async () => {
    server.set('/feed', { body: rss('t', [item(1)]) });
    await follow('/feed');
    await cycle();
    server.set('/feed', { body: rss('t', [item(2), item(1)]) });
    deps.sink = { accept: async () => { throw new Error('digest stage down'); } };
    clock += 11 * MIN;
    const [failed] = await cycle();
    expect(failed!.outcome.kind).toBe('error');
    deps.sink = { accept: async (feed, items) => void received.push({ feed: feed.url, items }) };
    clock += 11 * MIN;
    await cycle();
    expect(received.flatMap((r) => r.items.map((i) => i.title))).toEqual(['文章 2']);
  });

  it('never runs more than the per-host limit against one host', async () => {
    let active = 0;
    let peak = 0;
    for (let i = 0; i < 8; i++) {
      server.set(`/slow${i}`, {
        handle: (_req, res) => {
          active++;
          peak = Math.max(peak, active);
          setTimeout(() => {
            active--;
            res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('s', [item(i)]));
          }, 60);
        },
      });
      await follow(`/slow${i}`);
    }
    const results = await cycle();
    expect(results.every((r) => r.outcome.kind === 'primed')).toBe(true);
    expect(peak).toBe(2);
  });
});
