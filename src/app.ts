// The services wired together once: config → store → fetch → summarizer → digest stage → fan-out → sender; no Telegram polling here.
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import { deactivateChat, migrateChat } from './delivery/chatLifecycle.js';
import { createDailyDigest, type DailyDigest } from './delivery/dailyDigest.js';
import { createFanOut } from './delivery/fanOut.js';
import { noticeFailingFeeds } from './delivery/feedHealth.js';
import { createSender, type Sender, type TelegramApi } from './delivery/sender.js';
import { createArchive } from './digests/archive.js';
import { createLlmClient, LlmError, type LlmClient } from './digests/llmClient.js';
import { loadDigestPrompt } from './digests/prompt.js';
import { createSummarizer, type Summarizer } from './digests/summarize.js';
import { createTokenBudget } from './digests/tokenBudget.js';
import { createSafeFetch, type SafeFetch } from './feeds/safeFetch.js';
import type { Logger } from './log.js';
import { createDigestStage, type DigestStage } from './pipeline/digestStage.js';
import { runPollCycle, type FeedResult } from './pipeline/pollCycle.js';
import type { PollDeps } from './pipeline/pollFeed.js';
import type { SubscribeDeps } from './pipeline/subscribe.js';
import { openStore, type Store } from './store/store.js';
import { createSubscriptionIndex, type SubscriptionIndex } from './store/subscriptions.js';

export interface App {
  config: Config;
  log: Logger;
  store: Store;
  fetch: SafeFetch;
  subs: SubscriptionIndex;
  llm: LlmClient;
  summarizer: Summarizer;
  digestStage: DigestStage;
  sender: Sender;
  daily: DailyDigest;
  subscribeDeps: SubscribeDeps;
  now: () => number;
  /** One poll cycle (due feeds, or all), then the digests that are due. */
  pollCycle(all?: boolean): Promise<FeedResult[]>;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Where messages go; without it the outbox only fills (e.g. `poll --once` without a token). */
  telegram?: TelegramApi;
  now?: () => number;
}

/** Stands in when OPENAI_API_KEY is unset: every digest fails with a clear reason, so articles wait and then go out without one. */
function missingLlm(model: string): LlmClient {
  const fail = async (): Promise<never> => {
    throw new LlmError('auth', 'OPENAI_API_KEY is not set, so no digests can be made');
  };
  return { model, digest: fail, ping: fail };
}

export async function createApp(config: Config, log: Logger, options: AppOptions = {}): Promise<App> {
  const now = options.now ?? Date.now;
  const store = await openStore(config.storeUrl, (error) => log.error('store error', { error }));
  const fetch = createSafeFetch({ allowPrivate: config.fetch.allowPrivate, maxBytes: config.fetch.maxBytes, timeoutMs: config.fetch.timeoutMs });
  const subs = createSubscriptionIndex(store);
  const prompt = await loadDigestPrompt(config.promptsDir);
  const llm = config.llm.apiKey
    ? createLlmClient({ apiKey: config.llm.apiKey, baseUrl: config.llm.baseUrl, model: config.llm.model, timeoutMs: config.llm.timeoutMs, memory: store.meta, log })
    : missingLlm(config.llm.model);
  if (!config.llm.apiKey) log.warn('OPENAI_API_KEY is not set: articles will go out without digests', {});
  const archive = config.archiveDir ? createArchive(config.archiveDir, config.digest.timezone) : undefined;
  const summarizer = createSummarizer({
    cache: { digests: store.digests, byUrl: store.digestsByUrl },
    llm,
    prompt,
    fetch,
    budget: createTokenBudget(store.meta, config.llm.dailyTokenBudget, config.digest.timezone),
    log,
    now,
    ...(archive
      ? {
          onDigest: (made) =>
            archive.write({ digest: made.digest, title: made.title, url: made.url, text: made.text, source: made.source ?? new URL(made.url ?? 'https://unknown/').hostname, publishedAt: made.publishedAt }),
        }
      : {}),
  });
  const telegram: TelegramApi = options.telegram ?? {
    sendMessage: async () => {
      throw new Error('no Telegram client (TELEGRAM_BOT_TOKEN unset)');
    },
    sendDocument: async () => {
      throw new Error('no Telegram client (TELEGRAM_BOT_TOKEN unset)');
    },
  };
  const senderOwner = randomUUID();
  const sender = createSender({
    // Only a shared store (Redis, PostgreSQL) can have other replicas queueing messages; SQLite is this process alone.
    ...(store.kind === 'sqlite'
      ? {}
      : {
          lease: {
            acquire: () => store.backend.acquireLease('sender', senderOwner, 30_000),
            release: () => store.backend.releaseLease('sender', senderOwner),
          },
        }),
    outbox: store.outbox,
    sent: store.sent,
    telegram,
    log,
    rate: config.delivery.messagesPerSecond,
    onMigrate: (from, to) => migrateChat(store, subs, from, to, now()),
    onDeactivate: (chatId, reason) => deactivateChat(store, chatId, reason),
  });
  const fanOut = createFanOut({ store, subs, sender, log, now });
  const digestStage = createDigestStage({
    articles: store.articles,
    pending: store.pending,
    summarizer,
    dispatcher: fanOut,
    log,
    now,
    fallbackAfterMs: config.llm.fallbackAfterMs,
  });
  const pollDeps: PollDeps = { store, fetch, sink: digestStage, log, now, intervalMs: config.poll.intervalMs };
  const daily = createDailyDigest({ store, sender, log, now });

  return {
    config,
    log,
    store,
    fetch,
    subs,
    llm,
    summarizer,
    digestStage,
    sender,
    daily,
    now,
    subscribeDeps: { store, subs, fetch, now, intervalMs: config.poll.intervalMs, maxPerChat: config.delivery.maxSubscriptionsPerChat },
    async pollCycle(all = false) {
      await subs.refresh();
      const results = await runPollCycle(pollDeps, { concurrency: config.poll.concurrency, perHostConcurrency: config.poll.perHostConcurrency, all });
      await noticeFailingFeeds({ store, subs, sender, log, now }, results);
      await digestStage.processPending();
      return results;
    },
    async close() {
      await sender.stop();
      await fetch.close();
      await store.close();
    },
  };
}
