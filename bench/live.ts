// Black-box parts: the built bot as its own process against the fakes, its tables seeded in bulk; what a user and an operator see.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/store/schema.js';
import { SEEN_RETENTION_MS, SENT_RETENTION_MS, type Store } from '../src/store/store.js';
import { feedId } from '../src/core/itemKey.js';
import { newFeedState } from '../src/core/model.js';
import { FEED_HOSTS, LONG_FEED_PATH } from './fakes.js';
import { TEST_TOKEN } from '../test/support/botApiServer.js';
import { fillChats, fillDailyEntries, fillOutbox, fillSubscriptions, numbers } from '../test/support/bulk.js';
import { freshStore, type Engine } from './scale.js';

export interface LiveFakes {
  apiRoot: string;
  llmBaseUrl: string;
  feedPort: number;
}
export type Ask = <T>(msg: object) => Promise<T>;
interface FakeStats {
  sent: number;
  rejected429: number;
}
interface ProbeResult {
  latencies: Array<{ at: number; ms: number }>;
  unanswered: number[];
}

const CLK_TCK = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) the process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The process's resident set (VmRSS) or its peak so far (VmHWM), in MB. */
function rssMb(pid: number, which: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${which}:\\s+(\\d+) kB`));
  return line ? Number(line[1]) / 1024 : NaN;
}

/** CPU seconds by thread name, user and system. */
type ThreadCpu = Map<string, { user: number; sys: number }>;

/** CPU seconds per thread name (main, libuv workers, V8's GC and compiler threads), user and system, from /proc. */
function threadCpu(pid: number): ThreadCpu {
  const out: ThreadCpu = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const t = out.get(name) ?? { user: 0, sys: 0 };
      out.set(name, { user: t.user + Number(fields[11]) / CLK_TCK, sys: t.sys + Number(fields[12]) / CLK_TCK });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Where a span's CPU went, by thread: "node 1.20 s (user 0.80, sys 0.40), V8 worker 0.30 s (…)". */
function threadLine(before: ThreadCpu, after: ThreadCpu): string {
  return [...after]
    .map(([name, t]) => [name, t.user - (before.get(name)?.user ?? 0), t.sys - (before.get(name)?.sys ?? 0)] as const)
    .filter(([, user, sys]) => user + sys >= 0.05)
    .sort((a, b) => b[1] + b[2] - a[1] - a[2])
    .map(([name, user, sys]) => `${name} ${(user + sys).toFixed(2)} s (user ${user.toFixed(2)}, sys ${sys.toFixed(2)})`)
    .join(', ');
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);

/** The latency figures of a probe window: p50, p99, max, and how many were still unanswered when it closed (counted at their age). */
function latencyLine(r: ProbeResult, from: number, to: number): string {
  const ms = r.latencies.filter((l) => l.at >= from && l.at < to).map((l) => l.ms);
  const late = r.unanswered.length;
  const all = [...ms, ...r.unanswered].sort((a, b) => a - b);
  return `${all.length} /start: p50 ${quantile(all, 0.5)} ms, p99 ${quantile(all, 0.99)} ms, max ${all.at(-1) ?? NaN} ms${late ? `, ${late} unanswered when the window closed (counted at their age)` : ''}`;
}

/** Rows PostgreSQL read from each table since the last call (sequential scans, rows they read, index fetches). */
async function pgReads(db: Kysely<Database>, tables: string[]): Promise<Map<string, { seqScans: number; seqRows: number; idxRows: number }>> {
  const rows = await sql<{ relname: string; seq_scan: string; seq_tup_read: string; idx_tup_fetch: string | null }>`
    SELECT relname, seq_scan, seq_tup_read, idx_tup_fetch FROM pg_stat_user_tables WHERE relname IN (${sql.join(tables)})`.execute(db);
  return new Map(rows.rows.map((r) => [r.relname, { seqScans: Number(r.seq_scan), seqRows: Number(r.seq_tup_read), idxRows: Number(r.idx_tup_fetch ?? 0) }]));
}

/** `BENCH_CPU_PROF=<dir>`: each bot writes a CPU profile there (stopped with SIGTERM then, so it can). */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

function startBot(env: Record<string, string>): ChildProcess {
  const cli = join(import.meta.dirname, '../src/cli.js');
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, cli, 'start'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    if (/"level":"(error|fatal)"/.test(text)) process.stderr.write(`  bot: ${text.slice(0, 300)}`);
  });
  return child;
}

/** A fresh store seeded by `seed`, the bot started on it as a process, `run` with both; the bot killed and the store dropped after. */
async function withBot(
  fakes: LiveFakes,
  engine: Engine,
  seed: (db: Kysely<Database>, store: Store) => Promise<void>,
  run: (bot: ChildProcess, db: Kysely<Database>) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const { store, url, drop } = await freshStore(engine);
  await seed(store.db, store);
  if (engine === 'postgres') await sql`ANALYZE`.execute(store.db);
  const bot = startBot({
    TELEGRAM_BOT_TOKEN: TEST_TOKEN,
    TELEGRAM_API_ROOT: fakes.apiRoot,
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: fakes.llmBaseUrl,
    OPENAI_MODEL: 'bench-model',
    STORE_URL: url,
    POLL_CRON: '0 0 1 1 *',
    PORT: '0',
    PROMPTS_DIR: join(import.meta.dirname, '../../prompts'),
    LOG_LEVEL: 'warn',
    ...env,
  });
  try {
    await run(bot, store.db);
  } finally {
    bot.kill(PROFILE_DIR ? 'SIGTERM' : 'SIGKILL');
    await new Promise((r) => bot.once('exit', r));
    await drop();
  }
}

/**
 * The daily digest of `chats` chats × `articles` entries, due at once, in the running bot: a user writes /start every 250 ms
 * before, during and after the tick; the answers' latency, the sends and 429s, the bot's CPU for the tick, rows read, peak RSS.
 */
export async function benchLiveDaily(fakes: LiveFakes, ask: Ask, engine: Engine, chats: number, articles: number): Promise<void> {
  const now = Date.now();
  const seed = async (db: Kysely<Database>) => {
    await fillChats(db, chats, 'daily', now - 60_000);
    await fillDailyEntries(db, articles, now);
  };
  const before = await ask<FakeStats>({ stats: true });
  await withBot(fakes, engine, seed, async (bot, db) => {
    // Watched by index, reading a row or two, so the figures of rows read are the bot's: the tick has begun when a chat's next
    // digest moved to tomorrow, and ended when no chat is due.
    const moved = async () => (await sql`SELECT id FROM chats WHERE next_digest_at > ${now + 3_600_000} ORDER BY next_digest_at LIMIT 1`.execute(db)).rows.length > 0;
    const anyDue = async () => (await sql`SELECT id FROM chats WHERE next_digest_at <= ${Date.now()} ORDER BY next_digest_at LIMIT 1`.execute(db)).rows.length > 0;
    await ask({ probe: 'start', everyMs: 250 });
    const reads = engine === 'postgres' ? await pgReads(db, ['chats', 'daily_entries']) : undefined;
    let cpuAtStart = cpuSeconds(bot.pid!);
    while (!(await moved())) {
      cpuAtStart = cpuSeconds(bot.pid!);
      await sleep(100);
    }
    const startedAt = Date.now();
    const sentBefore = (await ask<FakeStats>({ stats: true })).sent;
    const rssBefore = rssMb(bot.pid!, 'VmRSS');
    while (await anyDue()) await sleep(200);
    const endedAt = Date.now();
    const tickCpu = cpuSeconds(bot.pid!) - cpuAtStart;
    const sentDuring = (await ask<FakeStats>({ stats: true })).sent - sentBefore;
    await sleep(10_000); // sends go on after the tick
    const probe = await ask<ProbeResult>({ probe: 'stop' });
    const after = await ask<FakeStats>({ stats: true });
    console.log(`  ${engine.padEnd(8)} ${chats} chats × ${articles}: tick ${((endedAt - startedAt) / 1000).toFixed(1)} s, bot CPU ${tickCpu.toFixed(1)} s; ${sentDuring} messages sent during it (${(sentDuring / ((endedAt - startedAt) / 1000)).toFixed(1)}/s), 429s ${after.rejected429 - before.rejected429}; RSS ${rssBefore.toFixed(0)} MB before it, peak ${rssMb(bot.pid!, 'VmHWM').toFixed(0)} MB`);
    console.log(`           answers during the tick: ${latencyLine(probe, startedAt, endedAt)}`);
    console.log(`           answers in the 10 s after: ${latencyLine({ latencies: probe.latencies, unanswered: [] }, endedAt, Infinity)}`);
    if (reads) {
      await sleep(1000);
      for (const [table, r] of await pgReads(db, ['chats', 'daily_entries'])) {
        const was = reads.get(table)!;
        console.log(`           ${table}: ${r.seqScans - was.seqScans} sequential scans reading ${r.seqRows - was.seqRows} rows, ${r.idxRows - was.idxRows} rows fetched by index`);
      }
    }
  });
}

/**
 * One new article in a feed that `chats` chats follow in instant mode, in the running bot: from the poll that finds it to its last
 * push queued (the digest between them), a user writing /start every 250 ms throughout; the sends and 429s meanwhile, the bot's
 * CPU, peak RSS.
 */
export async function benchLiveFanOut(fakes: LiveFakes, ask: Ask, engine: Engine, chats: number): Promise<void> {
  const url = `http://127.0.0.1:${fakes.feedPort}${LONG_FEED_PATH}`;
  const id = feedId(url);
  const seededAt = Date.now();
  const seed = async (db: Kysely<Database>, store: Store) => {
    // The feed's first item is new (its text the whole article: nothing to fetch before the digest); the other 19 were seen before.
    await store.feeds.insert({ ...newFeedState(id, url, seededAt - 1000), primed: true });
    await store.seen.mark(id, Array.from({ length: 19 }, (_, i) => `g:long-i${i + 1}`), seededAt);
    await fillChats(db, chats, 'instant', null);
    await fillSubscriptions(db, id, chats);
  };
  const before = await ask<FakeStats>({ stats: true });
  await withBot(
    fakes,
    engine,
    seed,
    async (bot, db) => {
      const pushes = async () => {
        const n = async (table: 'outbox' | 'sent') => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE id LIKE 'p:%'`.execute(db)).rows[0]!.n);
        return (await n('outbox')) + (await n('sent'));
      };
      const polled = async () => (await sql`SELECT id FROM feeds WHERE id = ${id} AND next_poll_at > ${seededAt}`.execute(db)).rows.length > 0;
      await ask({ probe: 'start', everyMs: 250 });
      // Polled at the next minutely tick.
      let cpuAtStart = cpuSeconds(bot.pid!);
      while (!(await polled())) {
        cpuAtStart = cpuSeconds(bot.pid!);
        await sleep(100);
      }
      const polledAt = Date.now();
      const rssBefore = rssMb(bot.pid!, 'VmRSS');
      while ((await pushes()) === 0) await sleep(50);
      const firstAt = Date.now();
      const sentBefore = (await ask<FakeStats>({ stats: true })).sent;
      while ((await pushes()) < chats) await sleep(200);
      const queuedAt = Date.now();
      const cpu = cpuSeconds(bot.pid!) - cpuAtStart;
      const sentDuring = (await ask<FakeStats>({ stats: true })).sent - sentBefore;
      await sleep(10_000); // sends go on after it
      const probe = await ask<ProbeResult>({ probe: 'stop' });
      const after = await ask<FakeStats>({ stats: true });
      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(
        `  ${engine.padEnd(8)} one article to ${chats} chats: first push queued ${s(firstAt - polledAt)} after the poll, the last ${s(queuedAt - firstAt)} after the first; bot CPU ${cpu.toFixed(1)} s from the poll; ${sentDuring} messages sent meanwhile (${(sentDuring / ((queuedAt - firstAt) / 1000)).toFixed(1)}/s), 429s ${after.rejected429 - before.rejected429}; RSS ${rssBefore.toFixed(0)} MB before it, peak ${rssMb(bot.pid!, 'VmHWM').toFixed(0)} MB`,
      );
      console.log(`           answers from the poll to the last push queued: ${latencyLine(probe, polledAt, queuedAt)}`);
      console.log(`           answers in the 10 s after: ${latencyLine({ latencies: probe.latencies, unanswered: [] }, queuedAt, Infinity)}`);
    },
    { POLL_CRON: '* * * * *', FETCH_ALLOW_PRIVATE: '127.0.0.0/8' },
  );
}

/**
 * The nightly prune in the running bot, `rows` expired sent marks and as many expired seen keys (over 100 feeds) to delete, with
 * 30,000 chats waiting a message each: a user writes /start every 250 ms; the answers' latency, the sends and 429s while it runs,
 * the bot's CPU, peak RSS.
 */
export async function benchLivePrune(fakes: LiveFakes, ask: Ask, engine: Engine, rows: number): Promise<void> {
  const FEEDS = 100;
  const now = Date.now();
  const seed = async (db: Kysely<Database>) => {
    await fillOutbox(db, 30_000, now);
    const oldSent = now - SENT_RETENTION_MS - 86_400_000;
    await sql`INSERT INTO sent (id, at, message_id) SELECT 'old-' || CAST(i AS TEXT), CAST(${oldSent} AS BIGINT), NULL FROM (${numbers(rows)}) AS g`.execute(db);
    await sql`INSERT INTO sent (id, at, message_id) SELECT 'new-' || CAST(i AS TEXT), CAST(${now} AS BIGINT), NULL FROM (${numbers(rows / 10)}) AS g`.execute(db);
    // Feeds read today: a key not seen for two retention windows is gone from its feed.
    await sql`INSERT INTO feeds (id, url, title, next_poll_at, error_count, primed, created_at, seen_at)
      SELECT 'pf' || CAST(i AS TEXT), 'https://prune.example/' || CAST(i AS TEXT), 'f', CAST(${now + 86_400_000} AS BIGINT), 0, 1, 0, CAST(${now} AS BIGINT) FROM (${numbers(FEEDS)}) AS g`.execute(db);
    const oldSeen = now - 2 * SEEN_RETENTION_MS;
    await sql`INSERT INTO seen (feed_id, key_hash, at) SELECT 'pf' || CAST(1 + i % ${sql.lit(FEEDS)} AS TEXT), 'k' || CAST(i AS TEXT), CAST(${oldSeen} AS BIGINT) FROM (${numbers(rows)}) AS g`.execute(db);
    // The bot starts early in a minute: its first prune is at the next minute's turn, the one measured.
    while (Date.now() % 60_000 > 40_000) await sleep(200);
  };
  const before = await ask<FakeStats>({ stats: true });
  await withBot(
    fakes,
    engine,
    seed,
    async (bot, db) => {
      // The prune starts at a minute's turn (it takes a few seconds: polled for, it would be half over when seen) and ends when the
      // last seen key is gone (seen keys go after sent marks).
      const ended = async () => (await sql`SELECT key_hash FROM seen WHERE feed_id = ${`pf${1 + (rows % FEEDS)}`} AND key_hash = ${`k${rows}`}`.execute(db)).rows.length === 0;
      while ((await ask<FakeStats>({ stats: true })).sent < before.sent + 50) await sleep(100); // started, sending
      const startedAt = Math.ceil(Date.now() / 60_000) * 60_000;
      await sleep(startedAt - Date.now() - 500);
      await ask({ probe: 'start', everyMs: 250 });
      const cpuAtStart = cpuSeconds(bot.pid!);
      const sentBefore = (await ask<FakeStats>({ stats: true })).sent;
      while (!(await ended())) await sleep(50);
      const endedAt = Date.now();
      const cpu = cpuSeconds(bot.pid!) - cpuAtStart;
      const sentDuring = (await ask<FakeStats>({ stats: true })).sent - sentBefore;
      await sleep(5000);
      const probe = await ask<ProbeResult>({ probe: 'stop' });
      const after = await ask<FakeStats>({ stats: true });
      const left = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM sent WHERE id LIKE 'old-%'`.execute(db)).rows[0]!.n);
      console.log(
        `  ${engine.padEnd(8)} ${rows} sent marks and ${rows} seen keys: ${((endedAt - startedAt) / 1000).toFixed(1)} s, bot CPU ${cpu.toFixed(1)} s (${left} expired marks left); ${sentDuring} messages sent meanwhile (${(sentDuring / ((endedAt - startedAt) / 1000)).toFixed(1)}/s), 429s ${after.rejected429 - before.rejected429}; peak RSS ${rssMb(bot.pid!, 'VmHWM').toFixed(0)} MB`,
      );
      console.log(`           answers during it: ${latencyLine(probe, startedAt, endedAt)}`);
    },
    { PRUNE_CRON: '* * * * *' },
  );
}

