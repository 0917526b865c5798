// Once per article: the cache and the coalescing of concurrent asks, across feed items, /summary and restarts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../src/digests/llmClient.js';
import type { DigestPrompt } from '../../src/digests/prompt.js';
import { createSummarizer, type Summarizer } from '../../src/digests/summarize.js';
import { createTokenBudget } from '../../src/digests/tokenBudget.js';
import { BudgetExhaustedError } from '../../src/digests/tokenBudget.js';
import { parseAllowList } from '../../src/feeds/addressPolicy.js';
import { createSafeFetch, type SafeFetch } from '../../src/feeds/safeFetch.js';
import { silentLogger } from '../../src/log.js';
import { openStore, type Store } from '../../src/store/store.js';
import { articlePage, ARTICLE_TEXT } from '../support/articles.js';
import { startFeedServer, type FeedServer } from '../support/feedServer.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { tempStoreUrl } from '../support/tempStore.js';

let llmServer: OpenAiServer;
let pages: FeedServer;
let fetch: SafeFetch;
let storeUrl: string;
let store: Store;

const prompt: DigestPrompt = { instructions: '总结文章，输出 JSON。', version: 'v1' };

function summarizer(over: { prompt?: DigestPrompt; budget?: number } = {}): Summarizer {
  return createSummarizer({
    cache: { digests: store.digests, byUrl: store.digestsByUrl },
    llm: createLlmClient({ apiKey: 'sk-x', baseUrl: llmServer.baseUrl, model: 'm', timeoutMs: 5000, maxRetries: 0, memory: store.memory, log: silentLogger }),
    prompt: over.prompt ?? prompt,
    fetch,
    budget: createTokenBudget(store.quotas, over.budget, 'Asia/Shanghai'),
    log: silentLogger,
    now: Date.now,
  });
}

beforeAll(async () => {
  llmServer = await startOpenAiServer();
  pages = await startFeedServer();
  fetch = createSafeFetch({ allowPrivate: parseAllowList('127.0.0.1/32'), maxBytes: 1024 * 1024, timeoutMs: 3000 });
  pages.set('/a', { body: articlePage('芯片新设计'), contentType: 'text/html; charset=utf-8' });
  pages.set('/list', { body: `<html><body>${Array.from({ length: 80 }, (_, i) => `<li><a href="/n${i}">新闻标题第${i}条，点击查看详情内容</a></li>`).join('')}</body></html>`, contentType: 'text/html' });
  pages.set('/doc.pdf', { body: '%PDF-1.4 ...', contentType: 'application/pdf' });
});
afterAll(async () => {
  await fetch.close();
  await pages.close();
  await llmServer.close();
});
beforeEach(async () => {
  storeUrl = tempStoreUrl();
  store = await openStore(storeUrl);
  llmServer.requests.length = 0;
  llmServer.defaultDelayMs = 150;
});
afterEach(async () => {
  await store.close();
});

describe('once per article', () => {
  it.each([2, 20])('%i concurrent /summary asks for one page make one LLM call', async (n) => {
    const s = summarizer();
    const outcomes = await Promise.all(Array.from({ length: n }, () => s.forUrl(pages.url('/a?utm_source=x'))));
    expect(outcomes.every((o) => o.kind === 'digest')).toBe(true);
    expect(llmServer.requests).toHaveLength(1);
  });

  it('20 concurrent asks for one feed article make one call, and /summary of its URL then costs nothing', async () => {
    const s = summarizer();
    const item = { url: pages.url('/a'), title: '芯片新设计', contentText: ARTICLE_TEXT, categories: ['科技'] };
    await Promise.all(Array.from({ length: 20 }, () => s.forArticle(item)));
    expect(llmServer.requests).toHaveLength(1);
    const again = await s.forUrl(pages.url('/a#comments'));
    expect(again).toMatchObject({ kind: 'digest', cached: true });
    expect(llmServer.requests).toHaveLength(1);
  });

  it('does not pay again after a restart', async () => {
    await summarizer().forUrl(pages.url('/a'));
    await store.close();
    store = await openStore(storeUrl);
    expect(await summarizer().forUrl(pages.url('/a'))).toMatchObject({ kind: 'digest', cached: true });
    expect(llmServer.requests).toHaveLength(1);
  });

  it('makes a new digest when the prompt changes', async () => {
    await summarizer().forUrl(pages.url('/a'));
    await summarizer({ prompt: { ...prompt, version: 'v2' } }).forUrl(pages.url('/a'));
    expect(llmServer.requests).toHaveLength(2);
  });

  it('puts the article in the user message as quoted data and the instructions in the system message', async () => {
    await summarizer().forUrl(pages.url('/a'));
    const [system, user] = llmServer.requests[0]!.messages;
    expect(system!.role).toBe('system');
    expect(system!.content).toContain('总结文章');
    expect(user!.role).toBe('user');
    expect(user!.content).toMatch(/<article>[\s\S]*研究人员在周二公布了新的芯片设计[\s\S]*<\/article>/);
    expect(user!.content).not.toContain('<p>');
  });
});

describe('pages that are not articles', () => {
  it.each([
    ['/list', /list, index or landing page/],
    ['/doc.pdf', /application\/pdf, not a web page/],
  ])('%s is "cannot read this", without an LLM call', async (path, reason) => {
    const outcome = await summarizer().forUrl(pages.url(path));
    expect(outcome.kind).toBe('unreadable');
    if (outcome.kind === 'unreadable') expect(outcome.reason).toMatch(reason);
    expect(llmServer.requests).toHaveLength(0);
  });

  it('refuses a private address with a clear error', async () => {
    const strict = createSummarizer({
      cache: { digests: store.digests, byUrl: store.digestsByUrl },
      llm: createLlmClient({ apiKey: 'k', baseUrl: llmServer.baseUrl, model: 'm', timeoutMs: 1000, memory: store.memory, log: silentLogger }),
      prompt,
      fetch: createSafeFetch({ allowPrivate: parseAllowList(''), maxBytes: 1024, timeoutMs: 1000 }),
      budget: createTokenBudget(store.quotas, undefined, 'Asia/Shanghai'),
      log: silentLogger,
      now: Date.now,
    });
    await expect(strict.forUrl('http://127.0.0.1:9/secret')).rejects.toThrow(/not a public address/);
  });
});

describe('daily token budget', () => {
  it('stops asking the LLM once the day’s budget is spent', async () => {
    const s = summarizer({ budget: 100 });
    await s.forUrl(pages.url('/a'));
    pages.set('/b', { body: articlePage('另一篇文章'), contentType: 'text/html' });
    const error = await s.forUrl(pages.url('/b')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).resumeAt).toBeGreaterThan(Date.now());
    expect(llmServer.requests).toHaveLength(1);
  });
});
