// Claimed work is owned until it is done, on SQLite and PostgreSQL: holds renewed while work runs, attempts counted at claim (a
// crash counts), failed rows kept and told, unknown kinds left for a replica that knows them, one clock for every hold.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newChat, newFeedState, type Dispatch } from '../../src/core/model.js';
import { createRequests, MAX_JOB_ATTEMPTS, type JobHandler, type Requests } from '../../src/bot/requests.js';
import { TEXTS } from '../../src/bot/i18n.js';
import { createDailyDigest } from '../../src/delivery/dailyDigest.js';
import { parseAllowList } from '../../src/feeds/addressPolicy.js';
import { createSafeFetch } from '../../src/feeds/safeFetch.js';
import { silentLogger } from '../../src/log.js';
import { createPollStage } from '../../src/polling/pollStage.js';
import type { NewMessage } from '../../src/store/outbox.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ARTICLE_TEXT } from '../support/articles.js';
import { testDigestStage } from '../support/digestStage.js';
import { startFeedServer, type FeedServer } from '../support/feedServer.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { createTempDatabase, postgresUp, type TempDatabase } from '../support/postgres.js';
import { tempStoreUrl } from '../support/tempStore.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3_600_000;

const engines = [
  { name: 'sqlite', up: true },
  { name: 'postgres', up: postgresUp },
];

