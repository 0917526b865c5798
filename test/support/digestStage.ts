// A digest stage over a store and the tests' OpenAI-compatible server, with a clock the test moves and dispatches collected.
import type { Dispatch } from '../../src/core/model.js';
import { createDigestStage, type DigestStage } from '../../src/digests/digestStage.js';
import { createLlmClient } from '../../src/digests/llmClient.js';
import { createSummarizer } from '../../src/digests/summarize.js';
import { createTokenBudget } from '../../src/digests/tokenBudget.js';
import { parseAllowList } from '../../src/feeds/addressPolicy.js';
import { createSafeFetch } from '../../src/feeds/safeFetch.js';
import { silentLogger } from '../../src/log.js';
import type { Store } from '../../src/store/store.js';

export function testDigestStage(o: { store: Store; llmBaseUrl: string; now: () => number; dispatched: Dispatch[]; concurrency: number; owner?: string; fallbackAfterMs: number }): DigestStage {
  const { store } = o;
  return createDigestStage({
    owner: o.owner ?? 'digest-test',
    articles: store.articles,
    summarizer: createSummarizer({
      cache: { digests: store.digests, byUrl: store.digestsByUrl },
      llm: createLlmClient({ apiKey: 'k', baseUrl: o.llmBaseUrl, model: 'm', timeoutMs: 2000, maxRetries: 0, memory: store.memory, log: silentLogger }),
      prompt: { instructions: 'JSON', version: 'v' },
      fetch: createSafeFetch({ allowPrivate: parseAllowList(''), maxBytes: 1024, timeoutMs: 500 }),
      budget: createTokenBudget(store.quotas, undefined, 'UTC'),
      log: silentLogger,
      now: o.now,
    }),
    dispatcher: { dispatch: async (d) => void o.dispatched.push(d) },
    log: silentLogger,
    now: o.now,
    fallbackAfterMs: o.fallbackAfterMs,
    retryBaseMs: 60_000,
    concurrency: o.concurrency,
  });
}
