// What every command handler gets: the services, the chat's settings and language, replies through the outbox, the admin rule.
import type { Context } from 'telegraf';
import type { Config } from '../config.js';
import type { ChatSettings } from '../core/model.js';
import type { DailyDigest } from '../delivery/dailyDigest.js';
import { htmlMessage, type Sender } from '../delivery/sender.js';
import type { Summarizer } from '../digests/summarize.js';
import type { SafeFetch } from '../feeds/safeFetch.js';
import type { Logger } from '../log.js';
import type { Figures } from '../ops/figures.js';
import type { Subscriber } from '../polling/subscribe.js';
import type { Store } from '../store/store.js';
import { urlsInText } from '../core/urlsInText.js';
import { aboutChat } from './feedOptionTexts.js';
import { TEXTS, type Lang } from './i18n.js';
import { replierFor, type Requests } from './requests.js';

export interface BotServices {
  config: Config;
  store: Store;
  sender: Sender;
  summarizer: Summarizer;
  /** The safe fetch (a /summary of a feed's address is told apart from a page). */
  fetch: SafeFetch;
  daily: DailyDigest;
  subscriber: Subscriber;
  requests: Requests;
  log: Logger;
  now: () => number;
  /** The operator's figures (/stats for ADMIN_IDS). */
  figures(): Promise<Figures>;
}

/** A channel (or group) managed from a private chat: its commands' answers come here, nothing but digests goes there. */
export interface RemoteChat {
  id: number;
  title: string;
  /** How the user named it in the command (`@channel` or its id), taken out of the command's arguments. */
  ref: string;
}

export interface BotContext extends Context {
  /** The settings of the chat the command acts on (a managed channel's, when `remote`). */
  chatSettings: ChatSettings;
  /** The chat the command acts on: this chat, or the channel named before the arguments in a private chat. */
  targetId: number;
  remote?: RemoteChat;
  /** Buttons of an answer about a managed channel carry its id (`…@-100…`), so a press acts on it again. */
  markup<T>(replyMarkup: T): T;
  lang: Lang;
  t: (typeof TEXTS)[Lang];
  /** Replies through the outbox; ids derive from the update, so a redelivered update cannot reply twice. */
  say(html: string, extra?: { replyMarkup?: unknown; reply?: boolean }): Promise<void>;
  /** A progress note ("checking…"): said in private chats and groups, never posted in a channel (results only there). */
  progress(html: string, extra?: { reply?: boolean }): Promise<void>;
  /** The forum topic the update came from (a message in a topic, or a button under one); undefined elsewhere. */
  threadId: number | undefined;
  /** The outbox id of this update's progress note: the answer that follows takes its place. */
  progressId: string;
  /** True when this sender may change subscriptions and settings of this chat. */
  mayChange(): Promise<boolean>;
  /** `mayChange`, and when not: an alert to the presser of a button, or a short reply to a command — never a group message for a press. */
  requireAdmin(refusal?: string): Promise<boolean>;
}

/** The text after a command, without the managed channel named first (`/sub @channel url` → `url`). */
export function payloadOf(ctx: Context): string {
  const payload = ((ctx as Context & { payload?: string }).payload ?? '').trim();
  const remote = (ctx as Partial<BotContext>).remote;
  return remote && payload.startsWith(remote.ref) ? payload.slice(remote.ref.length).trim() : payload;
}

/** The words after a command, split on any whitespace (telegraf's own parser treats quotes and backslashes specially, which URLs contain). */
export function argsOf(ctx: Context): string[] {
  return payloadOf(ctx).split(/\s+/).filter(Boolean);
}

/**
 * The links after a command as people type them (Chinese punctuation, brackets and quotes around or between them, no scheme);
 * when none is found, the words themselves (so a bad one is named in the answer).
 */
export function linkArgsOf(ctx: Context): string[] {
  const payload = payloadOf(ctx);
  const links = urlsInText(payload, { bare: true });
  return links.length > 0 ? links : argsOf(ctx);
}

