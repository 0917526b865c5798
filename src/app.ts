// The services wired together once: config → store → fetch → stages (poll, digest, daily) → fan-out → sender; no Telegram updates here.
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import { deactivateChat, leaveDeadTopic, migrateChat } from './delivery/chatLifecycle.js';
import { createDailyDigest, type DailyDigest } from './delivery/dailyDigest.js';
import { createFanOut, fanOutQueries } from './delivery/fanOut.js';
import { createStoryMatcher } from './delivery/storyMatch.js';
import { noticeFailingFeed, noticeFloodedFeed } from './delivery/feedHealth.js';
import { createLlmHealth, type LlmHealth } from './delivery/serviceNotices.js';
import { createSender, type Sender } from './delivery/sender.js';
import type { TelegramApi } from './delivery/telegramSend.js';
import { createArchive } from './digests/archive.js';
import { createDigestStage, type DigestStage } from './digests/digestStage.js';
import { createLlmClient, LlmError, type LlmClient } from './digests/llmClient.js';
import { loadDigestPrompt } from './digests/prompt.js';
import { createSummarizer, type Summarizer } from './digests/summarize.js';
import { BUDGET_SPENT, createTokenBudget } from './digests/tokenBudget.js';
import { createSafeFetch, type SafeFetch } from './feeds/safeFetch.js';
import type { Logger } from './log.js';
import { createPollStage, type PollStage } from './polling/pollStage.js';
import { createSubscriber, type Subscriber } from './polling/subscribe.js';
import { importLegacyStore } from './store/legacyImport.js';
import { openStore, type Store } from './store/store.js';
import { dailyCount } from './ops/dailyCount.js';
import { readFigures, type Figures } from './ops/figures.js';

