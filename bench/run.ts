// `npm run bench [poll|digest|delivery|sender|fanout|stories|daily|backlog] [--store sqlite|postgres] [--feeds N] …`: wall time, CPU time and peak RSS of the hot paths.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Telegram } from 'telegraf';
import { createApp, type App } from '../src/app.js';
import { openStore } from '../src/store/store.js';
import { parseConfig } from '../src/config.js';
import { feedId } from '../src/core/itemKey.js';
import { newFeedState, type Item } from '../src/core/model.js';
import { silentLogger } from '../src/log.js';
import { TEST_TOKEN } from '../test/support/botApiServer.js';
import { benchFeedXml, FEED_HOSTS } from './fakes.js';
import { fmt, measure } from './measure.js';
import { decodeBody } from '../src/feeds/charset.js';
import { parseFeed } from '../src/feeds/parseFeed.js';
import { hostileFeed, ordinaryFeed } from '../test/support/hostile.js';
import { benchLiveDaily, benchLiveFanOut, benchLiveIdle, benchLivePoll, benchLivePrune, benchLiveSender } from './live.js';
import { benchDaily, benchFanOut, benchSender, engines, freshStore, type Engine } from './scale.js';
import { benchStories } from './stories.js';

interface Fakes {
  feedPort: number;
  pagePort: number;
  llmBaseUrl: string;
  apiRoot: string;
}
interface FakeStats {
  sent: number;
  chats: number;
  rejected429: number;
  llmCalls: number;
  first: number;
  last: number;
}

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PARTS = ['live-idle', 'live-daily', 'live-sender', 'live-poll', 'live-fanout', 'live-prune', 'startup', 'poll', 'once', 'schedule', 'parse', 'digest', 'delivery', 'sender', 'fanout', 'stories', 'daily', 'backlog', 'hostile'];
const parts = args.filter((a) => PARTS.includes(a));
const run = (part: string) => parts.length === 0 || parts.includes(part);
const list = (name: string, fallback: number[]) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]!.split(',').map(Number) : fallback;
};
const FEEDS = opt('feeds', 10_000);
const ARTICLES = opt('articles', 1000);
const CHATS = opt('chats', 1000);
const STORES = engines(args.includes('--store') ? args[args.indexOf('--store') + 1] : undefined);

const child = fork(join(import.meta.dirname, 'fakes.js'), { stdio: 'inherit' });
const ask = <T>(msg: object) =>
  new Promise<T>((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });

function env(fakes: Fakes, extra: Record<string, string> = {}): Record<string, string> {
  return {
    STORE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'fdb-bench-')), 'bench.sqlite')}`,
    FETCH_ALLOW_PRIVATE: '127.0.0.0/8',
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: fakes.llmBaseUrl,
    OPENAI_MODEL: 'bench-model',
    PROMPTS_DIR: join(import.meta.dirname, '../../prompts'),
    LOG_LEVEL: 'error',
    ...extra,
  };
}

async function benchPoll(fakes: Fakes, engine: Engine): Promise<void> {
  const { url, drop } = await freshStore(engine);
  const app = await createApp(parseConfig(env(fakes, { STORE_URL: url })), silentLogger);
  for (let f = 0; f < FEEDS; f++) {
    const url = `http://127.0.0.${1 + (f % FEED_HOSTS)}:${fakes.feedPort}/feed/${f}.xml`;
    await app.store.feeds.insert(newFeedState(feedId(url), url, Date.now()));
  }
  const [cold, coldM] = await measure(() => app.polls.pollAll());
  const [warm, warmM] = await measure(() => app.polls.pollAll());
  const failed = [...cold, ...warm].filter((r) => r.outcome.kind === 'error');
  console.log(`poll (${engine}): ${FEEDS} feeds × 20 items on ${FEED_HOSTS} hosts, concurrency ${app.config.poll.concurrency}, ${app.config.poll.perHostConcurrency} per host`);
  console.log(`  cold cycle (all 200, parse, record): ${fmt(coldM)}`);
  console.log(`  warm cycle (all 304):                ${fmt(warmM)}`);
  console.log(`  warm cycle outcomes: ${warm.filter((r) => r.outcome.kind === 'not-modified').length} not modified, ${failed.length} failed${failed.length ? ` (${failed[0]!.outcome.kind === 'error' ? failed[0]!.outcome.message : ''})` : ''}`);
  await app.close();
  await drop();
}

