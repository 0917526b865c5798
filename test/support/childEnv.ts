// The environment of a bot run as its own process (the built CLI) against the fakes: no polls of its own unless asked, quiet logs.
import { join } from 'node:path';
import { TEST_TOKEN, type BotApiServer } from './botApiServer.js';
import { ROOT } from './buildCli.js';
import type { OpenAiServer } from './openaiServer.js';

/** `extra` goes on top: a test's own cron, interval or log level. */
export function childEnv(api: Pick<BotApiServer, 'apiRoot'>, llm: Pick<OpenAiServer, 'baseUrl'>, storeUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: TEST_TOKEN,
    TELEGRAM_API_ROOT: api.apiRoot,
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: llm.baseUrl,
    STORE_URL: storeUrl,
    POLL_CRON: '0 0 1 1 *',
    FETCH_ALLOW_PRIVATE: '127.0.0.1/32',
    PORT: '0',
    PROMPTS_DIR: join(ROOT, 'prompts'),
    LOG_LEVEL: 'warn',
    PATH: process.env.PATH ?? '',
    ...extra,
  };
}
