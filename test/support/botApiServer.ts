// A Bot API server of the tests' own on 127.0.0.1: long polling, Telegram's 4096 and HTML checks, its rate limits, and 429/403/migrate on demand.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  method: string;
  chatId: number;
  text: string;
  parseMode?: string;
  replyMarkup?: { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> };
  filename?: string;
  at: number;
  messageId?: number;
  /** Set when the message was later edited in place (its text is then the edited one). */
  edited?: boolean;
  /** Set when the user deleted it: Telegram refuses to edit it from then on. */
  deleted?: boolean;
  /** The forum topic it went to. */
  threadId?: number;
  /** The link preview asked for (link_preview_options). */
  preview?: { is_disabled?: boolean; url?: string; prefer_large_media?: boolean; show_above_text?: boolean };
}

export interface Failure {
  status: number;
  description: string;
  parameters?: Record<string, number>;
}

export interface BotApiOptions {
  /** Enforce Telegram's limits: 1 message per second per chat, 20 per minute per group, 30 per second overall. */
  enforceLimits?: boolean;
  /** Delay before answering each send (to catch messages in flight). */
  sendDelayMs?: number;
  /** Longest a getUpdates with nothing to hand is held (Telegram holds it for its `timeout`, up to 50 s; tests stop sooner with 1 s). */
  longPollMs?: number;
}

export const TEST_TOKEN = '123456789:TEST-token-abcdefghijklmnopqrstuvwxyz';

const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Telegram's HTML rules, as far as our renderer can break them: known tags, balanced, only its entities, no stray < or &. */
export function checkTelegramHtml(html: string): string | undefined {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z-]+)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*>|<|&(#\d+|#x[\da-fA-F]+|lt|gt|amp|quot);|&/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    if (m[0] === '<') return `can't parse entities: unexpected '<' at byte offset ${m.index}`;
    if (m[0] === '&') return `can't parse entities: unexpected '&' at byte offset ${m.index}`;
    if (m[0].startsWith('&')) continue;
    const [, closing, tag] = m;
    const name = tag!.toLowerCase();
    if (!ALLOWED_TAGS.has(name)) return `can't parse entities: unsupported start tag "${name}" at byte offset ${m.index}`;
    if (closing) {
      if (stack.pop() !== name) return `can't parse entities: can't find end tag corresponding to start tag "${name}"`;
    } else stack.push(name);
  }
  if (stack.length) return `can't parse entities: can't find end tag corresponding to start tag "${stack.at(-1)}"`;
  return undefined;
}

function visible(html: string): string {
  return html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&#\d+;/g, 'x');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseMultipart(body: Buffer, contentType: string): { fields: Record<string, string>; filename?: string; file?: Buffer } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2] ?? '';
  const out: { fields: Record<string, string>; filename?: string; file?: Buffer } = { fields: {} };
  const text = body.toString('latin1');
  for (const part of text.split(`--${b}`)) {
    const m = /name="([^"]+)"(?:; filename="([^"]*)")?[\s\S]*?\r\n\r\n([\s\S]*)\r\n$/.exec(part);
    if (!m) continue;
    if (m[2] !== undefined) {
      out.filename = m[2];
      out.file = Buffer.from(m[3]!, 'latin1');
    } else out.fields[m[1]!] = Buffer.from(m[3]!, 'latin1').toString('utf8');
  }
  return out;
}