/**
 * The sender of the running bot with `queued` chats waiting a message each, against the fake's real limits: the bot's CPU per
 * message sent over `seconds` once it sends steadily, the rate it keeps, 429s, peak RSS.
 */
export async function benchLiveSender(fakes: LiveFakes, ask: Ask, engine: Engine, queued: number, seconds: number): Promise<void> {
  await withBot(fakes, engine, (db) => fillOutbox(db, queued, Date.now()), async (bot) => {
    const sent = async () => (await ask<FakeStats>({ stats: true })).sent;
    const first = await sent();
    while ((await sent()) < first + 50) await sleep(100); // started, and past its first repair of the outbox
    const before = await ask<FakeStats>({ stats: true });
    const cpu = cpuSeconds(bot.pid!);
    const threads = threadCpu(bot.pid!);
    const t = Date.now();
    await sleep(seconds * 1000);
    const after = await ask<FakeStats>({ stats: true });
    const n = after.sent - before.sent;
    const cpuMs = (cpuSeconds(bot.pid!) - cpu) * 1000;
    console.log(`  ${engine.padEnd(8)} ${String(queued).padStart(7)} queued: ${(cpuMs / n).toFixed(2)} ms CPU per message, ${(n / ((Date.now() - t) / 1000)).toFixed(1)} msg/s, 429s ${after.rejected429 - before.rejected429}, peak RSS ${rssMb(bot.pid!, 'VmHWM').toFixed(0)} MB`);
    console.log(`           by thread: ${threadLine(threads, threadCpu(bot.pid!))}`);
  });
}

