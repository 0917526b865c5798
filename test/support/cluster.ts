// Several replicas of the real bot on one PostgreSQL database, in webhook mode behind a round-robin "load balancer" (the test Bot API posting updates to each in turn).
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { launchBot, type BotHandle } from '../../src/main.js';
import { startBotApiServer, TEST_TOKEN, type BotApiServer } from './botApiServer.js';
import { articlePage } from './articles.js';
import { rss, startFeedServer, type FeedServer } from './feedServer.js';
import { startOpenAiServer, type OpenAiServer } from './openaiServer.js';
import { createTempDatabase, type TempDatabase } from './postgres.js';

export interface Cluster {
  api: BotApiServer;
  llm: OpenAiServer;
  web: FeedServer;
  replicas: BotHandle[];
  /** Each replica's log lines. */
  logs: string[][];
  clock: { now: number };
  /** A poll tick on every replica (each cron fires everywhere), then waits until all is digested and sent. */
  tickAll(): Promise<void>;
  settle(): Promise<void>;
  /** The feed at `path` lists posts `ns` (newest first), each an article page of the feed server. */
  publish(path: string, ...ns: number[]): void;
  /** A user writes; the "load balancer" hands the update to the next replica; resolves with the replies once one matches. */
  say(chatId: number, text: string, expected: RegExp, options?: { fromId?: number }): Promise<string>;
  close(): Promise<void>;
}

const SECRET = 'cluster-webhook-secret';

export interface ClusterOptions {
  storeUrl: string;
  replicas: number;
  env?: Record<string, string>;
  enforceLimits?: boolean;
}

/**
 * For the tests of the calling `describe`: each gets a fresh PostgreSQL database, and the cluster it starts with the returned
 * function on it is closed, and the database dropped, after the test.
 */
export function clusterPerTest(): (options: Omit<ClusterOptions, 'storeUrl'>) => Promise<Cluster> {
  let db: TempDatabase | undefined;
  let cluster: Cluster | undefined;
  beforeEach(async () => {
    db = await createTempDatabase();
  });
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    await db?.drop();
  });
  return async (options) => (cluster = await startCluster({ storeUrl: db!.url, ...options }));
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const api = await startBotApiServer({ enforceLimits: options.enforceLimits ?? false });
  const llm = await startOpenAiServer();
  const web = await startFeedServer();
  const clock = { now: Date.parse('2026-11-24T02:00:00Z') };
  const logs: string[][] = [];
  const replicas: BotHandle[] = [];
  for (let i = 0; i < options.replicas; i++) {
    const config = parseConfig({
      TELEGRAM_BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_WEBHOOK_URL: 'https://bot.example/telegram',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      OPENAI_API_KEY: 'sk-test-very-secret-key',
      OPENAI_BASE_URL: llm.baseUrl,
      OPENAI_MODEL: 'test-model',
      STORE_URL: options.storeUrl,
      POLL_CRON: '0 0 1 1 *',
      FETCH_ALLOW_PRIVATE: '127.0.0.1/32',
      PORT: '0',
      PROMPTS_DIR: join(import.meta.dirname, '../../prompts'),
      ...options.env,
    });
    const lines: string[] = [];
    logs.push(lines);
    const log = createLogger({ level: 'info', secrets: [TEST_TOKEN], write: (line) => lines.push(line) });
    replicas.push(await launchBot(config, log, { now: () => clock.now, schedules: false }));
  }
  api.deliver(
    replicas.map((r) => `http://127.0.0.1:${r.port}/telegram`),
    SECRET,
  );
  const settle = async () => {
    for (let round = 0; round < 2; round++) for (const r of replicas) await r.settle();
  };
  return {
    api,
    llm,
    web,
    replicas,
    logs,
    clock,
    async tickAll() {
      for (const r of replicas) r.app.polls.tick();
      await settle();
    },
    settle,
    publish(path, ...ns) {
      for (const n of ns) web.set(`/posts/${n}`, { body: articlePage(`第${n}篇`), contentType: 'text/html' });
      web.set(path, { body: rss('频道', ns.map((n) => ({ title: `第${n}篇`, link: web.url(`/posts/${n}`), guid: `${path}-${n}` }))), etag: `"${ns.join('-')}"` });
    },
    async say(chatId, text, expected, options = {}) {
      const before = api.sentTo(chatId).length;
      api.message(chatId, text, options);
      await api.waitFor(() => api.sentTo(chatId).slice(before).some((m) => expected.test(m.text)), 15_000, `a reply matching ${expected}`);
      return api.sentTo(chatId).slice(before).map((m) => m.text).join('\n');
    },
    async close() {
      for (const r of replicas) await r.stop();
      await Promise.all([api.close(), llm.close(), web.close()]);
    },
  };
}
