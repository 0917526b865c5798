// Composition root of the running bot: services and stages, telegraf (long polling behind a lease, or webhook), HTTP, schedules, a clean shutdown.
import { createApp, type App } from './app.js';
import { randomUUID } from 'node:crypto';
import { createBot, registerCommands } from './bot/createBot.js';
import { startHttpServer } from './bot/httpServer.js';
import { telegramClient } from './bot/telegramClient.js';
import { createRequests } from './bot/requests.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { createScheduler } from './stages/scheduler.js';
import { createMetrics } from './ops/metrics.js';

const ALLOWED_UPDATES = ['message', 'callback_query', 'channel_post', 'my_chat_member'] as const;
const UPDATES_LEASE_MS = 10_000;
const UPDATES_RENEW_MS = 3_000;

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
  /** A poll tick now (as the cron would run it), then waits until what it found is digested and sent. */
  pollNow(): Promise<void>;
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
  const telegram = await telegramClient(token, config.telegram.apiRoot);
  const app = await createApp(config, log, { telegram, ...(options.now ? { now: options.now } : {}) });
  const requests = createRequests({ jobs: app.store.jobs, sender: app.sender, log, now: app.now, owner: app.owner, typing: (chatId) => telegram.sendChatAction(chatId, 'typing') });
  if (app.store.dialect === 'sqlite') {
    // An SQLite file serves one bot process: a job still held was held by a run that died, and its user is waiting.
    const released = await app.store.jobs.releaseAll();
    if (released > 0) log.info('requests of a stopped run taken up again', { jobs: released });
  }
  const bot = createBot(token, { ...app, requests });
  const scheduler = createScheduler({ leases: app.store.leases, log });
  const startedAt = Date.now();
  const tick = async () => {
    await app.daily.tick();
    await app.llmHealth.probe();
    app.digests.wake();
  };

  // Every replica ticks: the stages share the work through claims, not through a leader.
  scheduler.add('poll', config.poll.cron, async () => app.polls.tick());
  scheduler.add('minute', '* * * * *', tick);
  // While the LLM is marked down, a tiny request every 15 s notices its recovery (not the digests' growing backoff).
  scheduler.add('llm-probe', '*/15 * * * * *', async () => app.llmHealth.probe());
  scheduler.add('prune', config.pruneCron, async () => log.info('expired rows pruned', await app.store.prune(Date.now())), 30 * 60_000);
  await app.start();
  requests.start();
  await registerCommands(bot).catch((error: unknown) => log.warn('could not register the command list', { error }));

  const webhookUrl = config.telegram.webhookUrl;
  const webhookPath = webhookUrl ? new URL(webhookUrl).pathname || '/' : undefined;
  const http = await startHttpServer({
    port: config.port,
    metrics: createMetrics(() => app.figures()),
    health: () => ({ mode: webhookUrl ? 'webhook' : 'polling', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), requestsInHand: requests.active, sending: app.sender.draining, takingUpdates: !!polling }),
    ...(webhookPath
      ? { webhook: { path: webhookPath, handle: bot.webhookCallback(webhookPath, config.telegram.webhookSecret ? { secretToken: config.telegram.webhookSecret } : {}) } }
      : {}),
  });

  let polling: Promise<void> | undefined;
  let updatesTimer: NodeJS.Timeout | undefined;
  // Long polling: one replica at a time calls getUpdates (a second caller gets 409 Conflict); another takes over when it stops.
  const updatesOwner = randomUUID();
  const takeUpdates = () => app.store.leases.acquire('updates', updatesOwner, UPDATES_LEASE_MS);
  const startPolling = () =>
    new Promise<void>((resolve, reject) => {
      const loop = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => resolve());
      polling = loop;
      loop.catch(reject);
      loop.catch((error: unknown) => log.error('long polling stopped', { error })).finally(() => {
        if (polling === loop) polling = undefined;
      });
    });
  const keepUpdates = async () => {
    const held = await takeUpdates().catch((error: unknown) => {
      log.warn('could not renew the updates lease', { error });
      return false;
    });
    if (held && !polling) {
      log.info('this replica takes the updates now', {});
      await startPolling().catch((error: unknown) => log.error('could not start long polling', { error }));
    } else if (!held && polling) {
      log.warn('another replica takes the updates now', {});
      const loop = polling;
      bot.stop('updates lease lost');
      await loop.catch(() => {});
    }
  };
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
      if (await takeUpdates()) {
        await startPolling();
        log.info('bot started with long polling', { port: http.port });
      } else {
        bot.botInfo ??= await bot.telegram.getMe();
        log.info('bot started; another replica takes the updates (long polling), this one sends and works', { port: http.port });
      }
      updatesTimer = setInterval(() => void keepUpdates(), UPDATES_RENEW_MS);
      updatesTimer.unref();
    }
  } catch (error) {
    // A wrong token or an unreachable Bot API: say so and let go of everything opened so far.
    await within(3000, log, [
      ['requests', () => requests.stop()],
      ['http', () => http.close()],
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
    app.polls.tick();
  }

  let stopped: Promise<void> | undefined;
  return {
    app,
    port: http.port,
    async pollNow() {
      app.polls.tick();
      await app.settle();
    },
    tick,
    async settle() {
      await requests.idle();
      await app.settle();
      await requests.idle();
      await app.settle();
    },
    stop(signal = 'SIGTERM') {
      stopped ??= (async () => {
        log.info('stopping', { signal });
        await within(5000, log, [
          ['updates', async () => {
            if (updatesTimer) clearInterval(updatesTimer);
            if (polling) {
              bot.stop(signal);
              await polling;
            }
            if (!webhookUrl) await app.store.leases.release('updates', updatesOwner).catch(() => {});
            await http.close();
          }],
          ['schedules', () => scheduler.stop()],
          ['requests', () => requests.stop()],
          ['stages and store', () => app.close()],
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
