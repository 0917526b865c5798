// The outside world for benchmarks, in a child process so the figures measure only the bot: feeds on 25 loopback hosts, pages, an LLM, a Bot API.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBotApiServer } from '../test/support/botApiServer.js';
import { startOpenAiServer } from '../test/support/openaiServer.js';
import { rss } from '../test/support/feedServer.js';
import { articlePage } from '../test/support/articles.js';

export const FEED_HOSTS = 25;

/** Feed number `f` of the benchmarks: `items` items with a guid, a link and a 20-word description. */
export function benchFeedXml(f: number, items: number): string {
  return rss(
    `Feed ${f}`,
    Array.from({ length: items }, (_, i) => ({ title: `Feed ${f} 第${i}篇`, link: `https://site${f}.example/post/${i}`, guid: `f${f}-i${i}`, description: `摘要 ${f}-${i} `.repeat(20) })),
  );
}

/** A feed whose items hold their whole article (no page to fetch before a digest): `/long/0.xml`, guids `long-i<i>`. */
export const LONG_FEED_PATH = '/long/0.xml';
function longFeedXml(items: number): string {
  const body = '研究团队在周二公布了新的芯片设计，能效提高了百分之三十，预计明年量产。'.repeat(8);
  return rss('长文订阅源', Array.from({ length: items }, (_, i) => ({ title: `长文 第${i}篇`, link: `https://long.example/post/${i}`, guid: `long-i${i}`, description: `${i}：${body}` })));
}

/** A delay before each feed answer (a real feed takes a few hundred ms). */
let feedDelayMs = 0;
/** Whether feeds answer a matching If-None-Match with 304 (off: every poll downloads and parses in full). */
let useEtags = true;

async function startFeeds(feeds: number, items: number): Promise<number> {
  const docs = new Map<string, string>();
  for (let f = 0; f < feeds; f++) {
    docs.set(`/feed/${f}.xml`, benchFeedXml(f, items));
  }
  docs.set(LONG_FEED_PATH, longFeedXml(items));
  let port = 0;
  for (let h = 1; h <= FEED_HOSTS; h++) {
    const server = createServer((req, res) => {
      const path = req.url ?? '/';
      const body = docs.get(path);
      if (!body) return void res.writeHead(404).end();
      const etag = `"${path}"`;
      const answer = () => {
        if (useEtags && req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(body);
      };
      if (feedDelayMs > 0) setTimeout(answer, feedDelayMs);
      else answer();
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(port, `127.0.0.${h}`, resolve));
    port = (server.address() as AddressInfo).port;
  }
  return port;
}

async function startPages(): Promise<number> {
  const server = createServer((req, res) => {
    const n = (req.url ?? '').replace(/\D/g, '');
    const text = Array.from({ length: 10 }, (_, i) => `第${i + 1}段：编号${n}的文章讲述了研究团队在周二公布的新芯片设计，能效提高了百分之三十，预计明年量产。`).join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articlePage(`文章 ${n}`, text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let servers: { api: Awaited<ReturnType<typeof startBotApiServer>>; llm: Awaited<ReturnType<typeof startOpenAiServer>> } | undefined;

/**
 * A user who writes `/start` every `everyMs` from a new chat (a chat's own 1 msg/s limit never delays the answer): the time from the
 * update being offered to the bot until the fake accepts its answer. Unanswered ones are reported with their age so far.
 */
interface Probe {
  timer: NodeJS.Timeout;
  asked: Map<number, number>;
  latencies: Array<{ at: number; ms: number }>;
}
let probe: Probe | undefined;
let nextProbeChat = 9_000_000;

function startProbe(everyMs: number): void {
  const api = servers!.api;
  const p: Probe = { asked: new Map(), latencies: [], timer: setInterval(() => {
    const chatId = nextProbeChat++;
    p.asked.set(chatId, Date.now());
    api.message(chatId, '/start');
  }, everyMs) };
  api.afterAccept = (m) => {
    const at = p.asked.get(m.chatId);
    if (at === undefined) return;
    p.asked.delete(m.chatId);
    p.latencies.push({ at, ms: Date.now() - at });
  };
  probe = p;
}

function stopProbe(): { latencies: Array<{ at: number; ms: number }>; unanswered: number[] } {
  const p = probe!;
  clearInterval(p.timer);
  probe = undefined;
  const now = Date.now();
  return { latencies: p.latencies, unanswered: [...p.asked.values()].map((at) => now - at) };
}

process.on('message', async (msg: { feeds?: number; items?: number; stats?: boolean; llmDelayMs?: number; feedDelayMs?: number; probe?: 'start' | 'stop'; everyMs?: number; etags?: boolean }) => {
  if (msg.probe === 'start') {
    startProbe(msg.everyMs ?? 250);
    process.send!({ ok: true });
    return;
  }
  if (msg.probe === 'stop') {
    process.send!(stopProbe());
    return;
  }
  if (msg.etags !== undefined) {
    useEtags = msg.etags;
    process.send!({ ok: true });
    return;
  }
  if (msg.feedDelayMs !== undefined) {
    feedDelayMs = msg.feedDelayMs;
    process.send!({ ok: true });
    return;
  }
  if (msg.llmDelayMs !== undefined && servers) {
    servers.llm.defaultDelayMs = msg.llmDelayMs;
    process.send!({ ok: true });
    return;
  }
  if (msg.stats && servers) {
    const { api, llm } = servers;
    const perChat = new Map<number, number>();
    for (const s of api.sent) perChat.set(s.chatId, (perChat.get(s.chatId) ?? 0) + 1);
    let first = Infinity;
    let last = -Infinity;
    for (const s of api.sent) {
      first = Math.min(first, s.at);
      last = Math.max(last, s.at);
    }
    process.send!({ sent: api.sent.length, chats: perChat.size, rejected429: api.stats.rejected429, llmCalls: llm.requests.length, first, last });
    return;
  }
  const feedPort = await startFeeds(msg.feeds ?? 1000, msg.items ?? 20);
  const pagePort = await startPages();
  servers = { llm: await startOpenAiServer(), api: await startBotApiServer({ enforceLimits: true, longPollMs: 50_000 }) };
  process.send!({ feedPort, pagePort, llmBaseUrl: servers.llm.baseUrl, apiRoot: servers.api.apiRoot });
});