/** The running bot with nothing to do: what its timers (lease, sender, stages, cron) cost per second, the floor under every figure. */
export async function benchLiveIdle(fakes: LiveFakes, engine: Engine, seconds: number): Promise<void> {
  await withBot(fakes, engine, async () => {}, async (bot) => {
    await sleep(5000); // started
    const cpu = cpuSeconds(bot.pid!);
    await sleep(seconds * 1000);
    const ms = (cpuSeconds(bot.pid!) - cpu) * 1000;
    console.log(`  ${engine.padEnd(8)} idle: ${(ms / seconds).toFixed(1)} ms CPU per second (${((ms / seconds) / 28).toFixed(2)} ms per message at 28/s), RSS ${rssMb(bot.pid!, 'VmRSS').toFixed(0)} MB`);
  });
}

/**
 * The poll stage of the running bot over `feeds` feeds on the fakes' hosts, every feed due at one minutely tick, three cycles:
 * the first (priming: every item recorded, none pushed), cold (every feed answers 200 in full, nothing new) and warm (all 304).
 * Per cycle: wall time, the bot's CPU, /start answers meanwhile; peak RSS.
 */
export async function benchLivePoll(fakes: LiveFakes, ask: Ask, engine: Engine, feeds: number): Promise<void> {
  const seed = async (_db: Kysely<Database>, store: Store) => {
    const now = Date.now();
    for (let f = 0; f < feeds; f++) {
      const url = `http://127.0.0.${1 + (f % FEED_HOSTS)}:${fakes.feedPort}/feed/${f}.xml`;
      await store.feeds.insert(newFeedState(feedId(url), url, now - 1000));
    }
  };
  await withBot(
    fakes,
    engine,
    seed,
    async (bot, db) => {
      const anyDue = async (before: number) => (await sql`SELECT id FROM feeds WHERE next_poll_at <= ${before} ORDER BY next_poll_at LIMIT 1`.execute(db)).rows.length > 0;
      const cycle = async (name: string) => {
        // Due at the next minutely tick: the cycle runs from the first poll to the last.
        const dueAt = Date.now();
        await sql`UPDATE feeds SET next_poll_at = ${dueAt - 1000}`.execute(db);
        await ask({ probe: 'start', everyMs: 250 });
        let cpuAtStart = cpuSeconds(bot.pid!);
        for (;;) {
          const moved = (await sql`SELECT id FROM feeds WHERE next_poll_at > ${dueAt} LIMIT 1`.execute(db)).rows.length > 0;
          if (moved) break;
          cpuAtStart = cpuSeconds(bot.pid!);
          await sleep(100);
        }
        const started = Date.now();
        while (await anyDue(dueAt)) await sleep(200);
        const ended = Date.now();
        const cpu = cpuSeconds(bot.pid!) - cpuAtStart;
        const probe = await ask<ProbeResult>({ probe: 'stop' });
        console.log(`  ${engine.padEnd(8)} ${feeds} feeds, ${name}: ${((ended - started) / 1000).toFixed(1)} s, bot CPU ${cpu.toFixed(2)} s (${((cpu * 1000) / feeds).toFixed(2)} ms per feed); answers during it: ${latencyLine(probe, started, ended)}`);
      };
      await cycle('first poll (priming)');
      await ask({ etags: false });
      await cycle('cold (all 200, nothing new)');
      await ask({ etags: true });
      await cycle('warm (all 304)');
      console.log(`           peak RSS ${rssMb(bot.pid!, 'VmHWM').toFixed(0)} MB`);
    },
    { POLL_CRON: '* * * * *', FETCH_ALLOW_PRIVATE: '127.0.0.0/8' },
  );
}