export interface BotApiServer {
  /** Runs after a message is accepted and before Telegram's answer goes back (a fault at that point: the database cut). */
  afterAccept?: (message: SentMessage) => Promise<void> | void;
  apiRoot: string;
  port: number;
  sent: SentMessage[];
  calls: Array<{ method: string; body: Record<string, unknown> }>;
  stats: { rejected429: number; refusedHtml: number };
  files: Map<string, Buffer>;
  admins: Map<number, Set<number>>;
  /** Chats getChat knows, by id and by @username. */
  chats: Map<string, { id: number; type: string; title: string; username?: string }>;
  /** Chats where the bot itself is an administrator allowed to post. */
  botPosts: Set<number>;
  /** Adds a channel getChat knows (with its administrators); `botPosts`: the bot may post there. */
  channel(id: number, username: string, title: string, options: { admins: number[]; botPosts: boolean }): void;
  webhook: { url?: string; secret?: string };
  /**
   * Delivers every update from now on as Telegram does in webhook mode, POSTing it to these URLs in turn (a load balancer
   * spreading updates over replicas), with the secret header; `undefined` goes back to getUpdates.
   */
  deliver(urls: string[] | undefined, secret?: string): void;
  /** getUpdates calls answered 409 Conflict because another was in flight (Telegram allows one poller per bot). */
  conflicts: number;
  /** Queues a text message from a user; returns its update_id. */
  message(chatId: number, text: string, options?: { fromId?: number; lang?: string; chatType?: 'private' | 'group' | 'supergroup' | 'channel'; document?: { fileId: string; name: string }; replyToDocument?: { fileId: string; name: string }; entities?: Array<{ type: string; offset: number; length: number; url?: string }>; threadId?: number }): number;
  /** A forum topic is deleted: sends to it are refused as Telegram refuses them. */
  deleteTopic(chatId: number, threadId: number): void;
  /** The bot's own membership changed (kicked, left, member). */
  /** The bot's membership changes (`member`: it was just added). */
  membership(chatId: number, status: 'kicked' | 'left' | 'member'): number;
  callback(chatId: number, data: string, options?: { fromId?: number; chatType?: 'private' | 'group' | 'supergroup' | 'channel' }): number;
  /** The user deletes a message the bot sent. */
  deleteByUser(message: SentMessage): void;
  /** The raw update as a webhook would carry it. */
  makeUpdate(chatId: number, text: string): Record<string, unknown>;
  block(chatId: number): void;
  unblock(chatId: number): void;
  migrate(chatId: number, toChatId: number): void;
  failNext(chatId: number, failure: Failure): void;
  sentTo(chatId: number): SentMessage[];
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBotApiServer(options: BotApiOptions = {}): Promise<BotApiServer> {
  const updates: Array<Record<string, unknown>> = [];
  let nextUpdateId = 1;
  let nextMessageId = 1;
  const waiters: Array<() => void> = [];
  const blocked = new Set<number>();
  const migrated = new Map<number, number>();
  const failures = new Map<number, Failure[]>();
  const deadTopics = new Set<string>();
  const lastByChat = new Map<number, number>();
  const groupWindow = new Map<number, number[]>();
  let globalWindow: number[] = [];
  let delivery: { urls: string[]; secret: string | undefined; next: number } | undefined;
  let polling = 0;
  /** In webhook mode, queued updates go out at once, one POST each, to the next URL in turn. */
  const flush = () => {
    while (delivery && updates.length) {
      const update = updates.shift()!;
      const url = delivery.urls[delivery.next++ % delivery.urls.length]!;
      void fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(delivery.secret ? { 'x-telegram-bot-api-secret-token': delivery.secret } : {}) },
        body: JSON.stringify(update),
      }).catch(() => {});
    }
  };
  const api: BotApiServer = {
    apiRoot: '',
    port: 0,
    sent: [],
    calls: [],
    stats: { rejected429: 0, refusedHtml: 0 },
    files: new Map(),
    admins: new Map(),
    chats: new Map(),
    botPosts: new Set(),
    channel(id, username, title, o) {
      const chat = { id, type: 'channel', title, username };
      api.chats.set(String(id), chat);
      api.chats.set(`@${username}`.toLowerCase(), chat);
      api.admins.set(id, new Set(o.admins));
      if (o.botPosts) api.botPosts.add(id);
      else api.botPosts.delete(id);
    },
    webhook: {},
    conflicts: 0,
    deliver(urls, secret) {
      delivery = urls ? { urls, secret, next: 0 } : undefined;
      flush();
    },
    message(chatId, text, o = {}) {
      const update_id = nextUpdateId++;
      const entities = o.entities ?? (text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] : undefined);
      const chatType = o.chatType ?? (chatId > 0 ? 'private' : 'supergroup');
      const doc = o.document ? { document: { file_id: o.document.fileId, file_unique_id: o.document.fileId, file_name: o.document.name, file_size: api.files.get(o.document.fileId)?.length ?? 0 } } : {};
      const reply = o.replyToDocument
        ? { reply_to_message: { message_id: 1, date: 0, chat: { id: chatId, type: chatType }, document: { file_id: o.replyToDocument.fileId, file_unique_id: 'u', file_name: o.replyToDocument.name } } }
        : {};
      const message = {
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: chatType, ...(chatType === 'private' ? { first_name: 'Tester' } : { title: 'Test group' }) },
        from: { id: o.fromId ?? (chatId > 0 ? chatId : 42), is_bot: false, first_name: 'Tester', language_code: o.lang ?? 'zh-hans' },
        ...(o.document ? { caption: text, ...(entities ? { caption_entities: entities } : {}) } : { text, ...(entities ? { entities } : {}) }),
        ...doc,
        ...reply,
        ...(o.threadId ? { message_thread_id: o.threadId, is_topic_message: true } : {}),
      };
      if (chatType === 'channel') {
        const { from: _from, ...post } = message;
        updates.push({ update_id, channel_post: { ...post, sender_chat: message.chat } });
      } else updates.push({ update_id, message });
      for (const w of waiters.splice(0)) w();
      flush();
      return update_id;
    },
    membership(chatId, status) {
      const update_id = nextUpdateId++;
      const bot = { id: 123456789, is_bot: true, first_name: 'Digest', username: 'digest_test_bot' };
      updates.push({
        update_id,
        my_chat_member: {
          chat: { id: chatId, type: chatId > 0 ? 'private' : 'supergroup', ...(chatId > 0 ? { first_name: 'T' } : { title: 'G' }) },
          from: { id: 42, is_bot: false, first_name: 'Admin' },
          date: Math.floor(Date.now() / 1000),
          old_chat_member: { status: status === 'member' ? 'left' : 'member', user: bot },
          new_chat_member: { status, user: bot, ...(status === 'kicked' ? { until_date: 0 } : {}) },
        },
      });
      for (const w of waiters.splice(0)) w();
      flush();
      return update_id;
    },
    deleteByUser(message) {
      message.deleted = true;
    },
    callback(chatId, data, o = {}) {
      const update_id = nextUpdateId++;
      const chatType = o.chatType ?? (chatId > 0 ? 'private' : 'supergroup');
      updates.push({
        update_id,
        callback_query: {
          id: String(update_id),
          from: { id: o.fromId ?? (chatId > 0 ? chatId : 42), is_bot: false, first_name: 'Tester', language_code: 'zh' },
          chat_instance: 'ci',
          data,
          message: { message_id: nextMessageId++, date: 0, chat: { id: chatId, type: chatType }, text: 'buttons' },
        },
      });
      for (const w of waiters.splice(0)) w();
      flush();
      return update_id;
    },
    makeUpdate(chatId, text) {
      const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
      return {
        update_id: nextUpdateId++,
        message: { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: 'T' }, from: { id: chatId, is_bot: false, first_name: 'T' }, text, ...(entities ? { entities } : {}) },
      };
    },
    deleteTopic: (chatId, threadId) => void deadTopics.add(`${chatId}:${threadId}`),
    block: (chatId) => void blocked.add(chatId),
    unblock: (chatId) => void blocked.delete(chatId),
    migrate: (chatId, to) => void migrated.set(chatId, to),
    failNext(chatId, failure) {
      const list = failures.get(chatId) ?? [];
      list.push(failure);
      failures.set(chatId, list);
    },
    sentTo: (chatId) => api.sent.filter((m) => m.chatId === chatId),
    async waitFor(predicate, timeoutMs = 10_000, what = 'condition') {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; sent so far: ${JSON.stringify(api.sent.map((m) => [m.chatId, m.text.slice(0, 60)]))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: async () => {},
  };

  const ok = (res: ServerResponse, result: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
  const fail = (res: ServerResponse, f: Failure) =>
    res.writeHead(f.status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: f.status, description: f.description, ...(f.parameters ? { parameters: f.parameters } : {}) }));

  /** Telegram's limits; answers with the 429 it would give, or undefined. */
  const limit = (chatId: number, now: number): Failure | undefined => {
    if (!options.enforceLimits) return undefined;
    globalWindow = globalWindow.filter((t) => t > now - 1000);
    if (globalWindow.length >= 30) return { status: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } };
    const last = lastByChat.get(chatId);
    if (last !== undefined && now - last < 950) return { status: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } };
    if (chatId < 0) {
      const w = (groupWindow.get(chatId) ?? []).filter((t) => t > now - 60_000);
      groupWindow.set(chatId, w);
      if (w.length >= 20) {
        const wait = Math.ceil((w[0]! + 60_000 - now) / 1000);
        return { status: 429, description: `Too Many Requests: retry after ${wait}`, parameters: { retry_after: wait } };
      }
    }
    return undefined;
  };

  const server = createServer(async (req, res) => {
    const url = req.url ?? '';
    const file = /^\/file\/bot[^/]+\/(.+)$/.exec(url);
    if (file) {
      const content = api.files.get(decodeURIComponent(file[1]!));
      if (!content) return res.writeHead(404).end();
      return res.writeHead(200).end(content);
    }
    const m = /^\/bot([^/]+)\/(\w+)/.exec(url);
    if (!m) return res.writeHead(404).end();
    if (m[1] !== TEST_TOKEN) return fail(res, { status: 401, description: 'Unauthorized' });
    const method = m[2]!;
    const raw = await readBody(req);
    const type = req.headers['content-type'] ?? '';
    let body: Record<string, unknown> = {};
    let filename: string | undefined;
    if (type.startsWith('multipart/')) {
      const mp = parseMultipart(raw, type);
      body = { ...mp.fields };
      filename = mp.filename;
      if (mp.file) body.__file = mp.file.toString('utf8');
    } else if (raw.length) body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    api.calls.push({ method, body });

    switch (method) {
      case 'getMe':
        return ok(res, { id: 123456789, is_bot: true, first_name: 'Digest', username: 'digest_test_bot' });
      case 'deleteWebhook':
      case 'setMyCommands':
      case 'answerCallbackQuery':
        return ok(res, true);
      case 'setWebhook':
        api.webhook = { url: body.url as string, secret: body.secret_token as string | undefined };
        return ok(res, true);
      case 'getChat': {
        const chat = api.chats.get(String(body.chat_id).toLowerCase());
        return chat ? ok(res, chat) : fail(res, { status: 400, description: 'Bad Request: chat not found' });
      }
      case 'getChatMember': {
        if (Number(body.user_id) === 123456789) {
          return ok(res, api.botPosts.has(Number(body.chat_id)) ? { status: 'administrator', can_post_messages: true, user: { id: 123456789, is_bot: true, first_name: 'Digest' } } : { status: 'left', user: { id: 123456789, is_bot: true, first_name: 'Digest' } });
        }
        const isAdmin = api.admins.get(Number(body.chat_id))?.has(Number(body.user_id));
        return ok(res, { status: isAdmin ? 'administrator' : 'member', user: { id: Number(body.user_id), is_bot: false, first_name: 'U' } });
      }
      case 'getFile':
        return ok(res, { file_id: body.file_id, file_unique_id: body.file_id, file_path: body.file_id });
      case 'getUpdates': {
        if (polling > 0) {
          api.conflicts++;
          return fail(res, { status: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
        }
        polling++;
        res.once('close', () => polling--);
        const offset = Number(body.offset ?? 0);
        while (updates.length && (updates[0]!.update_id as number) < offset) updates.shift();
        if (updates.length === 0 && Number(body.timeout ?? 0) > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.min(Number(body.timeout) * 1000, options.longPollMs ?? 1000));
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        if (res.destroyed) return;
        return ok(res, updates.slice(0, Number(body.limit ?? 100)));
      }
      case 'sendMessage':
      case 'sendDocument': {
        if (options.sendDelayMs) await new Promise((r) => setTimeout(r, options.sendDelayMs));
        const chatId = Number(body.chat_id);
        const now = Date.now();
        const scripted = failures.get(chatId)?.shift();
        if (scripted) return fail(res, scripted);
        if (blocked.has(chatId)) return fail(res, { status: 403, description: 'Forbidden: bot was blocked by the user' });
        if (body.message_thread_id !== undefined && deadTopics.has(`${chatId}:${Number(body.message_thread_id)}`)) return fail(res, { status: 400, description: 'Bad Request: message thread not found' });
        const to = migrated.get(chatId);
        if (to) return fail(res, { status: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: to } });
        const text = String(method === 'sendDocument' ? (body.caption ?? '') : (body.text ?? ''));
        const parseMode = body.parse_mode as string | undefined;
        if (parseMode === 'HTML') {
          const problem = checkTelegramHtml(text);
          if (problem) {
            api.stats.refusedHtml++;
            return fail(res, { status: 400, description: `Bad Request: ${problem}` });
          }
        }
        const length = (parseMode === 'HTML' ? visible(text) : text).length;
        if (method === 'sendMessage' && (length === 0 || length > 4096)) return fail(res, { status: 400, description: length ? 'Bad Request: message is too long' : 'Bad Request: message text is empty' });
        const limited = limit(chatId, now);
        if (limited) {
          api.stats.rejected429++;
          return fail(res, limited);
        }
        globalWindow.push(now);
        lastByChat.set(chatId, now);
        if (chatId < 0) groupWindow.get(chatId)?.push(now) ?? groupWindow.set(chatId, [now]);
        const replyMarkup = typeof body.reply_markup === 'string' ? JSON.parse(body.reply_markup) : body.reply_markup;
        const messageId = nextMessageId++;
        api.sent.push({
          method,
          chatId,
          text: method === 'sendDocument' ? String(body.__file ?? '') : text,
          ...(parseMode ? { parseMode } : {}),
          ...(replyMarkup ? { replyMarkup } : {}),
          ...(filename ? { filename } : {}),
          ...(body.message_thread_id !== undefined ? { threadId: Number(body.message_thread_id) } : {}),
          ...(body.link_preview_options ? { preview: (typeof body.link_preview_options === 'string' ? JSON.parse(body.link_preview_options) : body.link_preview_options) as SentMessage['preview'] } : {}),
          at: now,
          messageId,
        });
        await api.afterAccept?.(api.sent[api.sent.length - 1]!);
        return ok(res, { message_id: messageId, date: Math.floor(now / 1000), chat: { id: chatId, type: chatId > 0 ? 'private' : 'supergroup' }, text });
      }
      case 'editMessageText': {
        const chatId = Number(body.chat_id);
        const text = String(body.text ?? '');
        if (body.parse_mode === 'HTML') {
          const problem = checkTelegramHtml(text);
          if (problem) {
            api.stats.refusedHtml++;
            return fail(res, { status: 400, description: `Bad Request: ${problem}` });
          }
        }
        const target = api.sent.find((m) => m.chatId === chatId && m.messageId === Number(body.message_id));
        if (!target) return ok(res, true); // a message the fake did not send (a button's own message): accepted as Telegram would
        if (target.deleted) return fail(res, { status: 400, description: 'Bad Request: message to edit not found' });
        if (target.text === text) return fail(res, { status: 400, description: 'Bad Request: message is not modified' });
        target.text = text;
        target.edited = true;
        if (body.parse_mode) target.parseMode = String(body.parse_mode);
        return ok(res, { message_id: target.messageId, chat: { id: chatId }, text });
      }
      default:
        return ok(res, true);
    }
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.port = (server.address() as AddressInfo).port;
  api.apiRoot = `http://127.0.0.1:${api.port}`;
  api.close = () =>
    new Promise<void>((resolve) => {
      for (const w of waiters.splice(0)) w();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return api;
}
