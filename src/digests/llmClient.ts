// The LLM behind digests: the openai SDK against any compatible API, structured output by the best mode the provider takes.
import type OpenAI from 'openai';
import { digestAnswerSchema, finishDigest, type DigestAnswer } from '../core/digest.js';
import { estimateTokens } from '../core/tokens.js';
import type { Logger } from '../log.js';
import type { Collection } from '../store/cache.js';
import { lazy } from '../lazy.js';

/** The openai SDK, loaded at the first request (its import is a quarter of a second of every start otherwise). */
const sdk = lazy<typeof import('openai')>('openai');
const zodHelpers = lazy<typeof import('openai/helpers/zod')>('openai/helpers/zod');

/** json_schema where the provider supports it, json_object where not (DeepSeek, Moonshot), plain prompting as a last resort. */
export type OutputMode = 'json_schema' | 'json_object' | 'prompt';
const MODES: OutputMode[] = ['json_schema', 'json_object', 'prompt'];

export type LlmErrorKind = 'timeout' | 'unreachable' | 'rate-limited' | 'server' | 'auth' | 'model' | 'invalid-output' | 'refused';

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LlmError';
  }
}

export type DigestReply =
  | { kind: 'digest'; digest: DigestAnswerDigest; tokens: number; revised?: boolean }
  | { kind: 'insufficient'; tokens: number };

export type DigestAnswerDigest = { title: string; tldr: string; summary: string; tags: string[] };

export interface LlmClient {
  readonly model: string;
  /**
   * A digest for these messages, asked again once when the answer is unusable; with `verify`, also asked again once when
   * `verify` has an objection to a usable answer (its words are the request), and the better answer returned (`revised`).
   */
  digest(messages: ChatMessage[], categories?: readonly string[], verify?: (digest: DigestAnswerDigest) => string | undefined): Promise<DigestReply>;
  /** One tiny request, for `check`. */
  ping(): Promise<void>;
}

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export interface LlmOptions {
  apiKey: string;
  baseUrl?: string | undefined;
  model: string;
  timeoutMs: number;
  maxRetries?: number;
  /** Where the provider's accepted output mode is remembered. */
  memory: Collection<unknown>;
  log: Logger;
}

/** The answer without its `<think>…</think>` blocks, nor anything before a `</think>` whose opening was cut off. */
function withoutThinking(content: string): string {
  const lower = content.toLowerCase();
  const kept: string[] = [];
  let pos = 0;
  // Each search resumes where the last found mark was: every character is scanned a bounded number of times.
  let open = -2;
  let close = -2;
  for (;;) {
    if (open !== -1 && open < pos) open = lower.indexOf('<think>', pos);
    if (close !== -1 && close < pos) close = lower.indexOf('</think>', pos);
    if (close >= 0 && (open < 0 || close < open)) {
      kept.length = 0; // a dangling end: what came before was thinking
      pos = close + '</think>'.length;
      continue;
    }
    if (open < 0) break;
    kept.push(content.slice(pos, open));
    if (close < 0) return kept.join('');
    pos = close + '</think>'.length;
  }
  kept.push(content.slice(pos));
  return kept.join('');
}

/** Pulls the JSON object out of an answer: `<think>` blocks and code fences removed, prose around it ignored. */
export function extractJson(content: string): unknown {
  // indexOf, not lazy regexes: an answer full of unclosed `<think>` or fences costs its length, not its square.
  const text = withoutThinking(content).trim();
  const open = text.indexOf('```');
  const close = open >= 0 ? text.indexOf('```', open + 3) : -1;
  const body = close > open ? text.slice(open + 3, close).replace(/^json\b/i, '').trim() : text;
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error(body ? 'no JSON object in the answer' : 'empty answer');
  return JSON.parse(body.slice(start, end + 1));
}

