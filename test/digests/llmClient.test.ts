// The LLM client against an OpenAI-compatible server over HTTP: output modes, messy answers, errors and retries.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient, LlmError, type ChatMessage, type LlmClient } from '../../src/digests/llmClient.js';
import { silentLogger } from '../../src/log.js';
import { memoryCollection } from '../support/memoryCollection.js';
import { GOOD_DIGEST, startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';

let server: OpenAiServer;
let memory: ReturnType<typeof memoryCollection<unknown>>;
const messages: ChatMessage[] = [
  { role: 'system', content: 'instructions JSON' },
  { role: 'user', content: '<article>text</article>' },
];

const client = (over: Partial<Parameters<typeof createLlmClient>[0]> = {}): LlmClient =>
  createLlmClient({ apiKey: 'sk-test-secret', baseUrl: server.baseUrl, model: 'test-model', timeoutMs: 5000, maxRetries: 2, memory, log: silentLogger, ...over });

beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.refuseJsonSchema = false;
  server.refuseResponseFormat = false;
  memory = memoryCollection();
});

const json = (o: object) => JSON.stringify(o);

describe('structured output', () => {
  it('asks for a JSON schema first and takes a good answer as is', async () => {
    const reply = await client().digest(messages);
    expect(reply).toMatchObject({ kind: 'digest', digest: { title: GOOD_DIGEST.title, tags: GOOD_DIGEST.tags } });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.response_format?.type).toBe('json_schema');
  });

  it('steps down to JSON mode when the provider refuses json_schema (DeepSeek), and remembers it', async () => {
    server.refuseJsonSchema = true;
    const first = await client().digest(messages);
    expect(first.kind).toBe('digest');
    expect(server.requests.map((r) => r.response_format?.type)).toEqual(['json_schema', 'json_object']);
    server.requests.length = 0;
    await client().digest(messages); // a new client, e.g. after a restart
    expect(server.requests.map((r) => r.response_format?.type)).toEqual(['json_object']);
  });

  it('falls back to plain prompting when no response_format is accepted', async () => {
    server.refuseResponseFormat = true;
    expect((await client().digest(messages)).kind).toBe('digest');
    expect(server.requests.map((r) => r.response_format?.type)).toEqual(['json_schema', 'json_object', undefined]);
  });

  it.each([
    ['fenced JSON', '```json\n' + json(GOOD_DIGEST) + '\n```'],
    ['a <think> preamble', '<think>让我想想这篇文章讲了什么……{"a":1}</think>\n' + json(GOOD_DIGEST)],
    ['prose around the object', '好的，以下是结果：\n' + json(GOOD_DIGEST) + '\n希望有帮助。'],
  ])('reads %s', async (_name, content) => {
    server.queue({ content });
    expect(await client().digest(messages)).toMatchObject({ kind: 'digest', digest: { tldr: GOOD_DIGEST.tldr } });
    expect(server.requests).toHaveLength(1);
  });

  it('enforces the rules in code: Simplified Chinese, one sentence, safe tags', async () => {
    server.queue({
      content: json({
        title: '人工智慧的軟體',
        tldr: '第一句話很重要。第二句不該出現。',
        summary: '這篇文章介紹了人工智慧軟體在網路上的應用，內容詳實。\n\n第二段也應該併入同一段。',
        tags: ['#人工智慧', ' OpenAI ', 'openai', 'Machine Learning', 'C++', '2024', 'a/b', '軟體', '多餘的'],
        insufficient: false,
      }),
    });
    const reply = await client().digest(messages);
    if (reply.kind !== 'digest') throw new Error('expected a digest');
    expect(reply.digest.title).toBe('人工智能的软件');
    expect(reply.digest.tldr).toBe('第一句话很重要。');
    expect(reply.digest.summary).not.toContain('\n');
    expect(reply.digest.summary).toContain('网络');
    expect(reply.digest.tags).toEqual(['人工智能', 'OpenAI', 'Machine_Learning', 'C', 'a_b']);
  });

  it('drops the temperature for models that refuse one (reasoning models)', async () => {
    server.queue({ status: 400, error: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported." });
    expect((await client().digest(messages)).kind).toBe('digest');
    expect(server.requests.map((r) => r.temperature)).toEqual([0.2, undefined]);
  });

  it('passes on the model’s flag for text too thin to digest', async () => {
    server.queue({ content: json({ title: '', tldr: '', summary: '', tags: [], insufficient: true }) });
    expect((await client().digest(messages)).kind).toBe('insufficient');
  });
});

describe('repair and failure', () => {
  it('asks once more after an empty answer, telling the model what was wrong', async () => {
    server.queue({ content: '   ' });
    expect((await client().digest(messages)).kind).toBe('digest');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.messages.at(-1)!.content).toMatch(/empty answer/);
  });

  it('asks once more after an English-only answer', async () => {
    server.queue({ content: json({ title: 'A title', tldr: 'One sentence.', summary: 'An English summary of the article.', tags: ['ai', 'chips', 'news'], insufficient: false }) });
    expect((await client().digest(messages)).kind).toBe('digest');
    expect(server.requests[1]!.messages.at(-1)!.content).toMatch(/not in Chinese/);
  });

  it('gives up with invalid-output after two unusable answers', async () => {
    server.queue({ content: '{"title": "broken' }, { content: 'still not json' });
    const error = await client().digest(messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).kind).toBe('invalid-output');
    expect(server.requests).toHaveLength(2);
  });

  it('waits out a 429 with retry-after and then succeeds', async () => {
    server.queue({ status: 429, error: 'rate limited', headers: { 'retry-after': '1' } });
    expect((await client().digest(messages)).kind).toBe('digest');
    expect(server.requests).toHaveLength(2);
  });

  it('reports a 429 that does not end as rate-limited, with its retry-after', async () => {
    server.queue({ status: 429, error: 'slow down', headers: { 'retry-after': '1' } });
    const error = (await client({ maxRetries: 0 }).digest(messages).catch((e: unknown) => e)) as LlmError;
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(1000);
  });

  it('retries a 500 and reports a server error when it persists', async () => {
    server.queue({ status: 500, error: 'boom' }, { status: 500, error: 'boom' });
    const error = (await client({ maxRetries: 1 }).digest(messages).catch((e: unknown) => e)) as LlmError;
    expect(error.kind).toBe('server');
    expect(server.requests).toHaveLength(2);
  });

  it('times out a model that never answers', async () => {
    server.queue({ delayMs: 3000, content: json(GOOD_DIGEST) });
    const error = (await client({ timeoutMs: 300, maxRetries: 0 }).digest(messages).catch((e: unknown) => e)) as LlmError;
    expect(error.kind).toBe('timeout');
  });

  it('says to check the key on 401, without the key in the message', async () => {
    server.queue({ status: 401, error: 'Incorrect API key provided' });
    const error = (await client({ maxRetries: 0 }).digest(messages).catch((e: unknown) => e)) as LlmError;
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/OPENAI_API_KEY/);
    expect(error.message).not.toContain('sk-test-secret');
  });
});