/** CPU seconds of the children this process has waited for (/proc/self/stat's cutime + cstime). */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Runs `node <args>` to its end: its wall time and CPU (from the kernel's accounts of waited-for children). */
function timedNode(args: string[], childEnv: Record<string, string>): { wallMs: number; cpuMs: number; status: number | null } {
  const cpu = childCpuSeconds();
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...childEnv }, stdio: 'ignore' });
  return { wallMs: performance.now() - t, cpuMs: (childCpuSeconds() - cpu) * 1000, status: r.status };
}

/**
 * `poll --once` as a user runs it, on `feeds` feeds over the fakes' hosts: its start on an empty store, then cold (all 200, nothing
 * new) and warm (all 304), beside a plain rss-parser loop that downloads and parses every feed in full with no store at all.
 */
async function benchPollOnce(fakes: Fakes, feeds: number): Promise<void> {
  const cli = join(import.meta.dirname, '../../dist/cli.js');
  const base = env(fakes);
  const urls = Array.from({ length: feeds }, (_, f) => `http://127.0.0.${1 + (f % FEED_HOSTS)}:${fakes.feedPort}/feed/${f}.xml`);
  const empty = env(fakes);
  const starts = Array.from({ length: 5 }, () => timedNode([cli, 'poll', '--once'], empty)).sort((a, b) => a.wallMs - b.wallMs);
  console.log(`poll --once (sqlite; npm run build first): on an empty store ${starts[2]!.wallMs.toFixed(0)} ms wall, ${starts[2]!.cpuMs.toFixed(0)} ms CPU (median of 5)`);
  const store = await openStore(base.STORE_URL!);
  for (const url of urls) await store.feeds.insert(newFeedState(feedId(url), url, Date.now()));
  await store.close();
  timedNode([cli, 'poll', '--once'], base); // the first fetch of each feed records its items
  await ask({ etags: false });
  const profiled = (what: string) => (process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROF, what)}`] : []);
  const cold = timedNode([...profiled('cold'), cli, 'poll', '--once'], base);
  await ask({ etags: true });
  timedNode([cli, 'poll', '--once'], base); // each feed's validators recorded
  const warm = timedNode([...profiled('warm'), cli, 'poll', '--once'], base);
  const loop = `const Parser = require('rss-parser'); const p = new Parser(); (async () => { for (const u of ${JSON.stringify(urls)}) await p.parseURL(u); })();`;
  await ask({ etags: false });
  const plain = timedNode(['-e', loop], { NODE_PATH: join(import.meta.dirname, '../../node_modules') });
  await ask({ etags: true });
  const line = (r: { wallMs: number; cpuMs: number }) => `${(r.wallMs / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU`;
  console.log(`  ${feeds} feeds on ${FEED_HOSTS} hosts, cold (all 200, nothing new): ${line(cold)}; warm (all 304): ${line(warm)}`);
  console.log(`  a plain rss-parser loop downloading and parsing all ${feeds} (no store): ${line(plain)}`);
}

/**
 * The running poll stage on one replica: every feed due at one cron tick, each answering after `latencyMs`, on 8 hosts; how long
 * until the tick's last feed is polled (it must fit POLL_CRON's 10 minutes with room), cold and warm (all 304).
 */
async function benchSchedule(fakes: Fakes, engine: Engine, feeds: number, latencyMs: number): Promise<void> {
  const HOSTS = 8;
  const { url, drop } = await freshStore(engine);
  await ask({ feedDelayMs: latencyMs });
  const app = await createApp(parseConfig(env(fakes, { STORE_URL: url, POLL_CONCURRENCY: '16', POLL_PER_HOST_CONCURRENCY: '2' })), silentLogger);
  const now = Date.now();
  for (let f = 0; f < feeds; f++) {
    const url = `http://127.0.0.${1 + (f % HOSTS)}:${fakes.feedPort}/feed/${f}.xml`;
    await app.store.feeds.insert({ ...newFeedState(feedId(url), url, now - 1000), primed: true });
  }
  app.polls.start();
  const cycle = async (tick: number) => {
    app.polls.tick(tick);
    await app.polls.idle();
  };
  const [, coldM] = await measure(() => cycle(Date.now()));
  await app.store.db.updateTable('feeds').set({ next_poll_at: 0 }).execute();
  const [, warmM] = await measure(() => cycle(Date.now() + 1000));
  console.log(`schedule (${engine}): ${feeds} feeds due at one tick on ${HOSTS} hosts, each answering in ${latencyMs} ms, 16 workers, 2 per host`);
  console.log(`  cold tick (all 200): ${fmt(coldM)}  — ideal ${((feeds * latencyMs) / 16 / 1000).toFixed(0)} s; POLL_CRON's default tick is 600 s`);
  console.log(`  warm tick (all 304): ${fmt(warmM)}`);
  await app.close();
  await ask({ feedDelayMs: 0 });
  await drop();
}

