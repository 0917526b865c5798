// Scale benchmarks on SQLite and PostgreSQL: the sender's pick cost by queue size, a fan-out to many chats, the daily digest for many chats, an LLM backlog.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createDailyDigest } from '../src/delivery/dailyDigest.js';
import { createFanOut, fanOutQueries } from '../src/delivery/fanOut.js';
import { createStoryMatcher } from '../src/delivery/storyMatch.js';
import { createSender } from '../src/delivery/sender.js';
import type { TelegramApi } from '../src/delivery/telegramSend.js';
import { silentLogger } from '../src/log.js';
import type { Database } from '../src/store/schema.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTempDatabase, postgresUp } from '../test/support/postgres.js';
import { fmt, measure } from './measure.js';
import { fillChats, fillDailyEntries, fillFilters, fillOutbox, fillSubscriptions } from '../test/support/bulk.js';

export type Engine = 'sqlite' | 'postgres';

/** A fresh, empty database of the engine; `drop` removes it. */
export async function freshStore(engine: Engine): Promise<{ store: Store; url: string; drop(): Promise<void> }> {
  if (engine === 'postgres') {
    const db = await createTempDatabase();
    const store = await openStore(db.url);
    return { store, url: db.url, drop: async () => (await store.close(), await db.drop()) };
  }
  const url = `sqlite://${join(mkdtempSync(join(tmpdir(), 'fdb-scale-')), 'bench.sqlite')}`;
  const store = await openStore(url);
  return { store, url, drop: () => store.close() };
}

export const engines = (wanted: string | undefined): Engine[] => {
  const all: Engine[] = postgresUp ? ['sqlite', 'postgres'] : ['sqlite'];
  if (!postgresUp) console.log('(PostgreSQL is not reachable at 127.0.0.1:5432: its figures are left out)');
  return wanted ? all.filter((e) => wanted.split(',').includes(e)) : all;
};

/** The sender picking from `queued` chats, each with one message, over an instant in-process Telegram: CPU and pick time per message. */
export async function benchSender(engine: Engine, queuedCounts: number[], wantedSends: number): Promise<void> {
  for (const queued of queuedCounts) {
    // The queue stays at least half full while measured: the cost is that of picking among ~`queued` chats.
    const sends = Math.min(wantedSends, Math.floor(queued / 2));
    const { store, drop } = await freshStore(engine);
    const now = Date.now();
    await fillOutbox(store.db, queued, now);
    let picked = 0;
    let pickMs = 0;
    const timed = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      const t = performance.now();
      try {
        return await fn(...a);
      } finally {
        pickMs += performance.now() - t;
      }
    };
    const outbox = { ...store.outbox, readyChats: timed(store.outbox.readyChats), takeHeads: timed(store.outbox.takeHeads) };
    // Figures from the WARM-th message on: taking over the outbox (a one-time repair pass) is not the cost per message.
    const WARM = Math.min(500, Math.floor(sends / 4));
    let warmCpu = process.cpuUsage();
    let warmPickMs = 0;
    let warmAt = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    const telegram: TelegramApi = {
      sendMessage: async () => {
        picked++;
        if (picked === WARM) {
          warmCpu = process.cpuUsage();
          warmPickMs = pickMs;
          warmAt = performance.now();
        }
        if (picked === sends) done();
        return {};
      },
      sendDocument: async () => ({}),
    };
    const owner = `bench-${queued}`;
    const sender = createSender({
      outbox,
      telegram,
      log: silentLogger,
      rate: 2000,
      onMigrate: async () => {},
      onDeactivate: async () => {},
      onTopicGone: async () => {},
      lease: { acquire: () => store.leases.acquire('sender', owner, 10_000), release: () => store.leases.release('sender', owner) },
    });
    let steady = { cpuMs: 0, pickMs: 0, wallMs: 0, n: 0 };
    const [, m] = await measure(async () => {
      await sender.start();
      await finished;
      const cpu = process.cpuUsage(warmCpu);
      steady = { cpuMs: (cpu.user + cpu.system) / 1000, pickMs: pickMs - warmPickMs, wallMs: performance.now() - warmAt, n: picked - WARM };
      await sender.stop();
    });
    console.log(
      `  ${engine.padEnd(8)} ${String(queued).padStart(7)} queued chats: ${(steady.cpuMs / steady.n).toFixed(3)} ms CPU and ${(steady.pickMs / steady.n).toFixed(3)} ms picking per message, ${(steady.n / (steady.wallMs / 1000)).toFixed(0)} msg/s (start-up included: wall ${(m.wallMs / 1000).toFixed(2)} s, peak RSS ${m.peakRssMb.toFixed(0)} MB)`,
    );
    await drop();
  }
}

