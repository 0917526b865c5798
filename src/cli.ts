#!/usr/bin/env node
// The command line: start | summary <url> [--json] | poll --once | check — configuration errors end in one plain line.
import { ConfigError, parseConfig, readEnvironment, secretsOf, type Config } from './config.js';
import { createLogger } from './log.js';
import { runCheck, runPollOnce, runSummary } from './cliCommands.js';
import { startBot } from './main.js';

const USAGE = `usage: feed-digest-bot <command>

  start                 run the bot (long polling, or webhook mode when TELEGRAM_WEBHOOK_URL is set)
  summary <url> [--json] print the Chinese digest of one page
  poll --once           run one poll cycle over every subscribed feed (fetch, digest, deliver), then exit
  check                 validate the configuration and reach Telegram and the LLM once
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  let config: Config;
  try {
    config = parseConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  switch (command) {
    case 'start':
      return startBot(config, log);
    case 'summary': {
      const url = rest.find((a) => !a.startsWith('--'));
      if (!url) {
        process.stderr.write('usage: feed-digest-bot summary <url> [--json]\n');
        return 2;
      }
      return runSummary(config, log, url, { json: rest.includes('--json') });
    }
    case 'poll':
      if (!rest.includes('--once')) {
        process.stderr.write('usage: feed-digest-bot poll --once   (the bot itself polls on POLL_CRON)\n');
        return 2;
      }
      return runPollOnce(config, log);
    case 'check':
      return runCheck(config, log);
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