export interface App {
  config: Config;
  /** This process's id for this run: the owner of its claims and leases. */
  owner: string;
  log: Logger;
  store: Store;
  fetch: SafeFetch;
  llm: LlmClient;
  summarizer: Summarizer;
  polls: PollStage;
  digests: DigestStage;
  /** The LLM's outage and recovery, told to the admins; `probe` asks it while it is down. */
  llmHealth: LlmHealth;
  sender: Sender;
  daily: DailyDigest;
  subscriber: Subscriber;
  now: () => number;
  /** The operator's figures (/stats, /metrics). */
  figures(): Promise<Figures>;
  /** Starts the stages (polling waits for cron ticks) and the sender. */
  start(): Promise<void>;
  /** Resolves when nothing due is left to poll, digest or send. */
  settle(): Promise<void>;
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

const noTelegram: TelegramApi = {
  sendMessage: async () => {
    throw new Error('no Telegram client (TELEGRAM_BOT_TOKEN unset)');
  },
  sendDocument: async () => {
    throw new Error('no Telegram client (TELEGRAM_BOT_TOKEN unset)');
  },
};

export async function createApp(config: Config, log: Logger, options: AppOptions = {}): Promise<App> {
  const now = options.now ?? Date.now;
  const store = await openStore(config.storeUrl, (error) => log.error('store error', { error }), { poolSize: 16 });
  const owner = randomUUID();
  const imported = await importLegacyStore(store, Date.now(), (key, error) => log.warn('0.1 store row skipped: it cannot be read', { key, error })).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  if (imported) log.info('migrated the 0.1 store into tables (its keyv table is left as it was)', { ...imported });
  const fetch = createSafeFetch({ allowPrivate: config.fetch.allowPrivate, maxBytes: config.fetch.maxBytes, timeoutMs: config.fetch.timeoutMs });
  const prompt = await loadDigestPrompt(config.promptsDir);
  const budget = createTokenBudget(store.quotas, config.llm.dailyTokenBudget, config.digest.timezone);
  const llm = config.llm.apiKey
    ? createLlmClient({ apiKey: config.llm.apiKey, baseUrl: config.llm.baseUrl, model: config.llm.model, timeoutMs: config.llm.timeoutMs, memory: store.memory, log })
    : missingLlm(config.llm.model);
  if (!config.llm.apiKey) log.warn('OPENAI_API_KEY is not set: articles will go out without digests', {});
  const archive = config.archiveDir ? createArchive(config.archiveDir, config.digest.timezone) : undefined;
  // Digests that strayed from their source, counted per day by what became of them (/stats, /metrics).
  const unfaithful = {
    revised: dailyCount(store.quotas, 'unfaithful:revised', config.digest.timezone),
    trimmed: dailyCount(store.quotas, 'unfaithful:trimmed', config.digest.timezone),
    refused: dailyCount(store.quotas, 'unfaithful:refused', config.digest.timezone),
  };
  const summarizer = createSummarizer({
    cache: { digests: store.digests, byUrl: store.digestsByUrl },
    onUnfaithful: (outcome) => unfaithful[outcome].add(1, now()),
    llm,
    prompt,
    fetch,
    budget,
    log,
    now,
    ...(archive
      ? {
          onDigest: (made) =>
            archive.write({ digest: made.digest, title: made.title, url: made.url, text: made.text, source: made.source ?? new URL(made.url ?? 'https://unknown/').hostname, publishedAt: made.publishedAt }),
        }
      : {}),
  });
  const lifecycle = { chats: store.chats, moves: store.moves, outbox: store.outbox, subscriptions: store.subscriptions };
  const sender = createSender({
    lease: {
      acquire: () => store.leases.acquire('sender', owner, 8_000),
      release: () => store.leases.release('sender', owner),
    },
    outbox: store.outbox,
    telegram: options.telegram ?? noTelegram,
    log,
    rate: config.delivery.messagesPerSecond,
    onMigrate: (from, to) => migrateChat(lifecycle, from, to, Date.now()),
    onDeactivate: async (chatId, reason) => {
      await deactivateChat(lifecycle, chatId, reason);
    },
    onTopicGone: (chatId, threadId) => leaveDeadTopic(lifecycle, chatId, threadId, Date.now()),
  });
  // One story told by several feeds, counted per day: the sources merged, and the pushes that became an edit naming them.
  const merged = { sources: dailyCount(store.quotas, 'stories:sources', config.digest.timezone), edits: dailyCount(store.quotas, 'stories:edits', config.digest.timezone) };
  const fanOut = createFanOut({
    ...fanOutQueries(store),
    stories: createStoryMatcher({ stories: store.stories, onMerged: () => merged.sources.add(1, now()), log }),
    onEdited: (n) => merged.edits.add(n, now()),
    onQueued: () => sender.wake(),
    log,
    now,
  });
  const llmHealth = createLlmHealth({
    services: store.services,
    sender,
    chats: store.chats,
    adminIds: config.adminIds,
    ping: () => llm.ping(),
    onRecovered: async () => {
      const due = await store.articles.retryWaitingNow(now(), BUDGET_SPENT);
      if (due > 0) digests.wake();
    },
    log,
    now,
  });
  const digests = createDigestStage({
    articles: store.articles,
    summarizer,
    dispatcher: fanOut,
    log,
    now,
    fallbackAfterMs: config.llm.fallbackAfterMs,
    concurrency: config.llm.concurrency,
    owner,
    llmHealth,
  });
  const health = { feeds: store.feeds, subscriptions: store.subscriptions, chats: store.chats, sender, log, now };
  const polls = createPollStage({
    claims: store.feeds,
    feeds: store.feeds,
    seen: store.seen,
    fetch,
    sink: digests,
    log,
    now,
    intervalMs: config.poll.intervalMs,
    owner,
    concurrency: config.poll.concurrency,
    perHostConcurrency: config.poll.perHostConcurrency,
    onResult: async (result) => {
      await noticeFailingFeed(health, result);
    },
    onFlood: async (feed, total, kept) => {
      await noticeFloodedFeed(health, feed, total, kept);
    },
  });
  const daily = createDailyDigest({ chats: store.chats, daily: store.daily, subscriptions: store.subscriptions, sender, log, now, owner, pageSize: store.dialect === 'sqlite' ? 50 : 200 });
  const subscriber = createSubscriber({
    feeds: store.feeds,
    subscriptions: store.subscriptions,
    seen: store.seen,
    fetch,
    now,
    intervalMs: config.poll.intervalMs,
    maxPerChat: config.delivery.maxSubscriptionsPerChat,
  });

  let closed: Promise<void> | undefined;
  return {
    config,
    owner,
    log,
    store,
    fetch,
    llm,
    summarizer,
    polls,
    digests,
    llmHealth,
    sender,
    daily,
    subscriber,
    now,
    figures: () =>
      readFigures({
        feeds: store.feeds,
        chats: store.chats,
        outbox: store.outbox,
        articles: store.articles,
        failed: store.failed,
        leases: store.leases,
        tokensToday: () => budget.usedToday(now()),
        mergedToday: async () => ({ sources: await merged.sources.today(now()), edits: await merged.edits.today(now()) }),
        unfaithfulToday: async () => ({ revised: await unfaithful.revised.today(now()), trimmed: await unfaithful.trimmed.today(now()), refused: await unfaithful.refused.today(now()) }),
        sender,
      }),
    async start() {
      polls.start();
      digests.start();
      await sender.start();
    },
    async settle() {
      // Each stage may hand work to the next: settle until a whole round finds nothing.
      for (let round = 0; round < 3; round++) {
        await polls.idle();
        await digests.idle();
        await sender.idle();
      }
    },
    close() {
      closed ??= (async () => {
        await polls.stop();
        await digests.stop();
        await sender.stop();
        await fetch.close();
        await store.close();
      })();
      return closed;
    },
  };
}
