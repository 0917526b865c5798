// Three real bot processes on one PostgreSQL database: one takes updates, one sends; kill -9 the sender mid fan-out and another resumes within seconds, losing nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { articlePage } from '../support/articles.js';
import { startBotApiServer, TEST_TOKEN, type BotApiServer } from '../support/botApiServer.js';
import { CLI, ROOT } from '../support/buildCli.js';
import { rss, startFeedServer, type FeedServer } from '../support/feedServer.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { createTempDatabase, postgresUp, type TempDatabase } from '../support/postgres.js';

const CHATS = 300;
let api: BotApiServer;
let llm: OpenAiServer;
let web: FeedServer;
let db: TempDatabase;
const children: ChildProcess[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const health = async (port: number) => {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { sending?: boolean; takingUpdates?: boolean };
  } catch {
    return {};
  }
};

describe.skipIf(!postgresUp)('failover between replicas', () => {
  beforeAll(async () => {
    api = await startBotApiServer({ enforceLimits: true, sendDelayMs: 40 });
    llm = await startOpenAiServer();
    web = await startFeedServer();
    db = await createTempDatabase();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all([api?.close(), llm?.close(), web?.close()]);
    await db?.drop();
  });

  it(`resumes a fan-out to ${CHATS} chats within seconds after kill -9 of the sending replica, none lost`, async () => {
    const env = {
      TELEGRAM_BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: llm.baseUrl,
      OPENAI_MODEL: 'test-model',
      STORE_URL: db.url,
      POLL_CRON: '0 0 1 1 *',
      FETCH_ALLOW_PRIVATE: '127.0.0.1/32',
      PROMPTS_DIR: join(ROOT, 'prompts'),
      LOG_LEVEL: 'warn',
      PATH: process.env.PATH ?? '',
    };
    const post = (n: number) => ({ title: `文章${n}`, link: web.url(`/p/${n}`), guid: `g${n}`, description: '导语' });
    web.set('/p/2', { body: articlePage('第二篇'), contentType: 'text/html' });
    web.set('/feed.xml', { body: rss('频道', [post(1)]) });
    const app = await createApp(parseConfig({ ...env, PORT: '0' }), silentLogger);
    for (let chat = 1; chat <= CHATS; chat++) await app.subscriber.subscribe(50_000 + chat, web.url('/feed.xml'));
    await app.close();
    web.set('/feed.xml', { body: rss('频道', [post(2), post(1)]) });

    const ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      const child = spawn(process.execPath, [CLI, 'start'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
      children.push(child);
    }
    await api.waitFor(() => api.sent.length >= 40, 30_000, 'the first pushes');
    const states = await Promise.all(ports.map(health));
    expect(states.filter((s) => s.sending)).toHaveLength(1);
    expect(states.filter((s) => s.takingUpdates)).toHaveLength(1);
    const sender = children[states.findIndex((s) => s.sending)]!;
    sender.kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = api.sent.length;
    await api.waitFor(() => api.sent.length > atKill + 1, 20_000, 'another replica to resume sending');
    const resumedMs = api.sent[atKill + 1]!.at - killedAt;
    await api.waitFor(() => new Set(api.sent.map((m) => m.chatId)).size === CHATS, 60_000, 'every chat to get the article');
    await new Promise((r) => setTimeout(r, 1500));

    const perChat = new Map<number, number>();
    for (const m of api.sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    const duplicates = api.sent.length - perChat.size;
    console.log(`failover: ${atKill} sent before the kill, resumed after ${resumedMs} ms, ${api.sent.length} in all to ${perChat.size} chats, ${duplicates} duplicate(s), ${api.conflicts} getUpdates conflicts`);
    expect(perChat.size).toBe(CHATS);
    expect(duplicates).toBeLessThanOrEqual(16); // at most the sends in flight when the sender died
    expect(resumedMs).toBeLessThan(12_000);
    expect(api.conflicts).toBe(0);
    expect(llm.requests).toHaveLength(1);

    // The replica taking updates dies too: another takes them over, and a user is answered.
    const alive = ports.map((port, i) => ({ port, child: children[i]! })).filter((r) => r.child !== sender);
    const taking = (await Promise.all(alive.map((r) => health(r.port)))).findIndex((st) => st.takingUpdates);
    expect(taking).toBeGreaterThanOrEqual(0);
    alive[taking]!.child.kill('SIGKILL');
    api.message(59_999, '/help');
    await api.waitFor(() => api.sentTo(59_999).length > 0, 30_000, 'an answer from the replica that took over the updates');
    expect(api.conflicts).toBe(0);
  }, 120_000);
});
