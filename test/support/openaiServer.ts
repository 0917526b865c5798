// An OpenAI-compatible server of the tests' own: scripted answers, DeepSeek-style refusal of json_schema, errors, delays.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  /** The assistant message content (status 200). */
  content?: string;
  status?: number;
  /** Error message for non-200 answers. */
  error?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string };
  temperature?: number;
}

export interface OpenAiServer {
  baseUrl: string;
  requests: ChatRequest[];
  /** Answers used in order before falling back to the default. */
  queue(...replies: Reply[]): void;
  /** Forgets scripted replies not used yet. */
  clearQueue(): void;
  /** Answer 400 to json_schema like DeepSeek does. */
  refuseJsonSchema: boolean;
  /** Answer 400 to any response_format. */
  refuseResponseFormat: boolean;
  /** Delay of the default answer. */
  defaultDelayMs: number;
  close(): Promise<void>;
}

export const GOOD_DIGEST = {
  title: '测试文章的中文标题',
  tldr: '这是一句话的中文概括，说明文章的要点。',
  summary: '这是一段中文摘要，介绍了文章的主要内容、背景和影响，篇幅适中，只包含文章里出现的事实，不做额外的推测和评价。',
  tags: ['人工智能', 'OpenAI', '芯片'],
  insufficient: false,
};

/** Words no two of which share a character: digests made of different picks share few character pairs. */
const WORDS = ['海洋', '森林', '沙漠', '冰川', '草原', '火山', '峡谷', '湖泊', '瀑布', '岛屿', '港湾', '平原', '丘陵', '盆地', '溪流', '雪峰',
  '书籍', '乐器', '画笔', '剪刀', '钟表', '镜框', '灯笼', '风筝', '陶罐', '竹篮', '木桌', '铁锅', '瓷碗', '棉被', '丝巾', '皮鞋',
  '苹果', '葡萄', '香蕉', '橘子', '西瓜', '荔枝', '樱桃', '菠萝', '柠檬', '芒果', '石榴', '柿饼', '核桃', '栗仁', '莲藕', '豆芽'];

/**
 * The default digest in other words, chosen by `seed`: digests of different articles differ as real ones do (the same title and
 * tldr for every article would make them all one story).
 */
export function digestWords(seed: string): { title: string; tldr: string } {
  let x = 2166136261;
  for (const c of seed) x = Math.imul(x ^ c.codePointAt(0)!, 16777619) >>> 0;
  const pick = (n: number) =>
    Array.from({ length: n }, () => {
      x = Math.imul(x ^ (x >>> 15), 2246822519) >>> 0;
      return WORDS[x % WORDS.length]!;
    });
  return { title: `关于${pick(4).join('与')}的报道`, tldr: `文章介绍了${pick(6).join('、')}。` };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOpenAiServer(): Promise<OpenAiServer> {
  const scripted: Reply[] = [];
  const state = { refuseJsonSchema: false, refuseResponseFormat: false, defaultDelayMs: 0 };
  const requests: ChatRequest[] = [];
  const server = createServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)) || '{}') as ChatRequest;
    if (!req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    requests.push(body);
    const format = body.response_format?.type;
    if ((state.refuseJsonSchema && format === 'json_schema') || (state.refuseResponseFormat && format)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'This response_format type is unavailable now', type: 'invalid_request_error' } }));
      return;
    }
    const reply = scripted.shift() ?? { content: JSON.stringify(GOOD_DIGEST), delayMs: state.defaultDelayMs };
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json', ...(reply.headers ?? {}) }).end(JSON.stringify({ error: { message: reply.error ?? `error ${status}` } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', ...(reply.headers ?? {}) }).end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content ?? '' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
      }),
    );
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    queue: (...replies) => void scripted.push(...replies),
    clearQueue: () => void scripted.splice(0),
    get refuseJsonSchema() {
      return state.refuseJsonSchema;
    },
    set refuseJsonSchema(v: boolean) {
      state.refuseJsonSchema = v;
    },
    get refuseResponseFormat() {
      return state.refuseResponseFormat;
    },
    set refuseResponseFormat(v: boolean) {
      state.refuseResponseFormat = v;
    },
    get defaultDelayMs() {
      return state.defaultDelayMs;
    },
    set defaultDelayMs(v: number) {
      state.defaultDelayMs = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
