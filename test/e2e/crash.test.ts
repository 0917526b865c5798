// Killed in the middle of a fan-out (SIGKILL, the real CLI in a child process), then restarted: nothing lost, duplicates only for messages in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { articlePage } from '../support/articles.js';
import { startBotApiServer, type BotApiServer } from '../support/botApiServer.js';
import { rss, startFeedServer, type FeedServer } from '../support/feedServer.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { tempStoreUrl } from '../support/tempStore.js';
import { CLI } from '../support/buildCli.js';
import { childEnv } from '../support/childEnv.js';

const CHATS = 40;
let api: BotApiServer;
let llm: OpenAiServer;
let web: FeedServer;
let env: Record<string, string>;

beforeAll(async () => {
  api = await startBotApiServer({ enforceLimits: true, sendDelayMs: 40 });
  llm = await startOpenAiServer();
  web = await startFeedServer();
  env = childEnv(api, llm, tempStoreUrl(), {
    OPENAI_MODEL: 'test-model',
    FEED_INTERVAL_MINUTES: '0.01', // due again at once: the child's start-up poll finds the new article
  });
});
afterAll(async () => {
  await Promise.all([api?.close(), llm?.close(), web?.close()]);
});

function startChild(): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  return child;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('crash in the middle of a fan-out', () => {
  it(`delivers one article to all ${CHATS} chats across a SIGKILL and a restart`, async () => {
    const post = (n: number) => ({ title: `文章${n}`, link: web.url(`/p/${n}`), guid: `g${n}`, description: '导语' });
    web.set('/p/2', { body: articlePage('第二篇'), contentType: 'text/html' });
    web.set('/feed.xml', { body: rss('频道', [post(1)]) });
    const app = await createApp(parseConfig(env), silentLogger);
    for (let chat = 1; chat <= CHATS; chat++) await app.subscriber.subscribe(7000 + chat, web.url('/feed.xml'));
    await app.close();
    web.set('/feed.xml', { body: rss('频道', [post(2), post(1)]) });
    await new Promise((r) => setTimeout(r, 1000)); // let the feed fall due

    const first = startChild();
    await api.waitFor(() => api.sent.length >= 10, 30_000, 'the first pushes');
    first.kill('SIGKILL');
    await exited(first);
    const atKill = api.sent.length;

    const second = startChild();
    await api.waitFor(() => new Set(api.sent.map((m) => m.chatId)).size === CHATS, 30_000, 'every chat to get the article');
    await new Promise((r) => setTimeout(r, 1500));
    const stopAsked = Date.now();
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
    const stopMs = Date.now() - stopAsked;

    const perChat = new Map<number, number>();
    for (const m of api.sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    const duplicates = api.sent.length - perChat.size;
    console.log(`crash test: ${atKill} sent before the kill, ${api.sent.length} in all to ${perChat.size} chats, ${duplicates} duplicate(s), stopped in ${stopMs} ms, ${llm.requests.length} LLM call(s)`);
    expect(perChat.size).toBe(CHATS);
    // At most the messages in flight when the process died: one burst, a quarter second's share of the default 28 a second.
    expect(duplicates).toBeLessThanOrEqual(7);
    expect(llm.requests).toHaveLength(1);
    expect(stopMs).toBeLessThan(10_000);
    // The restarted process cannot know when the dead one last wrote to a chat: a 429 there is possible, and waited out.
    expect(api.stats.rejected429).toBeLessThanOrEqual(3);
  }, 90_000);
});