/** Every link a message carries: in its text or caption, and behind words (`text_link` entities, as forwarded channel posts have). */
export function linksInMessage(message: { text?: string; caption?: string; entities?: Array<{ type: string; url?: string }>; caption_entities?: Array<{ type: string; url?: string }> }): string[] {
  const links = urlsInText(message.text ?? message.caption ?? '', { bare: true });
  for (const e of [...(message.entities ?? []), ...(message.caption_entities ?? [])]) if (e.type === 'text_link' && e.url && !links.includes(e.url)) links.push(e.url);
  return links;
}

/** The forum topic of a message or of the message under a pressed button (Telegram marks topic messages with is_topic_message). */
function topicOf(ctx: Context): number | undefined {
  const m = (ctx.message ?? ctx.callbackQuery?.message) as { message_thread_id?: number; is_topic_message?: boolean } | undefined;
  return m?.is_topic_message && m.message_thread_id ? m.message_thread_id : undefined;
}

/** Every button's data with `@<chat id>` after it. */
function withTarget<T>(replyMarkup: T, chatId: number): T {
  const m = replyMarkup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> };
  if (!m?.inline_keyboard) return replyMarkup;
  return { ...m, inline_keyboard: m.inline_keyboard.map((row) => row.map((b) => (b.callback_data ? { ...b, callback_data: `${b.callback_data}@${chatId}` } : b))) } as T;
}

export function installContext(services: BotServices) {
  const adminCache = new Map<string, { ok: boolean; until: number }>();
  return (ctx: BotContext) => {
    const chatId = ctx.chat!.id;
    const messageId = ctx.message?.message_id;
    // Replies are a Replier's like a job's, under ids from the update: a redelivered update cannot reply twice.
    ctx.threadId = topicOf(ctx);
    ctx.targetId = chatId;
    ctx.markup = (replyMarkup) => (ctx.remote ? withTarget(replyMarkup, ctx.remote.id) : replyMarkup);
    const inTopic = ctx.threadId ? { threadId: ctx.threadId } : {};
    const say = replierFor(services.sender, chatId, ctx.lang, `r:${chatId}:${ctx.update.update_id}`, { ...inTopic, ...(messageId ? { replyTo: messageId } : {}) }).say;
    // An answer about a managed channel names it first, and its buttons carry its id.
    ctx.say = (html, extra = {}) =>
      say(ctx.remote ? aboutChat(ctx.lang, ctx.remote.title, html) : html, extra.replyMarkup ? { ...extra, replyMarkup: ctx.markup(extra.replyMarkup) } : extra);
    ctx.progressId = `r:${chatId}:${ctx.update.update_id}:progress`;
    ctx.progress = async (html, extra = {}) => {
      if (ctx.chat!.type === 'channel') return;
      const about = ctx.remote ? aboutChat(ctx.lang, ctx.remote.title, html) : html;
      await services.sender.enqueue(htmlMessage(ctx.progressId, chatId, about, { priority: 0, ...inTopic, ...(extra.reply && messageId ? { replyTo: messageId } : {}) }));
    };
    ctx.mayChange = async () => {
      const chat = ctx.chat!;
      if (ctx.remote) return true; // checked with Telegram as the command came in (remoteChat.ts)
      if (chat.type === 'private') return true;
      // Posted in the channel itself (only its administrators can post), or by an anonymous group administrator.
      const senderChat = (ctx.message as { sender_chat?: { id: number } } | undefined)?.sender_chat;
      if (ctx.message && senderChat?.id === chat.id) return true;
      const from = ctx.callbackQuery?.from ?? (ctx.message as { from?: { id: number } } | undefined)?.from;
      if (!from) return false;
      if (services.config.adminIds.includes(from.id)) return true;
      const key = `${chat.id}:${from.id}`;
      const cached = adminCache.get(key);
      if (cached && cached.until > services.now()) return cached.ok;
      const member = await ctx.telegram.getChatMember(chat.id, from.id);
      const ok = member.status === 'creator' || member.status === 'administrator';
      adminCache.set(key, { ok, until: services.now() + 60_000 });
      return ok;
    };
    ctx.requireAdmin = async (refusal = ctx.t.adminOnly) => {
      if (await ctx.mayChange().catch(() => false)) return true;
      if (ctx.callbackQuery) await ctx.answerCbQuery(refusal, { show_alert: true }).catch(() => {});
      else await ctx.say(refusal);
      return false;
    };
  };
}
