// Black-box parts: the built bot as its own process against the fakes, its tables seeded in bulk; what a user and an operator see.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/store/schema.js';
import { TEST_TOKEN } from '../test/support/botApiServer.js';
import { fillChats, fillDailyEntries, fillOutbox } from '../test/support/bulk.js';
import { freshStore, type Engine } from './scale.js';

export interface LiveFakes {
  apiRoot: string;
  llmBaseUrl: string;
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

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);

/** The latency figures of a probe window: p50, p99, max and how many went unanswered. */
function latencyLine(r: ProbeResult, from: number, to: number): string {
  const ms = r.latencies.filter((l) => l.at >= from && l.at < to).map((l) => l.ms);
  const late = r.unanswered.length;
  const all = [...ms, ...r.unanswered].sort((a, b) => a - b);
  return `${all.length} /start: p50 ${quantile(all, 0.5)} ms, p99 ${quantile(all, 0.99)} ms, max ${all.at(-1) ?? NaN} ms${late ? `, ${late} unanswered` : ''}`;
}

/** Rows PostgreSQL read from each table since the last call (sequential scans, rows they read, index fetches). */
async function pgReads(db: Kysely<Database>, tables: string[]): Promise<Map<string, { seqScans: number; seqRows: number; idxRows: number }>> {
  const rows = await sql<{ relname: string; seq_scan: string; seq_tup_read: string; idx_tup_fetch: string | null }>`
    SELECT relname, seq_scan, seq_tup_read, idx_tup_fetch FROM pg_stat_user_tables WHERE relname IN (${sql.join(tables)})`.execute(db);
  return new Map(rows.rows.map((r) => [r.relname, { seqScans: Number(r.seq_scan), seqRows: Number(r.seq_tup_read), idxRows: Number(r.idx_tup_fetch ?? 0) }]));
}

function startBot(env: Record<string, string>): ChildProcess {
  const cli = join(import.meta.dirname, '../src/cli.js');
  const child = spawn(process.execPath, [cli, 'start'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    if (/"level":"(error|fatal)"/.test(text)) process.stderr.write(`  bot: ${text.slice(0, 300)}`);
  });
  return child;
}

/** A fresh store seeded by `seed`, the bot started on it as a process, `run` with both; the bot killed and the store dropped after. */
async function withBot(fakes: LiveFakes, engine: Engine, seed: (db: Kysely<Database>) => Promise<void>, run: (bot: ChildProcess, db: Kysely<Database>) => Promise<void>): Promise<void> {
  const { store, url, drop } = await freshStore(engine);
  await seed(store.db);
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
  });
  try {
    await run(bot, store.db);
  } finally {
    bot.kill('SIGKILL');
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
    const rssBefore = rssMb(bot.pid!, 'VmRSS');
    while (await anyDue()) await sleep(200);
    const endedAt = Date.now();
    const tickCpu = cpuSeconds(bot.pid!) - cpuAtStart;
    const sentDuring = (await ask<FakeStats>({ stats: true })).sent - before.sent;
    await sleep(10_000); // sends go on after the tick
    const probe = await ask<ProbeResult>({ probe: 'stop' });
    const after = await ask<FakeStats>({ stats: true });
    console.log(`  ${engine.padEnd(8)} ${chats} chats × ${articles}: tick ${((endedAt - startedAt) / 1000).toFixed(1)} s, bot CPU ${tickCpu.toFixed(1)} s; ${sentDuring} messages sent during it, 429s ${after.rejected429 - before.rejected429}; RSS ${rssBefore.toFixed(0)} MB before it, peak ${rssMb(bot.pid!, 'VmHWM').toFixed(0)} MB`);
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
    const t = Date.now();
    await sleep(seconds * 1000);
    const after = await ask<FakeStats>({ stats: true });
    const n = after.sent - before.sent;
    const cpuMs = (cpuSeconds(bot.pid!) - cpu) * 1000;
    console.log(`  ${engine.padEnd(8)} ${String(queued).padStart(7)} queued: ${(cpuMs / n).toFixed(2)} ms CPU per message, ${(n / ((Date.now() - t) / 1000)).toFixed(1)} msg/s, 429s ${after.rejected429 - before.rejected429}, peak RSS ${rssMb(bot.pid!, 'VmHWM').toFixed(0)} MB`);
  });
}
