#!/usr/bin/env node
// The command line: start | summary <url> [--json] | poll --once | check | help [command]. Each command loads only what it uses.
import type { Config } from './config.js';
import type { Logger } from './log.js';

const USAGE = `usage: feed-digest-bot <command>

  start                   run the bot (long polling, or webhook mode when TELEGRAM_WEBHOOK_URL is set)
  summary <url> [--json]  print the Chinese digest of one page
  poll --once             run one poll cycle over every subscribed feed (fetch, digest, deliver), then exit
  check                   validate the configuration and reach Telegram and the LLM once
  failed [--retry ID|all] list work given up after its attempts, or queue it again
  help [command]          this text, or one command's

Configuration comes from the environment and .env in the working directory (see README).
`;

const HELP: Record<string, string> = {
  start: `usage: feed-digest-bot start

Runs the bot until SIGINT or SIGTERM: long polling, or webhook mode when TELEGRAM_WEBHOOK_URL is set
(the webhook and GET /healthz are served on PORT). Several replicas may share one PostgreSQL STORE_URL.
`,
  summary: `usage: feed-digest-bot summary <url> [--json]

Fetches one page, prints its Simplified-Chinese digest (title, summary, one-sentence tldr, tags) and
exits 0; --json prints it as JSON. Exits 1 with a plain reason when the URL is bad or refused, the
page holds no article, or the LLM fails; 2 on a usage or configuration error.
`,
  poll: `usage: feed-digest-bot poll --once

Polls every subscribed feed once, digests what is new and delivers it (when TELEGRAM_BOT_TOKEN is set),
printing one line per feed: "new N", "first fetch", "not modified" or "error" with the reason.
Exits 1 when any feed failed.
`,
  check: `usage: feed-digest-bot check

Validates the configuration, opens the store, and reaches Telegram (getMe) and the LLM once, saying
in plain words what works and what does not. Exits 1 when anything is wrong.
`,
  failed: `usage: feed-digest-bot failed [--retry ID|all]

Lists the work given up after its attempts (requests such as /import, article digests, messages
Telegram kept refusing): its id, what it was, since when, how many attempts and its last error.
Users who were told of a failure quote the id. --retry ID queues that one again with fresh attempts;
--retry all queues every one. Exits 0.
`,
};
HELP.help = USAGE;

async function withConfig(run: (config: Config, log: Logger) => Promise<number>): Promise<number> {
  const { ConfigError, parseConfig, readEnvironment, secretsOf } = await import('./config.js');
  const { createLogger } = await import('./log.js');
  let config: Config;
  try {
    config = parseConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const p of error.problems) process.stderr.write(`configuration error: ${p.variable}: ${p.expected}\n`);
      return 2;
    }
    throw error;
  }
  return run(config, createLogger({ level: config.logLevel, secrets: secretsOf(config) }));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    const topic = command === 'help' ? rest[0] : undefined;
    process.stdout.write(topic && HELP[topic] ? HELP[topic] : USAGE);
    return command ? (topic && !HELP[topic] ? 2 : 0) : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP[command] ?? USAGE);
    return HELP[command] ? 0 : 2;
  }
  switch (command) {
    case 'start':
      return withConfig(async (config, log) => (await import('./main.js')).startBot(config, log));
    case 'summary': {
      const url = rest.find((a) => !a.startsWith('--'));
      if (!url) {
        process.stderr.write(HELP.summary!);
        return 2;
      }
      return withConfig(async (config, log) => (await import('./cliCommands.js')).runSummary(config, log, url, { json: rest.includes('--json') }));
    }
    case 'poll':
      if (!rest.includes('--once')) {
        process.stderr.write('usage: feed-digest-bot poll --once   (the bot itself polls on POLL_CRON)\n');
        return 2;
      }
      return withConfig(async (config, log) => (await import('./cliCommands.js')).runPollOnce(config, log));
    case 'check':
      return withConfig(async (config, log) => (await import('./cliCommands.js')).runCheck(config, log));
    case 'failed': {
      const at = rest.indexOf('--retry');
      const retry = at >= 0 ? rest[at + 1] : undefined;
      if (at >= 0 && !retry) {
        process.stderr.write(HELP.failed!);
        return 2;
      }
      return withConfig(async (config) => (await import('./ops/failedCommand.js')).runFailed(config, retry));
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

// Exit explicitly: a store client or socket left open by a failed start must not keep the process alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`feed-digest-bot: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