/** Reads an answer against the schema and the digest rules; says what is wrong. */
export function readAnswer(content: string, categories: readonly string[]): DigestReply | { problem: string } {
  let data: unknown;
  try {
    data = extractJson(content);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const parsed = digestAnswerSchema.safeParse({ insufficient: false, ...(data as object) });
  if (!parsed.success) return { problem: `the JSON does not fit the schema: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
  const answer: DigestAnswer = parsed.data;
  if (answer.insufficient) return { kind: 'insufficient', tokens: 0 };
  const checked = finishDigest(answer, categories);
  if (!checked.ok) return { problem: checked.problem };
  return { kind: 'digest', digest: checked.digest, tokens: 0 };
}

function refusesFormat(error: unknown): boolean {
  if (!(error instanceof sdk().APIError) || (error.status !== 400 && error.status !== 422)) return false;
  return /response_format|json_schema|json_object|schema|unavailable|not support/i.test(error.message);
}

function classify(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  const { APIConnectionError, APIConnectionTimeoutError, APIError } = sdk();
  if (error instanceof APIConnectionTimeoutError) return new LlmError('timeout', 'the LLM did not answer in time', undefined, { cause: error });
  if (error instanceof APIConnectionError) return new LlmError('unreachable', `cannot reach the LLM: ${error.message}`, undefined, { cause: error });
  if (error instanceof APIError) {
    const retryAfter = Number(error.headers?.get?.('retry-after'));
    const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
    const status = error.status ?? 0;
    const what = `LLM answered ${status}: ${error.message}`;
    if (status === 429) return new LlmError('rate-limited', what, retryAfterMs, { cause: error });
    if (status === 401 || status === 403) return new LlmError('auth', `${what} (check OPENAI_API_KEY)`, undefined, { cause: error });
    if (status === 404) return new LlmError('model', `${what} (check OPENAI_MODEL and OPENAI_BASE_URL)`, undefined, { cause: error });
    if (status >= 500) return new LlmError('server', what, retryAfterMs, { cause: error });
    return new LlmError('refused', what, undefined, { cause: error });
  }
  return new LlmError('unreachable', `LLM request failed: ${(error as Error)?.message ?? String(error)}`, undefined, { cause: error });
}

/** The conversation so far, the model's answer, and what to do about it. */
function askAgain(messages: ChatMessage[], answer: string, request: string): ChatMessage[] {
  return [...messages, ...(answer.trim() ? [{ role: 'assistant' as const, content: answer.slice(0, 4000) }] : []), { role: 'user', content: request }];
}

export function createLlmClient(options: LlmOptions): LlmClient {
  let made: OpenAI | undefined;
  const client = () =>
    (made ??= new (sdk().default)({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries ?? 3,
    }));
  const modeKey = `llm-mode:${options.baseUrl ?? 'openai'}:${options.model}`;
  let mode: OutputMode | undefined;
  /** Reasoning models (o-series and later) refuse any temperature but the default. */
  let sendTemperature = true;

  const currentMode = async (): Promise<OutputMode> => {
    if (mode) return mode;
    const remembered = await options.memory.get(modeKey).catch(() => undefined);
    mode = MODES.includes(remembered as OutputMode) ? (remembered as OutputMode) : 'json_schema';
    return mode;
  };

  const responseFormat = (m: OutputMode) =>
    m === 'json_schema' ? zodHelpers().zodResponseFormat(digestAnswerSchema, 'digest') : m === 'json_object' ? { type: 'json_object' as const } : undefined;

  /** One completion; steps down the output modes when the provider refuses one, and remembers where it landed. */
  async function complete(messages: ChatMessage[]): Promise<{ content: string; tokens: number }> {
    for (;;) {
      const m = await currentMode();
      try {
        const format = responseFormat(m);
        const res = await client().chat.completions.create({
          model: options.model,
          messages,
          ...(sendTemperature ? { temperature: 0.2 } : {}),
          ...(format ? { response_format: format } : {}),
        });
        const content = res.choices[0]?.message?.content ?? '';
        const tokens = res.usage?.total_tokens ?? estimateTokens(messages.map((x) => x.content).join('\n') + content);
        return { content, tokens };
      } catch (error) {
        if (sendTemperature && error instanceof sdk().APIError && error.status === 400 && /temperature/i.test(error.message)) {
          sendTemperature = false;
          continue;
        }
        const next = MODES[MODES.indexOf(m) + 1];
        if (next && refusesFormat(error)) {
          options.log.info('LLM refused an output mode, stepping down', { model: options.model, from: m, to: next });
          mode = next;
          await options.memory.set(modeKey, next).catch(() => {});
          continue;
        }
        throw classify(error);
      }
    }
  }

  return {
    model: options.model,
    async digest(messages, categories = [], verify) {
      let tokens = 0;
      const first = await complete(messages);
      tokens += first.tokens;
      let answer = first.content;
      let reply = readAnswer(first.content, categories);
      if ('problem' in reply) {
        options.log.warn('LLM answer unusable, asking once more', { model: options.model, problem: reply.problem });
        const second = await complete(askAgain(messages, first.content, `上面的输出不可用（${reply.problem}）。请重新输出：只输出一个符合格式的 JSON 对象，title、tldr、summary 和 tags 都用简体中文。`));
        tokens += second.tokens;
        answer = second.content;
        reply = readAnswer(second.content, categories);
        if ('problem' in reply) throw new LlmError('invalid-output', `the LLM gave no usable digest twice (${reply.problem})`);
      }
      if (reply.kind !== 'digest') return { ...reply, tokens };
      const objection = verify?.(reply.digest);
      if (!objection) return { ...reply, tokens };
      // Once: what the answer got wrong, named; an unusable revision leaves the first answer (the caller checks it again).
      const revision = await complete(askAgain(messages, answer, objection));
      tokens += revision.tokens;
      const revised = readAnswer(revision.content, categories);
      return { ...('problem' in revised ? reply : revised), tokens, revised: true };
    },
    async ping() {
      try {
        await client().chat.completions.create({ model: options.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
      } catch (error) {
        throw classify(error);
      }
    },
  };
}
