// kill -9 in the middle of an /import of 30 feeds (the real bot as a child process on SQLite), then a restart: the import finishes once, with one report, every feed followed.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { startBotApiServer, type BotApiServer } from '../support/botApiServer.js';
import { CLI } from '../support/buildCli.js';
import { childEnv } from '../support/childEnv.js';
import { rss, startFeedServer, type FeedServer } from '../support/feedServer.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { tempStoreUrl } from '../support/tempStore.js';

const FEEDS = 30;
let api: BotApiServer;
let llm: OpenAiServer;
let web: FeedServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [api, llm, web] = await Promise.all([startBotApiServer(), startOpenAiServer(), startFeedServer()]);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all([api.close(), llm.close(), web.close()]);
});

describe('kill -9 during an /import', () => {
  it(`finishes the import of ${FEEDS} feeds after a restart: one report, every feed followed once`, async () => {
    const storeUrl = tempStoreUrl();
    const env = childEnv(api, llm, storeUrl);
    for (let f = 0; f < FEEDS; f++) {
      const body = rss(`源 ${f}`, [{ title: `文章 ${f}`, link: web.url(`/p/${f}`), guid: `g${f}`, description: '导语' }]);
      // Each feed answers slowly, as far-away sites do: the import takes seconds.
      web.set(`/f/${f}.xml`, { handle: (_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body), 150) });
    }
    const outlines = Array.from({ length: FEEDS }, (_, f) => `<outline type="rss" text="源 ${f}" xmlUrl="${web.url(`/f/${f}.xml`)}"/>`).join('');
    api.files.set('opml', Buffer.from(`<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>${outlines}</body></opml>`));
    const start = () => {
      const child = spawn(process.execPath, [CLI, 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
      children.push(child);
      return child;
    };
    const fetched = () => new Set(web.requests.filter((r) => r.path.startsWith('/f/')).map((r) => r.path)).size;

    const first = start();
    api.message(4100, '/import', { document: { fileId: 'opml', name: 'feeds.opml' } });
    await api.waitFor(() => fetched() >= 10, 30_000, 'the import to be under way');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const reportsBefore = api.sentTo(4100).filter((m) => /导入完成/.test(m.text)).length;

    const second = start();
    await api.waitFor(() => api.sentTo(4100).some((m) => /导入完成/.test(m.text)), 40_000, 'the import report');
    await new Promise((r) => setTimeout(r, 1000));
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    const reports = api.sentTo(4100).filter((m) => /导入完成/.test(m.text));
    const store = await openStore(storeUrl);
    try {
      expect(reportsBefore).toBe(0);
      expect(reports).toHaveLength(1);
      const [, added, already, failed] = /新增 (\d+) 个，已订阅 (\d+) 个，失败 (\d+) 个/.exec(reports[0]!.text)!.map(Number);
      expect(added! + already!).toBe(FEEDS); // the rerun counts what the dead run added as already followed
      expect(failed).toBe(0);
      expect(await store.subscriptions.ofChat(4100)).toHaveLength(FEEDS);
      expect(await store.jobs.count()).toBe(0);
      expect(await store.failed.list()).toEqual([]);
    } finally {
      await store.close();
    }
  }, 90_000);
});