/** Decoding and parsing alone: the bench's 1,000 feeds of 20 items (what a cold poll reads), and the real feeds of the corpus. */
async function benchParse(): Promise<void> {
  console.log('parsing: bytes → charset → feed, without fetching or storing');
  const parseAll = async (docs: Buffer[], rounds: number) => {
    let items = 0;
    for (let r = 0; r < rounds; r++) for (const d of docs) items += (await parseFeed(decodeBody(d).text, 'https://bench.example/feed.xml').catch(() => ({ items: [] }))).items.length;
    return items;
  };
  const bench = Array.from({ length: 1000 }, (_, f) => Buffer.from(benchFeedXml(f, 20)));
  await parseAll(bench.slice(0, 50), 1); // warm the JIT
  const [items, m] = await measure(() => parseAll(bench, 1));
  console.log(`  1,000 bench feeds (${items} items): ${fmt(m)}`);
  const corpus = join(import.meta.dirname, '../../../shared/corpus/feeds');
  if (!existsSync(corpus)) return console.log(`  the real-feed corpus: skipped (${corpus} is absent)`);
  const docs = readdirSync(corpus).map((f) => readFileSync(join(corpus, f)));
  const bytes = docs.reduce((n, d) => n + d.length, 0);
  const [corpusItems, cm] = await measure(() => parseAll(docs, 10));
  console.log(`  the corpus ×10 (${docs.length} documents, ${(bytes / 1024 / 1024).toFixed(1)} MB, ${corpusItems} items): ${fmt(cm)}`);
}

/** 100 articles at once behind a slow LLM, then one article of another feed: how long the backlog takes, and how long the other waits. */
async function benchBacklog(fakes: Fakes, engine: Engine, articles: number, llmDelayMs: number): Promise<void> {
  const { url, drop } = await freshStore(engine);
  await ask({ llmDelayMs });
  const app = await createApp(parseConfig(env(fakes, { STORE_URL: url })), silentLogger);
  const page = (n: number) => `http://127.0.0.1:${fakes.pagePort}/a/backlog-${engine}-${n}`;
  const item = (n: number): Item => ({ key: `g:${n}`, guid: String(n), url: page(n), canonicalUrl: page(n), title: `文章 ${n}`, categories: [], contentText: '' });
  const feedA = { ...newFeedState('backlogA', 'https://a.example/feed', 0), title: 'A', primed: true };
  const feedB = { ...newFeedState('backlogB', 'https://b.example/feed', 0), title: 'B', primed: true };
  app.digests.start();
  const started = performance.now();
  await app.digests.accept(feedA, Array.from({ length: articles }, (_, i) => item(i)));
  await new Promise((r) => setTimeout(r, 1000));
  const bAt = performance.now();
  await app.digests.accept(feedB, [item(100_000)]);
  const waitFor = async (done: () => Promise<boolean>) => {
    while (!(await done())) await new Promise((r) => setTimeout(r, 50));
    return performance.now();
  };
  const pendingOf = (feedId: string) => app.store.db.selectFrom('pending_digests').select('article_key').where('feed_id', '=', feedId).execute();
  const bDone = await waitFor(async () => (await pendingOf('backlogB')).length === 0);
  const allDone = await waitFor(async () => (await app.store.articles.pendingCount()) === 0);
  console.log(
    `  ${engine.padEnd(8)} ${articles} articles, ${llmDelayMs / 1000} s LLM, LLM_CONCURRENCY ${app.config.llm.concurrency}: drained in ${((allDone - started) / 1000).toFixed(1)} s; another feed's article digested ${((bDone - bAt) / 1000).toFixed(1)} s after it arrived`,
  );
  await app.close();
  await ask({ llmDelayMs: 0 });
  await drop();
}

