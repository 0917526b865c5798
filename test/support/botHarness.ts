// The real bot, started in-process against the tests' own Bot API, OpenAI-compatible and feed servers, with a clock the test moves.
import { join } from 'node:path';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { launchBot, type BotHandle } from '../../src/main.js';
import { startBotApiServer, TEST_TOKEN, type BotApiOptions, type BotApiServer, type SentMessage } from './botApiServer.js';
import { startFeedServer, type FeedServer } from './feedServer.js';
import { startOpenAiServer, type OpenAiServer } from './openaiServer.js';
import { tempStoreUrl } from './tempStore.js';

export interface Harness {
  api: BotApiServer;
  llm: OpenAiServer;
  web: FeedServer;
  bot: BotHandle;
  config: Config;
  logs: string[];
  clock: { now: number };
  env: Record<string, string>;
  /** A user writes in a chat; resolves with what the bot sent there once a reply matches. */
  say(chatId: number, text: string, expectReply: RegExp, options?: Parameters<BotApiServer['message']>[2]): Promise<SentMessage[]>;
  /** Moves the clock past the poll interval, polls, and waits for the deliveries. */
  nextPoll(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: { env?: Record<string, string>; api?: BotApiOptions; storeUrl?: string } = {}): Promise<Harness> {
  const api = await startBotApiServer(options.api);
  const llm = await startOpenAiServer();
  const web = await startFeedServer();
  const env: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: TEST_TOKEN,
    TELEGRAM_API_ROOT: api.apiRoot,
    OPENAI_API_KEY: 'sk-test-very-secret-key',
    OPENAI_BASE_URL: llm.baseUrl,
    OPENAI_MODEL: 'test-model',
    STORE_URL: options.storeUrl ?? tempStoreUrl(),
    POLL_CRON: '0 0 1 1 *',
    FETCH_ALLOW_PRIVATE: '127.0.0.1/32',
    PORT: '0',
    PROMPTS_DIR: join(import.meta.dirname, '../../prompts'),
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const config = parseConfig(env);
  const logs: string[] = [];
  const clock = { now: Date.parse('2026-11-24T02:00:00Z') };
  const log = createLogger({ level: 'info', secrets: [TEST_TOKEN, env.OPENAI_API_KEY!], write: (line) => logs.push(line) });
  const launch = () => launchBot(config, log, { now: () => clock.now, schedules: false });
  const h: Harness = {
    api,
    llm,
    web,
    config,
    logs,
    clock,
    env,
    bot: await launch(),
    async say(chatId, text, expectReply, options = {}) {
      const before = api.sentTo(chatId).length;
      api.message(chatId, text, options);
      await api.waitFor(() => api.sentTo(chatId).slice(before).some((m) => expectReply.test(m.text)), 10_000, `a reply matching ${expectReply}`);
      return api.sentTo(chatId).slice(before);
    },
    async nextPoll() {
      clock.now += 11 * 60_000;
      await h.bot.pollNow();
      await h.bot.settle();
    },
    async restart() {
      await h.bot.stop();
      h.bot = await launch();
    },
    async close() {
      await h.bot.stop();
      await Promise.all([api.close(), llm.close(), web.close()]);
    },
  };
  return h;
}
