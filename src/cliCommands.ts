// The one-shot commands of the CLI: summary <url>, poll --once and check, each printing plain lines and returning an exit code.
import { createApp, type App } from './app.js';
import { telegramClient } from './bot/telegramClient.js';
import type { Config } from './config.js';
import { hashtags } from './core/renderDigest.js';
import { forTypedUrl } from './digests/forTypedUrl.js';
import { LlmError } from './digests/llmClient.js';
import { BudgetExhaustedError } from './digests/tokenBudget.js';
import { FetchError } from './feeds/safeFetch.js';
import type { Logger } from './log.js';
import type { FeedResult } from './polling/pollStage.js';

export function describeOutcome(r: FeedResult): string {
  const name = r.feed.title ? `${r.feed.title} <${r.feed.url}>` : r.feed.url;
  return `${outcomeWord(r).padEnd(14)} ${name}${outcomeDetail(r)}`;
}

function outcomeWord(r: FeedResult): string {
  return r.outcome.kind === 'new' ? `new ${r.outcome.count}` : r.outcome.kind === 'primed' ? 'first fetch' : r.outcome.kind === 'not-modified' ? 'not modified' : 'error';
}

function outcomeDetail(r: FeedResult): string {
  if (r.outcome.kind === 'primed') return ` (${r.outcome.count} items recorded, none pushed)`;
  return r.outcome.kind === 'error' ? `: ${r.outcome.message}` : '';
}

export async function runPollOnce(config: Config, log: Logger): Promise<number> {
  const telegram = config.telegram.token ? await telegramClient(config.telegram.token, config.telegram.apiRoot) : undefined;
  const app = await createApp(config, log, telegram ? { telegram } : {});
  try {
    const results = await app.polls.pollAll();
    for (const r of results) process.stdout.write(describeOutcome(r) + '\n');
    if (results.length === 0) process.stdout.write('no feeds are subscribed yet\n');
    app.digests.start();
    await app.digests.idle();
    if (telegram) {
      // A running bot holding the sender lease sends what this queued; otherwise this process does, within two minutes.
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
    const outcome = await forTypedUrl(app.summarizer, url);
    if (outcome.kind === 'unreadable') {
      process.stderr.write(`no digest: ${outcome.url ?? url} cannot be read as an article (${outcome.reason})\n`);
      return 1;
    }
    const d = outcome.digest;
    if (options.json) {
      process.stdout.write(JSON.stringify({ url: outcome.url ?? url, title: d.title, tldr: d.tldr, summary: d.summary, tags: d.tags, model: d.model, cached: outcome.cached }, null, 2) + '\n');
    } else {
      process.stdout.write(`${d.title}\n${outcome.url ?? url}\n\n${d.summary}\n\n总结：${d.tldr}\n${hashtags(d.tags)}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`no digest for ${url}: ${summaryFailure(error)}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}

/** How long `check` waits for Telegram's getMe: a blocked api.telegram.org often accepts the connection and never answers. */
const TELEGRAM_CHECK_MS = 15_000;
/** And for the LLM: its own timeout, at most 30 s, and a few seconds for the client's quick retries to say what failed. */
const LLM_CHECK_MAX_MS = 30_000;
const LLM_CHECK_GRACE_MS = 5_000;

class NoAnswer extends Error {}

/** `work`, or a NoAnswer after `ms` (the request itself is abandoned; the command exits anyway). */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(`no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
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
    line(true, `store ${app.store.dialect} reachable`);
  } catch (error) {
    line(false, `store: ${(error as Error).message}`);
  }
  if (!config.telegram.token) line(false, 'TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)');
  else {
    try {
      const me = await within(telegramClient(config.telegram.token, config.telegram.apiRoot).then((t) => t.getMe()), TELEGRAM_CHECK_MS);
      line(true, `Telegram: this is @${me.username}`);
    } catch (error) {
      if (error instanceof NoAnswer) line(false, `Telegram at ${config.telegram.apiRoot}: ${error.message} (is it reachable from this machine? TELEGRAM_API_ROOT can name a Bot API server that is)`);
      else line(false, `Telegram at ${config.telegram.apiRoot}: ${(error as Error).message} (is the token right?)`);
    }
  }
  if (!app) return 1;
  if (!config.llm.apiKey) line(false, 'OPENAI_API_KEY is not set: articles would go out without digests');
  else {
    try {
      await within(app.llm.ping(), Math.min(config.llm.timeoutMs, LLM_CHECK_MAX_MS) + LLM_CHECK_GRACE_MS);
      line(true, `LLM ${config.llm.model} at ${config.llm.baseUrl ?? 'OpenAI'} answers`);
    } catch (error) {
      line(false, `LLM ${config.llm.model} at ${config.llm.baseUrl ?? 'OpenAI'}: ${(error as Error).message}`);
    }
  }
  await app.close();
  return ok ? 0 : 1;
}
