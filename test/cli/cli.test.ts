// The command line as a user runs it: summary, poll --once, check, and configuration errors — exit codes and plain messages.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { articlePage } from '../support/articles.js';
import { startBotApiServer, TEST_TOKEN, type BotApiServer } from '../support/botApiServer.js';
import { CLI, ROOT } from '../support/buildCli.js';
import { rss, startFeedServer, type FeedServer } from '../support/feedServer.js';
import { GOOD_DIGEST, startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { tempStoreUrl } from '../support/tempStore.js';

let web: FeedServer;
let llm: OpenAiServer;
let api: BotApiServer;

beforeAll(async () => {
  [web, llm, api] = await Promise.all([startFeedServer(), startOpenAiServer(), startBotApiServer()]);
  web.set('/article', { body: articlePage('一篇文章'), contentType: 'text/html' });
});
afterAll(async () => {
  await Promise.all([web.close(), llm.close(), api.close()]);
});

function run(args: string[], env: Record<string, string> = {}, cwd = mkdtempSync(join(tmpdir(), 'fdb-cli-'))): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        STORE_URL: tempStoreUrl(),
        PROMPTS_DIR: join(ROOT, 'prompts'),
        OPENAI_API_KEY: 'sk-cli-secret',
        OPENAI_BASE_URL: llm.baseUrl,
        FETCH_ALLOW_PRIVATE: '127.0.0.1/32',
        LOG_LEVEL: 'error',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('feed-digest-bot summary', () => {
  it('prints the digest and exits 0', async () => {
    const r = await run(['summary', web.url('/article')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(GOOD_DIGEST.title);
    expect(r.stdout).toContain(`总结：${GOOD_DIGEST.tldr}`);
    expect(r.stdout).toContain('#人工智能');
  });

  it('prints JSON with --json', async () => {
    const r = await run(['summary', web.url('/article'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ title: GOOD_DIGEST.title, tags: GOOD_DIGEST.tags });
  });

  it.each([
    ['a bad URL', ['summary', 'not-a-url'], {}, /not an http\(s\) URL/],
    ['a refused address', ['summary', 'http://169.254.169.254/latest/meta-data'], {}, /refused: 169\.254\.169\.254 is not a public address/],
    ['a page with no article', ['summary', 'LIST'], {}, /cannot be read as an article/],
    ['an unreachable LLM', ['summary', 'ARTICLE'], { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', LLM_TIMEOUT_SECONDS: '2' }, /the LLM failed: cannot reach the LLM/],
    ['no API key', ['summary', 'ARTICLE'], { OPENAI_API_KEY: '' }, /OPENAI_API_KEY is not set/],
  ])('gives a clear message and a non-zero exit for %s', async (_name, args, env, message) => {
    web.set('/list', { body: `<html><body>${Array.from({ length: 50 }, (_, i) => `<p><a href="/n${i}">第${i}条新闻标题，点击查看更多的详细内容</a></p>`).join('')}</body></html>`, contentType: 'text/html' });
    const resolved = args.map((a) => (a === 'LIST' ? web.url('/list') : a === 'ARTICLE' ? web.url('/article') : a));
    const r = await run(resolved, env as Record<string, string>);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr + r.stdout).not.toContain('sk-cli-secret');
  });
});

describe('configuration errors', () => {
  it.each([
    [{ POLL_CRON: '61 * * * *' }, /^configuration error: POLL_CRON: expected a cron expression/],
    [{ STORE_URL: 'mysql://x' }, /^configuration error: STORE_URL: expected sqlite:\/\/PATH/],
    [{ DIGEST_TIMEZONE: 'Mars/Olympus' }, /^configuration error: DIGEST_TIMEZONE: expected an IANA time zone/],
    [{ TELEGRAM_BOT_TOKEN: 'nonsense' }, /^configuration error: TELEGRAM_BOT_TOKEN: expected a bot token from BotFather/],
    [{ FETCH_ALLOW_PRIVATE: '10.0.0.0/99' }, /^configuration error: FETCH_ALLOW_PRIVATE: expected comma-separated hosts/],
  ])('stops with one line naming the variable: %o', async (env, message) => {
    const r = await run(['check'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('does not repeat a malformed secret back', async () => {
    const r = await run(['check'], { TELEGRAM_BOT_TOKEN: 'almost-a-token-but-secret' });
    expect(r.stderr).toMatch(/TELEGRAM_BOT_TOKEN/);
    expect(r.stderr).not.toContain('almost-a-token-but-secret');
  });

  it('reads .env from the working directory, the environment winning', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fdb-env-'));
    writeFileSync(join(cwd, '.env'), 'POLL_CRON=61 * * * *\nDIGEST_TIME=25:00\n');
    const fromFile = await run(['check'], {}, cwd);
    expect(fromFile.stderr).toMatch(/POLL_CRON/);
    const overridden = await run(['check'], { POLL_CRON: '*/5 * * * *' }, cwd);
    expect(overridden.stderr).toMatch(/DIGEST_TIME: expected a time of day as HH:MM/);
  });
});

describe('feed-digest-bot poll --once', () => {
  it('prints one line per feed and delivers the new article', async () => {
    const store = tempStoreUrl();
    const env = { STORE_URL: store, TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.apiRoot };
    // A chat follows a good feed (through the bot's own subscribe path) and a broken one.
    web.set('/feed.xml', { body: rss('新闻', [{ title: '旧文', link: web.url('/old'), guid: 'old' }]) });
    web.set('/broken.xml', { body: '<rss><channel><title>坏' });
    const app = await createApp(parseConfig({ ...env, PROMPTS_DIR: join(ROOT, 'prompts'), FETCH_ALLOW_PRIVATE: '127.0.0.1/32' }), silentLogger);
    await app.subscriber.subscribe(9001, web.url('/feed.xml'));
    await app.store.feeds.insert({ id: 'deadbeefdeadbeef', url: web.url('/broken.xml'), nextPollAt: 0, errorCount: 0, primed: false, createdAt: Date.now() });
    await app.store.subscriptions.follow('deadbeefdeadbeef', 9001, 0, 10);
    await app.close();
    web.set('/feed.xml', { body: rss('新闻', [{ title: '新文', link: web.url('/article'), guid: 'new' }, { title: '旧文', link: web.url('/old'), guid: 'old' }]) });

    const r = await run(['poll', '--once'], env);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes('/feed.xml'))).toMatch(/^new 1\s+新闻 </);
    expect(lines.find((l) => l.includes('/broken.xml'))).toMatch(/^error\s+.*malformed feed XML/);
    expect(r.code).toBe(1);
    expect(api.sentTo(9001)).toHaveLength(1);
    expect(api.sentTo(9001)[0]!.text).toContain(GOOD_DIGEST.title);
  });
});

describe('feed-digest-bot check', () => {
  it('says in plain words that the store, Telegram and the LLM answer', async () => {
    const r = await run(['check'], { TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.apiRoot });
    expect(r.stdout).toMatch(/^ok\s+configuration is valid$/m);
    expect(r.stdout).toMatch(/^ok\s+store sqlite reachable$/m);
    expect(r.stdout).toMatch(/^ok\s+Telegram: this is @digest_test_bot$/m);
    expect(r.stdout).toMatch(/^ok\s+LLM gpt-4o-mini at http:\/\/127\.0\.0\.1:\d+\/v1 answers$/m);
    expect(r.code).toBe(0);
  });

  it('names what is wrong', async () => {
    const r = await run(['check'], { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', LLM_TIMEOUT_SECONDS: '2' });
    expect(r.stdout).toMatch(/^FAIL TELEGRAM_BOT_TOKEN is not set/m);
    expect(r.stdout).toMatch(/^FAIL LLM gpt-4o-mini at http:\/\/127\.0\.0\.1:9\/v1: cannot reach the LLM/m);
    expect(r.code).toBe(1);
  });
});

describe('feed-digest-bot start', () => {
  it('stops with a plain message when Telegram refuses the token', async () => {
    const r = await run(['start'], { TELEGRAM_BOT_TOKEN: '999:WRONG-token-abcdefghijklmnopqrstu', TELEGRAM_API_ROOT: api.apiRoot, PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Telegram refused TELEGRAM_BOT_TOKEN \(401 Unauthorized\)/);
    expect(r.stderr).not.toContain('WRONG-token');
  });

  it('says which port is taken when PORT is in use', async () => {
    const r = await run(['start'], { TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.apiRoot, PORT: String(api.port) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`port ${api.port} is already in use: set PORT`));
  });
});

describe('help', () => {
  it('prints the CLI’s own usage for --help and for one command', async () => {
    const all = await run(['--help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^usage: feed-digest-bot <command>/);
    const one = await run(['help', 'summary']);
    expect(one.stdout).toMatch(/^usage: feed-digest-bot summary <url> \[--json\]/);
    expect((await run(['poll', '--help'])).stdout).toMatch(/^usage: feed-digest-bot poll --once/);
  });

  it('names every bad variable at once, one line each', async () => {
    const r = await run(['check'], { POLL_CRON: 'bad', DIGEST_TIME: '9', STORE_URL: 'redis://localhost:6379' });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('configuration error: STORE_URL'))).toMatch(/redis:\/\/ is no longer a store.*postgres:\/\//);
  });
});

describe('npm start', () => {
  it('runs the built bot as the process npm signals: SIGTERM to npm leaves no bot behind', async () => {
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        TELEGRAM_BOT_TOKEN: TEST_TOKEN,
        TELEGRAM_API_ROOT: api.apiRoot,
        STORE_URL: tempStoreUrl(),
        PROMPTS_DIR: join(ROOT, 'prompts'),
        PORT: '0',
        POLL_CRON: '0 0 1 1 *',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const polls = () => api.calls.filter((c) => c.method === 'getUpdates').length;
    const before = polls();
    await api.waitFor(() => polls() > before, 20_000, 'the bot to poll for updates');
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise((r) => setTimeout(r, 500));
    const afterExit = polls();
    await new Promise((r) => setTimeout(r, 2500)); // an orphaned bot would long-poll again within a second
    expect(polls()).toBe(afterExit);
  }, 40_000);
});

describe('failed', () => {
  it('lists work given up after its attempts with its id, and queues it again by id', async () => {
    const storeUrl = tempStoreUrl();
    const { openStore } = await import('../../src/store/store.js');
    const store = await openStore(storeUrl);
    await store.jobs.add({ id: 'import-x', chatId: 42, kind: 'import', payload: { lang: 'zh' }, createdAt: Date.parse('2026-12-01T08:00:00Z') }, 0);
    await store.jobs.claimDue(Date.now(), 1, { owner: 'w', holdMs: 60_000 }, ['import']);
    await store.jobs.fail('import-x', 'w', { error: 'fetch failed: too many redirects', failureId: 'c0ffee12', at: Date.parse('2026-12-01T08:05:00Z') });
    await store.close();

    const listed = await run(['failed'], { STORE_URL: storeUrl });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('c0ffee12  job      import for chat 42');
    expect(listed.stdout).toContain('since 2026-12-01 08:00 UTC, failed 2026-12-01 08:05 UTC, 1 attempt(s): fetch failed: too many redirects');

    expect((await run(['failed', '--retry', 'nope'], { STORE_URL: storeUrl })).stdout).toContain('no failed work has the id nope');
    const retried = await run(['failed', '--retry', 'c0ffee12'], { STORE_URL: storeUrl });
    expect(retried).toMatchObject({ code: 0, stdout: 'queued again: 1\n' });
    expect((await run(['failed'], { STORE_URL: storeUrl })).stdout).toBe('nothing has failed\n');
    const again = await openStore(storeUrl);
    expect(await again.jobs.count()).toBe(1);
    await again.close();
  });
});

describe('check against services that never answer', () => {
  it('ends within its own deadlines, saying which did not answer', async () => {
    // Accepts connections and never answers: what a blocked api.telegram.org often does.
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const root = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const r = await run(['check'], { TELEGRAM_BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: root, OPENAI_BASE_URL: `${root}/v1`, LLM_TIMEOUT_SECONDS: '3' });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^FAIL Telegram at http:\/\/127\.0\.0\.1:\d+: no answer within 15 s/m);
      expect(r.stdout).toMatch(/^FAIL LLM .*: (no answer within \d+ s|.*timed out.*)/im);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  }, 45_000);
});
