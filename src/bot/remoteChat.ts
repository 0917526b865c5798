// Channels run from a private chat: `/sub @channel url` and the like act on the channel for its administrators, answering here; /channels lists them.
import type { Telegraf } from 'telegraf';
import { newChat, type ChatSettings } from '../core/model.js';
import { escapeHtml, visibleText } from '../core/telegramHtml.js';
import type { BotContext, BotServices, RemoteChat } from './context.js';
import { FEED_OPTION_TEXTS } from './feedOptionTexts.js';

/** Commands that may name a channel before their arguments (INTERFACE.md). */
const REMOTE_COMMANDS = new Set(['sub', 'subscribe', 'unsub', 'unsubscribe', 'list', 'set', 'filter', 'settings', 'mode', 'time', 'tz', 'digest', 'export', 'import', 'tags', 'lang']);
/** `/command[@bot] @channel …` or `/command -100… …`. */
const NAMED = /^\/([A-Za-z_]+)(?:@\w+)?\s+(@[A-Za-z][A-Za-z0-9_]{3,}|-100\d{5,})(?=\s|$)/;
/** A button under an answer about a channel: its data ends with `@<chat id>`. */
const BUTTON = /^(.*)@(-\d+)$/s;
/** Channels /channels checks with Telegram at most. */
const MAX_CHANNELS = 20;

interface TelegramChat {
  id: number;
  type: string;
  title?: string;
  username?: string;
}

interface Member {
  status: string;
  can_post_messages?: boolean;
  can_send_messages?: boolean;
}

const isAdmin = (m: Member | undefined) => m?.status === 'creator' || m?.status === 'administrator';

/** The bot may post there: in a channel as an administrator allowed to post, in a group as a member not muted. */
function botMayPost(chat: TelegramChat, me: Member | undefined): boolean {
  if (!me) return false;
  if (chat.type === 'channel') return me.status === 'administrator' && me.can_post_messages !== false;
  if (me.status === 'restricted') return me.can_send_messages !== false;
  return me.status === 'member' || me.status === 'administrator' || me.status === 'creator';
}

const nameOf = (chat: TelegramChat) => chat.title ?? (chat.username ? `@${chat.username}` : String(chat.id));

export type RemoteCheck = { ok: true; chat: TelegramChat } | { ok: false; why: 'not-found' | 'not-admin' | 'cannot-post'; title: string };

/** Asks Telegram, each time: does the chat exist, is this user its administrator, may the bot post there. */
export async function checkRemote(ctx: BotContext, ref: string | number, userId: number): Promise<RemoteCheck> {
  const chat = (await ctx.telegram.getChat(ref).catch(() => undefined)) as TelegramChat | undefined;
  if (!chat || chat.type === 'private') return { ok: false, why: 'not-found', title: String(ref) };
  const member = (await ctx.telegram.getChatMember(chat.id, userId).catch(() => undefined)) as Member | undefined;
  if (!isAdmin(member)) return { ok: false, why: 'not-admin', title: nameOf(chat) };
  const me = (await ctx.telegram.getChatMember(chat.id, ctx.botInfo.id).catch(() => undefined)) as Member | undefined;
  if (!botMayPost(chat, me)) return { ok: false, why: 'cannot-post', title: nameOf(chat) };
  return { ok: true, chat };
}

export function mountRemoteChats(bot: Telegraf<BotContext>, services: BotServices): void {
  /** Makes the channel the chat the update acts on; false (said why) when it may not. */
  const enter = async (ctx: BotContext, ref: string | number): Promise<boolean> => {
    const t = FEED_OPTION_TEXTS[ctx.lang];
    const userId = ctx.from!.id;
    const check = await checkRemote(ctx, ref, userId);
    if (!check.ok) {
      const title = escapeHtml(check.title);
      const why = check.why === 'not-found' ? t.remoteNotFound(title) : check.why === 'not-admin' ? t.remoteNotAdmin(title) : t.remoteBotCannotPost(title);
      if (ctx.callbackQuery) await ctx.answerCbQuery(visibleText(why), { show_alert: true }).catch(() => {});
      else await ctx.say(why);
      return false;
    }
    const chat = check.chat;
    const now = services.now();
    const fresh = newChat(chat.id, chat.type as ChatSettings['type'], { digestTime: services.config.digest.time, timezone: services.config.digest.timezone, lang: ctx.lang }, now);
    if (chat.title) fresh.title = chat.title;
    ctx.chatSettings = await services.store.chats.ensure(fresh);
    await services.store.managers.record(chat.id, userId, now);
    const remote: RemoteChat = { id: chat.id, title: nameOf(chat), ref: String(ref) };
    ctx.remote = remote;
    ctx.targetId = chat.id;
    return true;
  };

  bot.use(async (ctx, next) => {
    if (!ctx.from) return next();
    const query = ctx.callbackQuery as { data?: string } | undefined;
    if (query?.data) {
      const m = BUTTON.exec(query.data);
      if (!m) return next();
      if (ctx.chat?.type !== 'private' || !(await enter(ctx, Number(m[2])))) return;
      query.data = m[1]; // the handlers see the button as they made it
      return next();
    }
    const message = ctx.message as { text?: string; caption?: string } | undefined;
    const m = NAMED.exec(message?.text ?? message?.caption ?? '');
    if (!m || !REMOTE_COMMANDS.has(m[1]!.toLowerCase())) return next();
    if (ctx.chat?.type !== 'private') return next(); // only a private chat manages another chat
    if (!(await enter(ctx, m[2]!.startsWith('@') ? m[2]! : Number(m[2])))) return;
    return next();
  });

  bot.command('channels', async (ctx) => {
    const t = FEED_OPTION_TEXTS[ctx.lang];
    if (ctx.chat.type !== 'private') return ctx.say(t.remotePrivateOnly);
    const lines: string[] = [];
    for (const chatId of await services.store.managers.ofUser(ctx.from.id, MAX_CHANNELS)) {
      const check = await checkRemote(ctx, chatId, ctx.from.id);
      if (!check.ok) {
        if (check.why !== 'not-found') await services.store.managers.forget(chatId, ctx.from.id);
        continue;
      }
      const ref = check.chat.username ? `@${check.chat.username}` : String(check.chat.id);
      const feeds = await services.store.subscriptions.countOfChat(check.chat.id);
      lines.push(t.channelLine(escapeHtml(nameOf(check.chat)), escapeHtml(ref), feeds));
    }
    await ctx.say(lines.length ? [t.channelsHeader, ...lines].join('\n') : t.channelsNone);
  });
}
