// The sequences that broke 0.1, each replayed through the real bot on SQLite and on PostgreSQL: none may break again.
import { afterEach, describe, expect, it } from 'vitest';
import { articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';
import { createTempDatabase, postgresUp, type TempDatabase } from '../support/postgres.js';
import { tempStoreUrl } from '../support/tempStore.js';

const engines = [
  { name: 'sqlite', up: true },
  { name: 'postgres', up: postgresUp },
];

for (const engine of engines) {
  describe.skipIf(!engine.up)(`0.1's broken sequences, on ${engine.name}`, { timeout: 60_000 }, () => {
    let h: Harness | undefined;
    let db: TempDatabase | undefined;

    const start = async (env: Record<string, string> = {}) => {
      let storeUrl = tempStoreUrl();
      if (engine.name === 'postgres') {
        db = await createTempDatabase();
        storeUrl = db.url;
      }
      h = await startHarness({ storeUrl, env });
      return h;
    };
    afterEach(async () => {
      await h?.close();
      h = undefined;
      await db?.drop();
      db = undefined;
    });

    const publish = (harness: Harness, path: string, ...ns: number[]) => {
      for (const n of ns) harness.web.set(`/posts/${n}`, { body: articlePage(`第${n}篇`), contentType: 'text/html' });
      harness.web.set(path, { body: rss('频道', ns.map((n) => ({ title: `第${n}篇`, link: harness.web.url(`/posts/${n}`), guid: `${path}-${n}` }))) });
    };

    it('an /unsub while the feed is being polled stays done: the feed is not written back, polled or digested for nobody', async () => {
      const b = await start();
      publish(b, '/slow.xml', 1);
      await b.say(9101, `/sub ${b.web.url('/slow.xml')}`, /已订阅/);
      await b.bot.settle();
      // The next poll of the feed hangs for a second: /unsub lands in the middle of it.
      let release: () => void = () => {};
      let hit: () => void = () => {};
      const answered = new Promise<void>((r) => (release = r));
      const requested = new Promise<void>((r) => (hit = r));
      b.web.set('/slow.xml', {
        handle: (_req, res) => {
          hit();
          void answered.then(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('频道', [{ title: '第2篇', link: b.web.url('/posts/2'), guid: 'x-2' }])));
        },
      });
      b.clock.now += 11 * 60_000;
      b.bot.app.polls.tick();
      await requested;
      await b.say(9101, '/unsub 1', /已取消订阅/);
      release();
      await b.bot.settle();
      expect(await b.bot.app.store.feeds.count()).toBe(0);
      b.clock.now += 11 * 60_000;
      await b.bot.pollNow();
      expect(b.llm.requests).toHaveLength(0);
      expect(b.api.sentTo(9101).filter((m) => m.text.includes('第2篇'))).toHaveLength(0);
    });

    it('a daily digest after /tz to a zone west of the old one goes out, with its articles', async () => {
      const b = await start();
      publish(b, '/daily.xml', 1);
      await b.say(9102, `/sub ${b.web.url('/daily.xml')}`, /已订阅/);
      await b.say(9102, '/mode daily', /每日/);
      // Day one in Shanghai: one article, digest at 08:00 (00:00 UTC).
      b.clock.now = Date.parse('2026-11-24T20:00:00Z');
      publish(b, '/daily.xml', 2, 1);
      await b.bot.pollNow();
      b.clock.now = Date.parse('2026-11-25T00:01:00Z');
      await b.bot.tick();
      await b.bot.settle();
      expect(b.api.sentTo(9102).filter((m) => m.text.startsWith('📰')).map((m) => m.text)).toHaveLength(1);
      // Now west: New York. The next article goes into the digest at 08:00 New York time, not refused as sent.
      await b.say(9102, '/tz America/New_York', /America\/New_York/);
      b.clock.now = Date.parse('2026-11-25T02:00:00Z');
      publish(b, '/daily.xml', 3, 2, 1);
      await b.bot.pollNow();
      b.clock.now = Date.parse('2026-11-25T13:01:00Z'); // 08:01 in New York
      await b.bot.tick();
      await b.bot.settle();
      const digests = b.api.sentTo(9102).filter((m) => m.text.startsWith('📰'));
      expect(digests).toHaveLength(2);
      expect(digests[1]!.text).toContain('/posts/3');
      expect(await b.bot.app.store.daily.ofChats([9102])).toEqual(new Map());
    });

    it('8 concurrent /summary with a quota of 2: 2 digests, 6 polite refusals', async () => {
      const b = await start({ SUMMARY_PER_USER_PER_DAY: '2' });
      b.web.set('/page', { body: articlePage('一篇文章'), contentType: 'text/html' });
      for (let i = 0; i < 8; i++) b.api.message(9103, `/summary ${b.web.url('/page')}?v=${i}`);
      await b.api.waitFor(() => b.api.sentTo(9103).filter((m) => /已用完/.test(m.text)).length === 6, 15_000, 'six refusals');
      await b.bot.settle();
      expect(b.api.sentTo(9103).filter((m) => m.text.includes('总结'))).toHaveLength(2);
    });

    it('300 users subscribing to one new feed within a second are all subscribed, and the feed is fetched once', { timeout: 150_000 }, async () => {
      const b = await start({ SEND_RATE_PER_SECOND: '200' });
      publish(b, '/popular.xml', 1);
      const url = b.web.url('/popular.xml');
      for (let i = 0; i < 300; i++) b.api.message(30_000 + i, `/sub ${url}`);
      await b.api.waitFor(
        () => Array.from({ length: 300 }, (_, i) => b.api.sentTo(30_000 + i).some((m) => m.text.includes('已订阅'))).every(Boolean),
        100_000,
        '300 subscriptions',
      );
      expect(b.api.sent.filter((m) => m.text.includes('请稍后'))).toHaveLength(0);
      expect(b.web.requests.filter((r) => r.path === '/popular.xml')).toHaveLength(1);
      const feed = (await b.bot.app.store.subscriptions.ofChat(30_000))[0]!;
      expect(await b.bot.app.store.subscriptions.subscribers(feed.feedId)).toHaveLength(300);
    });

    it('an item link of 1,500 characters is marked seen: the article comes once, not in every poll', async () => {
      const b = await start();
      const long = `/posts/${'长'.repeat(10)}${'a'.repeat(1500)}`;
      b.web.set('/long.xml', { body: rss('频道', [{ title: '旧', link: b.web.url('/posts/0') }]) });
      await b.say(9104, `/sub ${b.web.url('/long.xml')}`, /已订阅/);
      b.web.set(encodeURI(long), { body: articlePage('长链接'), contentType: 'text/html' });
      b.web.set('/long.xml', { body: rss('频道', [{ title: '长链接', link: b.web.url(long) }, { title: '旧', link: b.web.url('/posts/0') }]) });
      await b.nextPoll();
      await b.nextPoll();
      await b.nextPoll();
      const feed = (await b.bot.app.store.feeds.getMany((await b.bot.app.store.subscriptions.ofChat(9104)).map((s) => s.feedId)))[0]!;
      expect(feed.errorCount).toBe(0);
      expect(b.api.sentTo(9104).filter((m) => m.text.includes('长链接') || m.text.includes('测试文章'))).toHaveLength(1);
    });

    it('a slow LLM backlog does not hold up polling: another feed is polled while digests wait', async () => {
      const b = await start({ LLM_CONCURRENCY: '1' });
      publish(b, '/busy.xml', 1);
      publish(b, '/other.xml', 1);
      await b.say(9105, `/sub ${b.web.url('/busy.xml')} ${b.web.url('/other.xml')}`, /已订阅[\s\S]*已订阅/);
      await b.bot.settle();
      b.llm.defaultDelayMs = 1500;
      publish(b, '/busy.xml', 5, 4, 3, 2, 1);
      b.clock.now += 11 * 60_000;
      b.bot.app.polls.tick();
      await b.bot.app.polls.idle();
      const before = b.web.requests.filter((r) => r.path === '/other.xml').length;
      b.clock.now += 11 * 60_000;
      b.bot.app.polls.tick();
      await b.bot.app.polls.idle();
      // The second tick polled the other feed although four digests still wait for the one LLM slot.
      expect(b.web.requests.filter((r) => r.path === '/other.xml').length).toBe(before + 1);
      expect(await b.bot.app.store.articles.pendingCount()).toBeGreaterThan(0);
      b.llm.defaultDelayMs = 0;
      await b.bot.settle();
    });
  });
}