async function benchDigest(fakes: Fakes): Promise<void> {
  const app = await createApp(parseConfig(env(fakes)), silentLogger);
  const before = (await ask<FakeStats>({ stats: true })).llmCalls;
  const urls = Array.from({ length: ARTICLES }, (_, i) => `http://127.0.0.1:${fakes.pagePort}/a/${i}`);
  let next = 0;
  const outcomes: string[] = [];
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      // Two readers ask for the same article at once: one LLM call must serve both.
      const [a, b] = await Promise.all([app.summarizer.forUrl(url), app.summarizer.forUrl(url)]);
      outcomes.push(a.kind, b.kind);
    }
  };
  const [, m] = await measure(() => Promise.all(Array.from({ length: 8 }, worker)));
  const calls = (await ask<FakeStats>({ stats: true })).llmCalls - before;
  console.log(`digest: ${ARTICLES} article pages through fetch, readability, prompt, instant fake LLM, validation (each asked for twice at once)`);
  console.log(`  ${fmt(m)}; ${(m.wallMs / ARTICLES).toFixed(2)} ms and ${(m.cpuMs / ARTICLES).toFixed(2)} ms CPU per article`);
  console.log(`  digests: ${outcomes.filter((k) => k === 'digest').length} of ${outcomes.length}; LLM calls per unique article: ${(calls / ARTICLES).toFixed(2)}`);
  await app.close();
}

async function benchDelivery(fakes: Fakes): Promise<void> {
  const config = parseConfig(env(fakes, { TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: fakes.apiRoot }));
  const app: App = await createApp(config, silentLogger, { telegram: new Telegram(TEST_TOKEN, { apiRoot: fakes.apiRoot } as never) });
  const before = await ask<FakeStats>({ stats: true });
  const url = `http://127.0.0.1:${fakes.feedPort}/feed/0.xml`;
  const feed = { ...newFeedState(feedId(url), url, Date.now()), title: '基准测试', primed: true };
  await app.store.feeds.insert(feed);
  for (let c = 1; c <= CHATS; c++) await app.store.subscriptions.follow(feed.id, 100_000 + c, Date.now(), 10);
  const item: Item = { key: 'g:bench', guid: 'bench', url: `http://127.0.0.1:${fakes.pagePort}/a/bench`, canonicalUrl: `http://127.0.0.1:${fakes.pagePort}/a/bench`, title: '基准文章', categories: [], contentText: '' };
  await app.start();
  const [, m] = await measure(async () => {
    await app.digests.accept(feed, [item]);
    await app.settle();
  });
  const after = await ask<FakeStats>({ stats: true });
  const sent = after.sent - before.sent;
  // The fake records every accepted message; this part is the only one that sends, so first/last span its sends.
  const rate = (sent - 1) / ((after.last - after.first) / 1000);
  console.log(`delivery: one article to ${CHATS} chats, configured ${config.delivery.messagesPerSecond} msg/s, fake Bot API enforcing Telegram's limits`);
  console.log(`  ${fmt(m)}`);
  console.log(`  achieved ${rate.toFixed(2)} msg/s = ${(rate / config.delivery.messagesPerSecond).toFixed(3)} of configured; 429s: ${after.rejected429 - before.rejected429}; duplicates: ${sent - (after.chats - before.chats)}; LLM calls: ${after.llmCalls - before.llmCalls}`);
  await app.close();
}

