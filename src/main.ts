// Composition root of the running bot: services, telegraf (long polling or webhook), HTTP, schedules, and a clean shutdown.
import { Telegram } from 'telegraf';
import { createApp, type App } from './app.js';
import { createBot, registerCommands } from './bot/createBot.js';
import { startHttpServer } from './bot/httpServer.js';
import { createWorkQueue } from './bot/workQueue.js';
import type { Config } from './config.js';
import type { FeedResult } from './pipeline/pollCycle.js';
import { createScheduler } from './pipeline/scheduler.js';
import type { Logger } from './log.js';

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