/**
 * One article to `chats` subscribed chats: the time to queue every push (set-based inserts a slice at a time), without filters
 * and with a filter on every subscription (matched inside the same statements).
 */
export async function benchFanOut(engine: Engine, chats: number): Promise<void> {
  for (const filtered of [false, true]) {
    const { store, drop } = await freshStore(engine);
    await fillChats(store.db, chats, 'instant', null);
    await store.feeds.insert({ id: 'benchfeed', url: 'https://bench.example/feed', title: '基准', nextPollAt: 0, errorCount: 0, primed: true, createdAt: 0 });
    await fillSubscriptions(store.db, 'benchfeed', chats);
    if (filtered) await fillFilters(store.db, 'benchfeed', chats);
    const fanOut = createFanOut({
      ...fanOutQueries(store),
      stories: createStoryMatcher({ stories: store.stories, onMerged: async () => {}, log: silentLogger }),
      onEdited: async () => {},
      onQueued: () => {},
      log: silentLogger,
      now: Date.now,
    });
    const article = { key: 'a1', url: 'https://bench.example/a1', title: '基准文章', categories: [], contentText: '正文', feedId: 'benchfeed', feedTitle: '基准', firstSeenAt: 0, ownSite: true };
    const digest = { title: '标题', tldr: '一句话。', summary: '一段摘要。', tags: ['科技', '芯片', '人工智能'], model: 'm', promptVersion: 'v', createdAt: 0 };
    const [, m] = await measure(() => fanOut.dispatch({ article, feedId: 'benchfeed', feedTitle: '基准', digest }));
    const dropped = (await sql<{ n: number }>`SELECT count(*) AS n FROM filter_drops`.execute(store.db)).rows[0]!.n;
    console.log(
      `  ${engine.padEnd(8)} one article to ${chats} chats, ${filtered ? `every subscription filtered (${Number(dropped)} kept out)` : 'no filters'}: ${fmt(m)}; ${await store.outbox.size()} messages in the outbox`,
    );
    if (!filtered) {
      // The same story from another feed the same chats follow: each chat's push edited to name it, none pushed again.
      await store.feeds.insert({ id: 'benchfeed2', url: 'https://bench.example/feed2', title: '基准二', nextPollAt: 0, errorCount: 0, primed: true, createdAt: 0 });
      await fillSubscriptions(store.db, 'benchfeed2', chats);
      const copy = { ...article, key: 'a2', url: 'https://bench.example/a2', feedId: 'benchfeed2', feedTitle: '基准二' };
      const [, e] = await measure(() => fanOut.dispatch({ article: copy, feedId: 'benchfeed2', feedTitle: '基准二', digest }));
      const edits = (await sql<{ n: number }>`SELECT count(*) AS n FROM outbox WHERE id LIKE 'e:%'`.execute(store.db)).rows[0]!.n;
      console.log(`  ${engine.padEnd(8)} the same story from a second feed to the same ${chats} chats: ${fmt(e)}; ${Number(edits)} edits queued, ${await store.outbox.size()} messages in the outbox`);
    }
    await drop();
  }
}

/** The daily digest for `chats` chats × `articles` articles each: one tick, composing and queueing every digest. */
export async function benchDaily(engine: Engine, chats: number, articles: number): Promise<void> {
  const { store, drop } = await freshStore(engine);
  const now = Date.now();
  await fillChats(store.db, chats, 'daily', now - 60_000);
  await fillDailyEntries(store.db, articles, now);
  const daily = createDailyDigest({ chats: store.chats, daily: store.daily, subscriptions: store.subscriptions, sender: { wake: () => {} }, log: silentLogger, now: Date.now, owner: 'bench' });
  const [sent, m] = await measure(() => daily.tick());
  console.log(`  ${engine.padEnd(8)} ${chats} chats × ${articles} articles: ${sent} digests queued, ${fmt(m)}`);
  await drop();
}
