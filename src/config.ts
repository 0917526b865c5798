// Environment (and `.env`) → one typed, validated Config; the only module that reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import cron from 'node-cron';
import { z } from 'zod';
import { isTimeZone } from './core/localTime.js';
import { parseAllowList, type AllowList } from './feeds/addressPolicy.js';

export interface Config {
  telegram: {
    token: string | undefined;
    apiRoot: string;
    webhookUrl: string | undefined;
    webhookSecret: string | undefined;
  };
  port: number;
  llm: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    model: string;
    timeoutMs: number;
    dailyTokenBudget: number | undefined;
    /** After this long without a digest, a pending article goes out without one. */
    fallbackAfterMs: number;
    /** LLM requests in flight at once, per replica. */
    concurrency: number;
  };
  storeUrl: string;
  /** When expired rows are deleted (the server's local time). */
  pruneCron: string;
  poll: {
    cron: string;
    intervalMs: number;
    concurrency: number;
    perHostConcurrency: number;
  };
  fetch: {
    maxBytes: number;
    timeoutMs: number;
    allowPrivate: AllowList;
  };
  digest: { time: string; timezone: string };
  delivery: { messagesPerSecond: number; maxSubscriptionsPerChat: number; summaryPerUserPerDay: number };
  adminIds: number[];
  promptsDir: string;
  archiveDir: string | undefined;
  logLevel: LogLevelName;
}

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export class ConfigError extends Error {
  /** One entry per bad variable: every one is reported at once, not one per start. */
  readonly problems: Array<{ variable: string; expected: string }>;
  constructor(problems: Array<{ variable: string; expected: string }>) {
    super(problems.map((p) => `${p.variable}: ${p.expected}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
  get variable(): string {
    return this.problems[0]!.variable;
  }
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const httpUrl = (what: string) =>
  optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s/]+/i.test(v), { message: what });

/** A number variable: its default when unset, else a value that must pass `valid` or the start stops with `what`. */
function numberVar<D extends number | undefined>(fallback: D, what: string, valid: (n: number) => boolean) {
  return optionalString.transform((v, ctx): number | D => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!valid(n)) {
      ctx.addIssue({ code: 'custom', message: what });
      return z.NEVER;
    }
    return n;
  });
}

const positiveInt = <D extends number | undefined>(fallback: D, what: string) => numberVar(fallback, what, (n) => Number.isInteger(n) && n > 0);
const positiveNumber = (fallback: number, what: string) => numberVar(fallback, what, (n) => Number.isFinite(n) && n > 0);

export const TIME_OF_DAY = /^([01]?\d|2[0-3]):([0-5]\d)$/;

const envSchema = z.object({
  TELEGRAM_BOT_TOKEN: optionalString.refine((v) => v === undefined || /^\d+:[\w-]{20,}$/.test(v), {
    message: 'a bot token from BotFather, like 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11',
  }),
  TELEGRAM_API_ROOT: httpUrl('an http(s) URL of a Bot API server').transform((v) => v ?? 'https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: optionalString.refine((v) => v === undefined || /^https:\/\/[^\s/]+/i.test(v), {
    message: 'a public https:// URL',
  }),
  TELEGRAM_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v), {
    message: '1 to 256 characters of A-Z, a-z, 0-9, _ and -',
  }),
  PORT: numberVar(8080, 'a TCP port number (0-65535)', (n) => Number.isInteger(n) && n >= 0 && n <= 65535),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: httpUrl('an http(s) URL of an OpenAI-compatible API, like https://api.deepseek.com/v1'),
  OPENAI_MODEL: optionalString.transform((v) => v ?? 'gpt-4o-mini'),
  LLM_TIMEOUT_SECONDS: positiveInt(120, 'a whole number of seconds'),
  LLM_DAILY_TOKEN_BUDGET: positiveInt(undefined, 'a whole number of tokens per day, or empty for no limit'),
  DIGEST_FALLBACK_HOURS: positiveNumber(6, 'a number of hours'),
  STORE_URL: optionalString
    .transform((v) => v ?? 'sqlite://data/bot.sqlite')
    .refine((v) => !/^rediss?:\/\//.test(v), {
      message: 'redis:// is no longer a store (0.2 keeps its data in tables): use postgres://USER@HOST/DB for one or several replicas, or sqlite://PATH for one process',
    })
    .refine((v) => /^(sqlite:\/\/.+|postgres(ql)?:\/\/.+)$/.test(v), {
      message: 'sqlite://PATH or postgres://USER@HOST/DB',
    }),
  POLL_CRON: optionalString
    .transform((v) => v ?? '*/10 * * * *')
    .refine((v) => cron.validate(v), { message: 'a cron expression of 5 or 6 fields, like */10 * * * *' }),
  PRUNE_CRON: optionalString
    .transform((v) => v ?? '17 3 * * *')
    .refine((v) => cron.validate(v), { message: 'a cron expression of 5 or 6 fields, like 17 3 * * *' }),
  FEED_INTERVAL_MINUTES: numberVar(0, 'a number of minutes (empty: every POLL_CRON tick)', (n) => Number.isFinite(n) && n >= 0),
  LLM_CONCURRENCY: positiveInt(4, 'a whole number of LLM requests at once'),
  POLL_CONCURRENCY: positiveInt(16, 'a whole number of feeds fetched at once'),
  POLL_PER_HOST_CONCURRENCY: positiveInt(2, 'a whole number of requests at once to one host'),
  FETCH_MAX_BYTES: positiveInt(5 * 1024 * 1024, 'a whole number of bytes'),
  FETCH_TIMEOUT_SECONDS: positiveNumber(20, 'a number of seconds'),
  FETCH_ALLOW_PRIVATE: optionalString.transform((v, ctx) => {
    try {
      return parseAllowList(v ?? '');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `comma-separated hosts, host:port or CIDRs (${(error as Error).message})` });
      return z.NEVER;
    }
  }),
  DIGEST_TIME: optionalString
    .transform((v) => v ?? '08:00')
    .refine((v) => TIME_OF_DAY.test(v), { message: 'a time of day as HH:MM, like 08:00' }),
  DIGEST_TIMEZONE: optionalString
    .transform((v) => v ?? 'Asia/Shanghai')
    .refine(isTimeZone, { message: 'an IANA time zone, like Asia/Shanghai' }),
  SEND_RATE_PER_SECOND: positiveNumber(28, 'messages per second (Telegram allows about 30)'),
  MAX_SUBSCRIPTIONS_PER_CHAT: positiveInt(200, 'a whole number'),
  SUMMARY_PER_USER_PER_DAY: positiveInt(50, 'a whole number'),
  ADMIN_IDS: optionalString.transform((v, ctx) => {
    const parts = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (parts.some((p) => !/^-?\d+$/.test(p))) {
      ctx.addIssue({ code: 'custom', message: 'comma-separated numeric Telegram user ids' });
      return z.NEVER;
    }
    return parts.map(Number);
  }),
  PROMPTS_DIR: optionalString.transform((v) => v ?? 'prompts'),
  ARCHIVE_DIR: optionalString,
  LOG_LEVEL: optionalString
    .transform((v) => (v ?? 'info').toLowerCase())
    .refine((v): v is LogLevelName => ['debug', 'info', 'warn', 'error'].includes(v), {
      message: 'one of debug, info, warn, error',
    }),
});

/** Reads `.env` from `cwd` when present; the real environment wins over the file. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...env };
}

const SECRET_VARIABLES = new Set(['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'OPENAI_API_KEY']);

/** Validates the environment once; throws ConfigError naming every bad variable (and its value, unless it is a secret). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = new Map<string, string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (problems.has(name)) continue;
      const got = SECRET_VARIABLES.has(name) ? '' : `, got ${JSON.stringify(String(env[name] ?? ''))}`;
      problems.set(name, `expected ${issue.message}${got}`);
    }
    throw new ConfigError([...problems].map(([variable, expected]) => ({ variable, expected })));
  }
  const e = result.data;
  return {
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT,
      webhookUrl: e.TELEGRAM_WEBHOOK_URL,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    },
    port: e.PORT,
    llm: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      timeoutMs: e.LLM_TIMEOUT_SECONDS * 1000,
      dailyTokenBudget: e.LLM_DAILY_TOKEN_BUDGET,
      fallbackAfterMs: e.DIGEST_FALLBACK_HOURS * 3_600_000,
      concurrency: e.LLM_CONCURRENCY,
    },
    storeUrl: e.STORE_URL,
    pruneCron: e.PRUNE_CRON,
    poll: {
      cron: e.POLL_CRON,
      intervalMs: e.FEED_INTERVAL_MINUTES * 60_000,
      concurrency: e.POLL_CONCURRENCY,
      perHostConcurrency: e.POLL_PER_HOST_CONCURRENCY,
    },
    fetch: {
      maxBytes: e.FETCH_MAX_BYTES,
      timeoutMs: e.FETCH_TIMEOUT_SECONDS * 1000,
      allowPrivate: e.FETCH_ALLOW_PRIVATE,
    },
    digest: { time: e.DIGEST_TIME, timezone: e.DIGEST_TIMEZONE },
    delivery: {
      messagesPerSecond: e.SEND_RATE_PER_SECOND,
      maxSubscriptionsPerChat: e.MAX_SUBSCRIPTIONS_PER_CHAT,
      summaryPerUserPerDay: e.SUMMARY_PER_USER_PER_DAY,
    },
    adminIds: e.ADMIN_IDS,
    promptsDir: e.PROMPTS_DIR,
    archiveDir: e.ARCHIVE_DIR,
    logLevel: e.LOG_LEVEL as LogLevelName,
  };
}

/** The secrets of a config, for the logger to mask wherever they appear. */
export function secretsOf(config: Config): string[] {
  return [config.telegram.token, config.telegram.webhookSecret, config.llm.apiKey].filter(
    (s): s is string => typeof s === 'string' && s.length >= 6,
  );
}
