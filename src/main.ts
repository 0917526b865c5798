// Composition root for each command: the bot (long polling or webhook) with its schedules, and the one-shot CLI commands.
import { Telegram } from 'telegraf';
import { createApp, type App } from './app.js';
import { createBot, registerCommands } from './bot/createBot.js';
import { startHttpServer } from './bot/httpServer.js';
import { createWorkQueue } from './bot/workQueue.js';
import type { Config } from './config.js';
import type { FeedResult } from './pipeline/pollCycle.js';
import { createScheduler } from './pipeline/scheduler.js';
import type { Logger } from './log.js';
import { FetchError } from './feeds/safeFetch.js';
import { LlmError } from './digests/llmClient.js';
import { BudgetExhaustedError } from './digests/tokenBudget.js';
import { hashtags } from './core/renderDigest.js';

const ALLOWED_UPDATES = ['message', 'callback_query', 'channel_post', 'my_chat_member'] as const;

function needToken(config: Config): string {
  if (!config.telegram.token) throw new Error('TELEGRAM_BOT_TOKEN is not set: get one from @BotFather and put it in .env');
  return config.telegram.token;
}

/** Runs `steps` in order, each bounded by `ms`, logging what did not finish: shutdown must take seconds, not forever. */
async function within(ms: number, log: Logger, steps: Array<[string, () => Promise<unknown>]>): Promise<void> {
  for (const [name, step] of steps) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const result = await Promise.race([step().catch((error: unknown) => log.warn('shutdown step failed', { step: name, error })), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') log.warn('shutdown step did not finish in time', { step: name, ms });
  }
}

export interface BotHandle {
  app: App;
  port: number;
  /** One poll cycle now (as the cron would run it). */
  pollNow(): Promise<FeedResult[]>;
  /** One minutely tick now: daily digests and digest retries. */
  tick(): Promise<void>;
  /** Waits until background work and the outbox are empty. */
  settle(): Promise<void>;
  stop(signal?: string): Promise<void>;
}

export interface LaunchOptions {
  now?: () => number;
  /** Start the cron schedules (off in tests that drive time themselves). */
  schedules?: boolean;
}

/** Starts the bot: sender, command list, HTTP (health, webhook), long polling or webhook, schedules. */
export async function launchBot(config: Config, log: Logger, options: LaunchOptions = {}): Promise<BotHandle> {
  const token = needToken(config);
  const telegram = new Telegram(token, { apiRoot: config.telegram.apiRoot, webhookReply: false } as never);
  const app = await createApp(config, log, { telegram, ...(options.now ? { now: options.now } : {}) });
  const work = createWorkQueue(log);
  const bot = createBot(token, { ...app, work });
  const scheduler = createScheduler({ backend: app.store.backend, log });
  const startedAt = Date.now();
  const tick = async () => {
    await app.daily.tick();
    await app.digestStage.processPending();
  };

  scheduler.add('poll', config.poll.cron, () => app.pollCycle());
  scheduler.add('minute', '* * * * *', tick);
  scheduler.add('prune', '17 3 * * *', async () => log.info('expired rows pruned', { rows: await app.store.backend.pruneExpired() }));
  await app.sender.start();
  await registerCommands(bot).catch((error: unknown) => log.warn('could not register the command list', { error }));

  const webhookUrl = config.telegram.webhookUrl;
  const webhookPath = webhookUrl ? new URL(webhookUrl).pathname || '/' : undefined;
  const http = await startHttpServer({
    port: config.port,
    health: () => ({ mode: webhookUrl ? 'webhook' : 'polling', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), queued: work.size }),
    ...(webhookPath
      ? { webhook: { path: webhookPath, handle: bot.webhookCallback(webhookPath, config.telegram.webhookSecret ? { secretToken: config.telegram.webhookSecret } : {}) } }
      : {}),
  });

  let polling: Promise<void> | undefined;
  try {
    if (webhookUrl) {
      bot.botInfo ??= await bot.telegram.getMe();
      if (!config.telegram.webhookSecret) log.warn('webhook mode without TELEGRAM_WEBHOOK_SECRET: anyone who finds the URL can send updates', {});
      await bot.telegram.setWebhook(webhookUrl, {
        allowed_updates: [...ALLOWED_UPDATES],
        ...(config.telegram.webhookSecret ? { secret_token: config.telegram.webhookSecret } : {}),
      });
      log.info('bot started in webhook mode', { port: http.port, url: webhookUrl });
    } else {
      await new Promise<void>((resolve, reject) => {
        polling = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => resolve());
        polling.catch(reject);
      });
      log.info('bot started with long polling', { port: http.port });
    }
  } catch (error) {
    // A wrong token or an unreachable Bot API: say so and let go of everything opened so far.
    await within(3000, log, [
      ['http', () => http.close()],
      ['sender', () => app.sender.stop()],
      ['store', () => app.close()],
    ]);
    const code = (error as { response?: { error_code?: number } }).response?.error_code;
    throw new Error(
      code === 401 ? 'Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token from @BotFather' : `cannot start the bot at ${config.telegram.apiRoot}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (options.schedules !== false) {
    scheduler.start();
    void scheduler.runNow('poll');
  }

  let stopped: Promise<void> | undefined;
  return {
    app,
    port: http.port,
    pollNow: () => app.pollCycle(),
    tick,
    async settle() {
      await work.drain();
      await app.sender.idle();
    },
    stop(signal = 'SIGTERM') {
      stopped ??= (async () => {
        log.info('stopping', { signal });
        await within(5000, log, [
          ['updates', async () => {
            if (polling) {
              bot.stop(signal);
              await polling;
            }
            await http.close();
          }],
          ['schedules', () => scheduler.stop()],
          ['background work', () => work.drain()],
          ['sender', () => app.sender.stop()],
          ['store', () => app.close()],
        ]);
        log.info('stopped', {});
      })();
      return stopped;
    },
  };
}

export async function startBot(config: Config, log: Logger): Promise<number> {
  const handle = await launchBot(config, log);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => void handle.stop(signal).then(() => resolve(0));
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export function describeOutcome(r: FeedResult): string {
  const name = r.feed.title ? `${r.feed.title} <${r.feed.url}>` : r.feed.url;
  switch (r.outcome.kind) {
    case 'new':
      return `${`new ${r.outcome.count}`.padEnd(14)} ${name}`;
    case 'primed':
      return `${'first fetch'.padEnd(14)} ${name} (${r.outcome.count} items recorded, none pushed)`;
    case 'not-modified':
      return `${'not modified'.padEnd(14)} ${name}`;
    case 'error':
      return `${'error'.padEnd(14)} ${name}: ${r.outcome.message}`;
  }
}

export async function runPollOnce(config: Config, log: Logger): Promise<number> {
  const telegram = config.telegram.token ? new Telegram(config.telegram.token, { apiRoot: config.telegram.apiRoot } as never) : undefined;
  const app = await createApp(config, log, telegram ? { telegram } : {});
  try {
    const results = await app.pollCycle(true);
    for (const r of results) process.stdout.write(describeOutcome(r) + '\n');
    if (results.length === 0) process.stdout.write('no feeds are subscribed yet\n');
    if (telegram) {
      await app.sender.start();
      await Promise.race([app.sender.idle(), new Promise((r) => setTimeout(r, 120_000).unref())]);
    } else {
      process.stdout.write('TELEGRAM_BOT_TOKEN is not set: messages stay in the outbox until the bot runs\n');
    }
    return results.some((r) => r.outcome.kind === 'error') ? 1 : 0;
  } finally {
    await app.close();
  }
}

function summaryFailure(error: unknown): string {
  if (error instanceof FetchError) return `cannot fetch the page: ${error.message}`;
  if (error instanceof LlmError) return `the LLM failed: ${error.message}`;
  if (error instanceof BudgetExhaustedError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export async function runSummary(config: Config, log: Logger, url: string, options: { json: boolean }): Promise<number> {
  let app: App | undefined;
  try {
    app = await createApp(config, log);
    if (!config.llm.apiKey) {
      process.stderr.write('OPENAI_API_KEY is not set: a digest needs an LLM (see README, "LLM providers")\n');
      return 1;
    }
    const outcome = await app.summarizer.forUrl(url);
    if (outcome.kind === 'unreadable') {
      process.stderr.write(`no digest: ${outcome.url ?? url} cannot be read as an article (${outcome.reason})\n`);
      return 1;
    }
    const d = outcome.digest;
    if (options.json) {
      process.stdout.write(JSON.stringify({ url: outcome.url ?? url, title: d.title, tldr: d.tldr, summary: d.summary, tags: d.tags, model: d.model, cached: outcome.cached }, null, 2) + '\n');
    } else {
      process.stdout.write(`${d.title}\n${outcome.url ?? url}\n\n${d.summary}\n\n总结: ${d.tldr}\n${hashtags(d.tags)}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`no digest for ${url}: ${summaryFailure(error)}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}

export async function runCheck(config: Config, log: Logger): Promise<number> {
  let ok = true;
  const line = (good: boolean, text: string) => {
    if (!good) ok = false;
    process.stdout.write(`${good ? 'ok  ' : 'FAIL'} ${text}\n`);
  };
  line(true, 'configuration is valid');
  let app: App | undefined;
  try {
    app = await createApp(config, log);
    line(true, `store ${app.store.kind} reachable`);
  } catch (error) {
    line(false, `store: ${(error as Error).message}`);
  }
  if (!config.telegram.token) line(false, 'TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)');
  else {
    try {
      const me = await new Telegram(config.telegram.token, { apiRoot: config.telegram.apiRoot } as never).getMe();
      line(true, `Telegram: this is @${me.username}`);
    } catch (error) {
      line(false, `Telegram at ${config.telegram.apiRoot}: ${(error as Error).message} (is the token right?)`);
    }
  }
  if (!app) return 1;
  if (!config.llm.apiKey) line(false, 'OPENAI_API_KEY is not set: articles would go out without digests');
  else {
    try {
      await app.llm.ping();
      line(true, `LLM ${config.llm.model} at ${config.llm.baseUrl ?? 'OpenAI'} answers`);
    } catch (error) {
      line(false, `LLM ${config.llm.model} at ${config.llm.baseUrl ?? 'OpenAI'}: ${(error as Error).message}`);
    }
  }
  await app.close();
  return ok ? 0 : 1;
}