for (const engine of engines) {
  describe.skipIf(!engine.up)(`owned work: ${engine.name}`, () => {
    let temp: TempDatabase | undefined;
    let url: string;
    let a: Store;
    let b: Store;
    const running: Requests[] = [];
    let llm: OpenAiServer;
    let web: FeedServer;

    beforeAll(async () => {
      llm = await startOpenAiServer();
      web = await startFeedServer();
      if (engine.name === 'postgres') {
        temp = await createTempDatabase();
        url = temp.url;
        [a, b] = await Promise.all([openStore(url), openStore(url)]);
      } else {
        url = tempStoreUrl();
        b = a = await openStore(url);
      }
    });
    afterEach(async () => {
      for (const r of running.splice(0)) await r.stop();
      for (const table of ['jobs', 'outbox', 'outbox_chats', 'pending_digests', 'articles', 'feeds', 'subscriptions', 'chats', 'daily_entries', 'daily_sent'] as const) {
        await a.db.deleteFrom(table).execute();
      }
    });
    afterAll(async () => {
      await a.close();
      if (b !== a) await b.close();
      await temp?.drop();
      await Promise.all([llm.close(), web.close()]);
    });

    /** A replica's request worker, with a sender that only records what it would send. */
    const replica = (store: Store, owner: string, handlers: Record<string, JobHandler>, options: { holdMs?: number; now?: () => number } = {}) => {
      const said: NewMessage[] = [];
      const requests = createRequests({
        jobs: store.jobs,
        sender: { enqueue: async (m) => said.push(m) > 0 },
        log: silentLogger,
        now: options.now ?? Date.now,
        owner,
        holdMs: options.holdMs ?? 300,
        concurrency: 4,
      });
      for (const [kind, handler] of Object.entries(handlers)) requests.handle(kind, handler);
      running.push(requests);
      return { requests, said };
    };

    it('renews a job’s hold while it runs: a long /import runs once, and the chat’s next job waits for it', async () => {
      const runs: Array<{ id: string; owner: string; start: number; end: number }> = [];
      const slow = (owner: string): JobHandler => async (job, reply) => {
        const start = Date.now();
        await sleep(job.id === 'import-1' ? 1500 : 50); // five holds' worth
        runs.push({ id: job.id, owner, start, end: Date.now() });
        await reply.say(`done ${job.id}`);
      };
      const r1 = replica(a, 'A', { import: slow('A') });
      const r2 = replica(b, 'B', { import: slow('B') });
      await r1.requests.add({ id: 'import-1', chatId: 7, kind: 'import', payload: { lang: 'zh' } });
      await r1.requests.add({ id: 'import-2', chatId: 7, kind: 'import', payload: { lang: 'zh' } });
      r1.requests.start();
      r2.requests.start();
      for (let i = 0; i < 100 && runs.length < 2; i++) await sleep(50);
      expect(runs.map((r) => r.id).sort()).toEqual(['import-1', 'import-2']); // each once, on whichever replica took it
      const [first, second] = [runs.find((r) => r.id === 'import-1')!, runs.find((r) => r.id === 'import-2')!];
      expect(second.start).toBeGreaterThanOrEqual(first.end - 20); // one job per chat at a time
      // Each is removed once its handler has returned (a moment after the handler recorded its run above).
      for (let i = 0; i < 40 && (await a.jobs.count()) > 0; i++) await sleep(25);
      expect(await a.jobs.count()).toBe(0);
    });

    it('counts a crash as an attempt: after three, the job is kept as failed and its user told with the id, and `failed --retry` revives it', async () => {
      await a.jobs.add({ id: 'sub-crash', chatId: 8, kind: 'sub', payload: { lang: 'en', url: 'https://x.example/feed' }, createdAt: Date.now() }, Date.now());
      // Three replicas took it and died working it (their holds lapse; nothing recorded an outcome).
      for (let i = 0; i < MAX_JOB_ATTEMPTS; i++) {
        expect(await b.jobs.claimDue(Date.now(), 1, { owner: `dead-${i}`, holdMs: 40 }, ['sub'])).toHaveLength(1);
        await sleep(60);
      }
      let ran = 0;
      const r = replica(a, 'A', { sub: async () => void ran++ });
      r.requests.start();
      await r.requests.idle();
      for (let i = 0; i < 40 && r.said.length === 0; i++) await sleep(25);
      expect(ran).toBe(0); // not fed to a fourth process
      const failed = await a.failed.list();
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ kind: 'job', attempts: MAX_JOB_ATTEMPTS + 1 });
      expect(r.said).toHaveLength(1);
      expect(r.said[0]!.html).toBe(TEXTS.en.jobFailed(failed[0]!.id));
      expect(await a.jobs.count()).toBe(0);

      expect(await b.failed.retry(failed[0]!.id, Date.now())).toBe(1);
      for (let i = 0; i < 80 && ran === 0; i++) await sleep(25);
      expect(ran).toBe(1);
      expect(await a.failed.list()).toEqual([]);
    });

    it('tells the user once, with the id, when a job fails three times, and keeps it', async () => {
      const r = replica(a, 'A', {
        sub: async () => {
          throw new Error('boom');
        },
      });
      await r.requests.add({ id: 'sub-fails', chatId: 9, kind: 'sub', payload: { lang: 'zh' } });
      r.requests.start();
      // Retries wait 30 s, 60 s: bring them forward instead of waiting.
      for (let i = 0; i < 400 && (await a.failed.list()).length === 0; i++) {
        await a.db.updateTable('jobs').set({ run_at: 0 }).where('failed_at', 'is', null).execute();
        await sleep(25);
      }
      const [failed] = await a.failed.list();
      expect(failed).toMatchObject({ kind: 'job', attempts: 3, lastError: 'boom' });
      expect(r.said.map((m) => m.html)).toEqual([TEXTS.zh.jobFailed(failed!.id)]);
    });

    it('never hands two of one chat’s jobs out at once, however many workers claim together', async () => {
      for (let i = 0; i < 5; i++) await a.jobs.add({ id: `same-chat-${i}`, chatId: 13, kind: 'sub', payload: {}, createdAt: i }, i);
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => [a, b][i % 2]!.jobs.claimDue(Date.now(), 2, { owner: `w${i}`, holdMs: 60_000 }, ['sub'])));
      expect(claims.flat().map((j) => j.id)).toEqual(['same-chat-0']);
    });

    it('spends no LLM call on an article whose feed only inactive chats follow', async () => {
      const clock = Date.parse('2026-11-24T00:00:00Z');
      const dispatched: Dispatch[] = [];
      await a.chats.ensure(newChat(901, 'private', { digestTime: '08:00', timezone: 'UTC' }, 0));
      await a.chats.deactivate(901, 'blocked');
      await a.db.insertInto('subscriptions').values({ feed_id: 'lonely', chat_id: 901, created_at: 0, options: null }).execute();
      const stage = testDigestStage({ store: a, llmBaseUrl: llm.baseUrl, now: () => clock, dispatched, concurrency: 1, owner: 'alive', fallbackAfterMs: 6 * HOUR });
      await stage.accept({ ...newFeedState('lonely', 'https://lonely.example/feed', 0), title: 'L', primed: true }, [
        { key: 'g:l', guid: 'l', url: 'https://lonely.example/1', title: '无人阅读', categories: [], contentText: ARTICLE_TEXT },
      ]);
      const calls = llm.requests.length;
      stage.start();
      await stage.idle();
      await stage.stop();
      expect(llm.requests.length).toBe(calls);
      expect(dispatched).toEqual([]);
      expect(await a.articles.pendingCount()).toBe(0);
    });

    it('leaves a job of a kind it does not know for a replica that knows it (a rolling deploy)', async () => {
      const old = replica(a, 'old', { sub: async () => {} });
      old.requests.start();
      await old.requests.add({ id: 'future-1', chatId: 10, kind: 'digest-v3', payload: { lang: 'zh' } });
      await old.requests.add({ id: 'sub-1', chatId: 11, kind: 'sub', payload: { lang: 'zh' } });
      await sleep(300);
      await old.requests.idle();
      expect(await a.jobs.count()).toBe(1); // the unknown one waits, not deleted, not failed
      expect(await a.failed.list()).toEqual([]);
      let ran = false;
      const next = replica(b, 'new', { 'digest-v3': async () => void (ran = true) });
      next.requests.start();
      for (let i = 0; i < 80 && !ran; i++) await sleep(25);
      expect(ran).toBe(true);
    });

    it('compares holds on the database’s clock: a replica whose clock runs a minute ahead takes nothing held', async () => {
      let runs = 0;
      const handler: JobHandler = async () => {
        runs++;
        await sleep(800);
      };
      const honest = replica(a, 'honest', { sub: handler }, { holdMs: 2000 });
      const ahead = replica(b, 'ahead', { sub: handler }, { holdMs: 2000, now: () => Date.now() + 60_000 });
      await honest.requests.add({ id: 'sub-clock', chatId: 12, kind: 'sub', payload: { lang: 'zh' } });
      honest.requests.start();
      for (let i = 0; i < 40 && runs === 0; i++) await sleep(10);
      ahead.requests.start();
      await sleep(600);
      expect(runs).toBe(1);
      // Leases too: the sender lease held by one replica is not taken by a replica whose clock is ahead.
      expect(await a.leases.acquire('sender-test', 'honest', 5000)).toBe(true);
      expect(await b.leases.acquire('sender-test', 'ahead', 5000)).toBe(false);
    });

    it('sends an article whose digest keeps dying with its process without a digest once its time is up, with no LLM call', async () => {
      let clock = Date.parse('2026-11-24T00:00:00Z');
      const dispatched: Dispatch[] = [];
      await a.db.insertInto('subscriptions').values({ feed_id: 'f1', chat_id: 1, created_at: 0, options: null }).execute();
      const stage = testDigestStage({ store: a, llmBaseUrl: llm.baseUrl, now: () => clock, dispatched, concurrency: 1, owner: 'alive', fallbackAfterMs: 6 * HOUR });
      const feed = { ...newFeedState('f1', 'https://news.example/feed', 0), title: 'F', primed: true };
      await stage.accept(feed, [{ key: 'g:1', guid: '1', url: 'https://news.example/1', title: '崩溃', categories: [], contentText: ARTICLE_TEXT }]);
      // Two processes took it and died making its digest.
      for (const owner of ['dead-1', 'dead-2']) {
        expect(await b.articles.claimDue(clock, 1, { owner, holdMs: 40 })).toHaveLength(1);
        await sleep(60);
      }
      clock += 7 * HOUR;
      const calls = llm.requests.length;
      stage.start();
      await stage.idle();
      await stage.stop();
      expect(dispatched).toHaveLength(1);
      expect(dispatched[0]!.noDigest).toBe('llm-failed');
      expect(llm.requests.length).toBe(calls);
      expect(await a.articles.pendingCount()).toBe(0);
    });

    it('backs off a feed whose polls keep dying with their process, like a failing feed, without fetching it again', async () => {
      web.set('/crash.xml', { body: '<rss><channel><title>t</title></channel></rss>' });
      const feedUrl = web.url('/crash.xml');
      const clock = Date.parse('2026-11-24T00:00:00Z');
      await a.feeds.insert({ ...newFeedState('crash', feedUrl, clock - 1000), primed: true });
      // Two cron ticks: each time a process took it and died polling it.
      for (const [i, owner] of ['dead-1', 'dead-2'].entries()) {
        expect(await b.feeds.claimDue(clock + i * 60_000, clock + i * 60_000, 1, { owner, holdMs: 40 })).toHaveLength(1);
        await sleep(60);
      }
      const hits = () => web.requests.filter((r) => r.path === '/crash.xml').length;
      const before = hits();
      const stage = createPollStage({
        owner: 'alive',
        claims: a.feeds,
        feeds: a.feeds,
        seen: a.seen,
        fetch: createSafeFetch({ allowPrivate: parseAllowList('127.0.0.1/32'), maxBytes: 1 << 20, timeoutMs: 1000 }),
        sink: { accept: async () => {} },
        log: silentLogger,
        now: () => clock,
        intervalMs: 0,
        concurrency: 2,
        perHostConcurrency: 1,
      });
      stage.start();
      stage.tick(clock + 2 * 60_000);
      await stage.idle();
      await stage.stop();
      const after = (await a.feeds.get('crash'))!;
      expect(hits()).toBe(before);
      expect(after.errorCount).toBe(1);
      expect(after.lastError).toMatch(/stopped the bot's process/);
      expect(after.nextPollAt).toBeGreaterThan(clock + 2 * 60_000);
    });

    it('records a daily digest with its entries and next time in one step: a re-claim after a crash queues the same ids, and an article is in one digest of a chat only', async () => {
      const clock = Date.parse('2026-11-24T00:30:00Z');
      const chat = { ...newChat(501, 'private', { digestTime: '08:00', timezone: 'Asia/Shanghai' }, 0), mode: 'daily' as const, nextDigestAt: clock - 60_000 };
      await a.chats.ensure(chat);
      for (const feedId of ['site-a', 'site-a-comments']) await a.db.insertInto('subscriptions').values({ feed_id: feedId, chat_id: 501, created_at: 0, options: null }).execute();
      const entry = { articleKey: 'u:https://site.example/1', feedTitle: '站点', title: '标题', url: 'https://site.example/1', tldr: '一句话', tags: ['科技'], at: clock - 3_600_000 };
      expect(await a.daily.fanOut({ filterText: '', feedId: 'site-a', entry })).toBe(1);
      // A tick took the chat and died before recording anything.
      expect(await b.chats.claimDueDigests(clock, 10, { owner: 'dead', holdMs: 40 })).toHaveLength(1);
      await sleep(60);
      const daily = createDailyDigest({ chats: a.chats, daily: a.daily, subscriptions: a.subscriptions, sender: { wake: () => {} }, log: silentLogger, now: () => clock, owner: 'alive' });
      expect(await daily.tick()).toBe(1);
      const queued = await a.db.selectFrom('outbox').select('id').execute();
      expect(queued.map((r) => r.id)).toEqual([`d:501:${clock - 60_000}:0`]);
      expect(await daily.tick()).toBe(0);
      expect((await a.chats.get(501))!.nextDigestAt).toBeGreaterThan(clock);
      // The same article through the site's second feed, the next day: not in the chat's next digest.
      expect(await a.daily.fanOut({ filterText: '', feedId: 'site-a-comments', entry })).toBe(0);
      expect((await a.daily.ofChats([501])).get(501)).toBeUndefined();
    });

    it('moves a group to its supergroup in one step, keeping its settings over the default row the new id got first', async () => {
      const old = { ...newChat(-600, 'group', { digestTime: '21:30', timezone: 'Europe/Berlin', lang: 'en' }, 1), mode: 'both' as const, nextDigestAt: 123 };
      await a.chats.ensure(old);
      await a.db.insertInto('subscriptions').values({ feed_id: 'f-move', chat_id: -600, created_at: 1, options: null }).execute();
      await a.daily.insert([{ chatId: -600, articleKey: 'k1', feedId: 'f-move', feedTitle: 'F', title: 'T', tags: [], at: 1 }]);
      await a.outbox.enqueue([{ id: 'p:-600:k0', chatId: -600, plain: 'hi' }], 1);
      // An update from the supergroup arrived first and made a default row.
      await a.chats.ensure(newChat(-100600, 'supergroup', { digestTime: '08:00', timezone: 'Asia/Shanghai' }, 2));
      await b.moves.moveChat(-600, -100600, 5);
      expect(await a.chats.get(-600)).toBeUndefined();
      expect(await a.chats.get(-100600)).toMatchObject({ type: 'supergroup', mode: 'both', digestTime: '21:30', timezone: 'Europe/Berlin', lang: 'en', nextDigestAt: 123 });
      expect((await a.subscriptions.ofChat(-100600)).map((s) => s.feedId)).toEqual(['f-move']);
      expect((await a.daily.ofChats([-100600])).get(-100600)).toHaveLength(1);
      expect((await a.outbox.readyChats(10, 10)).map((c) => c.chatId)).toEqual([-100600]);
    });

    it('drops a chat’s waiting daily lines when it leaves daily mode or blocks the bot (they never come back months later)', async () => {
      for (const id of [701, 702]) {
        await a.chats.ensure({ ...newChat(id, 'private', { digestTime: '08:00', timezone: 'UTC' }, 0), mode: 'daily' });
        await a.daily.insert([{ chatId: id, articleKey: `k${id}`, feedId: 'f', feedTitle: 'F', title: 'T', tags: [], at: 1 }]);
      }
      await a.chats.update(701, { mode: 'instant', nextDigestAt: null });
      await a.chats.deactivate(702, 'blocked');
      expect((await a.daily.ofChats([701, 702])).size).toBe(0);
    });

    it('keeps a feed’s seen keys while it answers 304 for months, and forgets only keys gone from it', async () => {
      const day = 24 * HOUR;
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      await a.feeds.insert({ ...newFeedState('quiet', 'https://quiet.example/feed', t0), primed: true });
      await a.seen.mark('quiet', ['g:still-there', 'g:gone'], t0);
      await a.db.updateTable('feeds').set({ seen_at: t0 }).where('id', '=', 'quiet').execute();
      await a.prune(t0 + 200 * day); // 200 days of 304s: nothing read, nothing forgotten
      expect((await a.seen.lastSeen('quiet', ['g:still-there', 'g:gone'])).size).toBe(2);
      // A body read on day 200 holds only one of them (re-marked then); the other is gone from the feed.
      await a.seen.mark('quiet', ['g:still-there'], t0 + 200 * day);
      await a.db.updateTable('feeds').set({ seen_at: t0 + 200 * day }).where('id', '=', 'quiet').execute();
      await a.prune(t0 + 201 * day);
      expect([...(await a.seen.lastSeen('quiet', ['g:still-there', 'g:gone'])).keys()]).toEqual(['g:still-there']);
    });
  });
}