const fakes = await ask<Fakes>({ feeds: FEEDS, items: 20 });
try {
  if (run('startup')) {
    // The CLI loads each command's modules only when it runs: `help` must not pay for telegraf, openai, linkedom, opencc.
    const cli = join(import.meta.dirname, '../../dist/cli.js');
    const times = Array.from({ length: 5 }, () => {
      const t = performance.now();
      spawnSync(process.execPath, [cli, 'help'], { stdio: 'ignore' });
      return performance.now() - t;
    }).sort((a, b) => a - b);
    console.log(`startup: \`feed-digest-bot help\` takes ${times[2]!.toFixed(0)} ms (median of 5; npm run build first)`);
  }
  if (run('poll')) for (const engine of STORES) await benchPoll(fakes, engine);
  if (run('once')) await benchPollOnce(fakes, opt('once-feeds', 500));
  // Minutes long (10,000 feeds at 300 ms each): only when named.
  if (parts.includes('schedule')) for (const engine of STORES) await benchSchedule(fakes, engine, opt('schedule-feeds', 10_000), opt('latency-ms', 300));
  if (run('digest')) await benchDigest(fakes);
  if (run('delivery')) await benchDelivery(fakes);
  if (run('sender')) {
    console.log(`sender: pick and send ${opt('sends', 3000)} messages from a queue of N chats (instant in-process Telegram, so only the sender's own cost counts)`);
    for (const engine of STORES) await benchSender(engine, list('queued', [1000, 30_000, 100_000]), opt('sends', 3000));
  }
  if (run('fanout')) {
    console.log('fan-out: one digested article to every subscribed chat (set-based insert into the outbox)');
    for (const engine of STORES) await benchFanOut(engine, opt('fanout-chats', 100_000));
  }
  if (run('stories')) {
    console.log('stories: one new article compared with 48 hours of stories (candidates by shared tokens, by index; the same-story rule; the record)');
    for (const engine of STORES) await benchStories(engine, opt('story-feeds', 10_000), opt('per-day', 5), opt('story-articles', 1000));
  }
  if (run('daily')) {
    console.log('daily digest: one tick for every due chat, each with its entries');
    for (const engine of STORES) await benchDaily(engine, opt('daily-chats', 100_000), opt('daily-articles', 30));
  }
  // Black-box: the built bot as a process, minutes long at 100,000 chats; only when named.
  if (parts.includes('live-idle')) {
    console.log('the running bot with nothing to do: CPU per second');
    for (const engine of STORES) await benchLiveIdle(fakes, engine, opt('seconds', 20));
  }
  if (parts.includes('live-daily')) {
    console.log('daily digest in the running bot: every chat due at one tick, /start sent every 250 ms from new chats');
    for (const engine of STORES) for (const chats of list('live-chats', [10_000, 100_000])) await benchLiveDaily(fakes, ask, engine, chats, opt('daily-articles', 30));
  }
  if (parts.includes('live-sender')) {
    console.log(`sender in the running bot: N chats with a message each, the fake Bot API enforcing Telegram's limits, CPU over ${opt('seconds', 20)} s of sending`);
    for (const engine of STORES) for (const queued of list('queued', [1000, 30_000, 100_000])) await benchLiveSender(fakes, ask, engine, queued, opt('seconds', 20));
  }
  if (parts.includes('live-fanout')) {
    console.log('fan-out in the running bot: one new article for every chat, all in instant mode, /start sent every 250 ms from new chats');
    for (const engine of STORES) for (const chats of list('live-chats', [100_000])) await benchLiveFanOut(fakes, ask, engine, chats);
  }
  if (parts.includes('live-prune')) {
    console.log('the nightly prune in the running bot (PRUNE_CRON every minute), 30,000 chats waiting a message each, /start sent every 250 ms');
    for (const engine of STORES) for (const rows of list('prune-rows', [1_000_000])) await benchLivePrune(fakes, ask, engine, rows);
  }
  if (parts.includes('live-poll')) {
    console.log(`poll in the running bot: every feed due at one minutely tick on ${FEED_HOSTS} hosts, 20 items each, /start sent every 250 ms`);
    for (const engine of STORES) await benchLivePoll(fakes, ask, engine, FEEDS);
  }
  if (run('parse')) await benchParse();
  if (run('hostile')) {
    console.log('parsing a 5 MB feed: one built to make regexes over markup backtrack, and an ordinary one');
    for (const [name, text] of [['hostile', hostileFeed(5 * 1024 * 1024)], ['ordinary', ordinaryFeed(5 * 1024 * 1024)]] as const) {
      const [feed, m] = await measure(() => parseFeed(text, 'https://bench.example/feed.xml'));
      console.log(`  ${name.padEnd(8)} ${(text.length / 1024 / 1024).toFixed(1)} MB, ${feed.items.length} items: ${fmt(m)}`);
    }
  }
  if (run('backlog')) {
    console.log('LLM backlog: a flood of articles from one feed, then one article from another');
    for (const engine of STORES) await benchBacklog(fakes, engine, opt('backlog-articles', 100), opt('llm-delay-ms', 5000));
  }
} finally {
  child.kill();
}
