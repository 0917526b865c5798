// Structured logging: one JSON line per event on stderr, fixed keys, secrets masked wherever they appear.
import type { LogLevelName } from './config.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevelName;
  secrets?: string[];
  write?: (line: string) => void;
  now?: () => Date;
}

/** Replaces every occurrence of a secret with a fixed mask. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

function describe(value: unknown): unknown {
  if (value instanceof Error) {
    const out: LogFields = { name: value.name, message: value.message };
    const extra = value as unknown as LogFields;
    for (const key of ['code', 'status', 'feedUrl', 'url', 'chatId', 'method']) if (extra[key] !== undefined) out[key] = extra[key];
    if (value.cause !== undefined) out.cause = describe(value.cause);
    return out;
  }
  return value;
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevelName, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    const record: LogFields = { time: now().toISOString(), level, msg, ...bound };
    for (const [k, v] of Object.entries(fields ?? {})) record[k] = describe(v);
    write(maskSecrets(JSON.stringify(record), secrets));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (tests and benchmarks that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => {} , level: 'error' });
