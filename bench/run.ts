// `npm run bench [poll|digest|delivery] [--feeds N] [--articles N] [--chats N]`: wall time, CPU time and peak RSS of the bot's hot paths.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Telegram } from 'telegraf';
import { createApp, type App } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { feedId } from '../src/core/itemKey.js';
import { newFeedState, type Item } from '../src/core/model.js';
import { silentLogger } from '../src/log.js';
import { TEST_TOKEN } from '../test/support/botApiServer.js';
import { FEED_HOSTS } from './fakes.js';

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
const parts = args.filter((a) => ['poll', 'digest', 'delivery'].includes(a));
const run = (part: string) => parts.length === 0 || parts.includes(part);
const FEEDS = opt('feeds', 1000);
const ARTICLES = opt('articles', 1000);
const CHATS = opt('chats', 1000);

const child = fork(join(import.meta.dirname, 'fakes.js'), { stdio: 'inherit' });
const ask = <T>(msg: object) =>
  new Promise<T>((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });

interface Measure {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
}

async function measure<T>(fn: () => Promise<T>): Promise<[T, Measure]> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return [result, { wallMs, cpuMs: (used.user + used.system) / 1000, peakRssMb: peak / 1024 / 1024 }];
}

const fmt = (m: Measure) => `wall ${(m.wallMs / 1000).toFixed(2)} s, CPU ${(m.cpuMs / 1000).toFixed(2)} s, peak RSS ${m.peakRssMb.toFixed(0)} MB`;

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

async function benchPoll(fakes: Fakes): Promise<void> {
  const app = await createApp(parseConfig(env(fakes)), silentLogger);
  for (let f = 0; f < FEEDS; f++) {
    const url = `http://127.0.0.${1 + (f % FEED_HOSTS)}:${fakes.feedPort}/feed/${f}.xml`;
    await app.store.feeds.insert(newFeedState(feedId(url), url, Date.now()));
  }
  const [cold, coldM] = await measure(() => app.polls.pollAll());
  const [warm, warmM] = await measure(() => app.polls.pollAll());
  const failed = [...cold, ...warm].filter((r) => r.outcome.kind === 'error');
  console.log(`poll: ${FEEDS} feeds × 20 items on ${FEED_HOSTS} hosts, concurrency ${app.config.poll.concurrency}, ${app.config.poll.perHostConcurrency} per host`);
  console.log(`  cold cycle (all 200, parse, record): ${fmt(coldM)}`);
  console.log(`  warm cycle (all 304):                ${fmt(warmM)}`);
  console.log(`  warm cycle outcomes: ${warm.filter((r) => r.outcome.kind === 'not-modified').length} not modified, ${failed.length} failed${failed.length ? ` (${failed[0]!.outcome.kind === 'error' ? failed[0]!.outcome.message : ''})` : ''}`);
  await app.close();
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
  if (run('poll')) await benchPoll(fakes);
  if (run('digest')) await benchDigest(fakes);
  if (run('delivery')) await benchDelivery(fakes);
} finally {
  child.kill();
}
