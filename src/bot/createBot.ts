// The telegraf bot: an error boundary for every update, the chat's settings on every context, one module per command group.
import { Telegraf } from 'telegraf';
import { keepAlive } from './telegramClient.js';
import { newChat, type ChatSettings } from '../core/model.js';
import { deactivateChat } from '../delivery/chatLifecycle.js';
import { escapeHtml } from '../core/telegramHtml.js';
import { mountFallbacks } from './commands/fallbacks.js';
import { mountFeedOptionCommands } from './commands/feedOptions.js';
import { mountOpmlCommands } from './commands/opml.js';
import { mountSettingsCommands } from './commands/settings.js';
import { mountStatsCommand } from './commands/stats.js';
import { mountSubscriptionCommands } from './commands/subscriptions.js';
import { mountSummaryCommands } from './commands/summary.js';
import { installContext, type BotContext, type BotServices } from './context.js';
import { mountRemoteChats } from './remoteChat.js';
import { COMMANDS, langOf, TEXTS } from './i18n.js';

export function createBot(token: string, services: BotServices): Telegraf<BotContext> {
  const bot = new Telegraf<BotContext>(token, {
    telegram: { apiRoot: services.config.telegram.apiRoot, webhookReply: false },
    handlerTimeout: 30_000,
  });
  keepAlive(bot.telegram);
  const withHelpers = installContext(services);

  // In a channel the bot's commands arrive as channel posts (only its administrators can post there):
  // handle them as messages, so every command works in channels too.
  const handleUpdate = bot.handleUpdate.bind(bot);
  bot.handleUpdate = (update, response) => {
    const post = (update as { channel_post?: unknown }).channel_post;
    return handleUpdate(post ? ({ update_id: update.update_id, message: post } as typeof update) : update, response);
  };

  bot.catch((error, ctx) => {
    services.log.error('update failed', { updateId: ctx.update.update_id, chatId: ctx.chat?.id, error });
  });

  // The chat's settings, created on first contact; a chat that speaks again is active again.
  bot.use(async (ctx, next) => {
    const chat = ctx.chat;
    if (!chat) return next();
    // A new chat speaks the language of the first person who writes in it (groups too); /lang changes it for good.
    const fresh = newChat(chat.id, chat.type, { digestTime: services.config.digest.time, timezone: services.config.digest.timezone, lang: langOf(ctx.from?.language_code) }, services.now());
    if ('title' in chat && chat.title) fresh.title = chat.title;
    let settings: ChatSettings = await services.store.chats.ensure(fresh);
    if (!settings.active) {
      await services.store.chats.activate(chat.id);
      settings = { ...settings, active: true };
      delete settings.inactiveReason;
    }
    ctx.chatSettings = settings;
    ctx.lang = settings.lang;
    ctx.t = TEXTS[settings.lang];
    withHelpers(ctx);
    return next();
  });

  const help = (ctx: BotContext) => {
    if (ctx.chat?.type === 'channel') return ctx.say(ctx.t.channelHelp); // results only in a channel: a short line, not the menu
    const lines = COMMANDS.map((c) => `/${c.command} — ${escapeHtml(c[ctx.lang])}`);
    return ctx.say(`${ctx.t.welcome}\n\n${ctx.t.help}\n${lines.join('\n')}`);
  };
  bot.start(help);
  bot.help(help);

  // Removed from a group or blocked in a private chat: stop sending there until it comes back.
  bot.on('my_chat_member', async (ctx) => {
    const status = ctx.myChatMember.new_chat_member.status;
    const before = ctx.myChatMember.old_chat_member.status;
    // Added to a group: its administrators hear how to start, and that only they change it (once per addition).
    if ((status === 'member' || status === 'administrator') && (before === 'left' || before === 'kicked') && (ctx.chat.type === 'group' || ctx.chat.type === 'supergroup')) {
      return ctx.say(ctx.t.groupWelcome);
    }
    // Made an administrator of a channel: whoever did it manages it (/channels lists it for them).
    if (status === 'administrator' && ctx.chat.type === 'channel' && !ctx.myChatMember.from.is_bot) {
      await services.store.managers.record(ctx.chat.id, ctx.myChatMember.from.id, services.now());
    }
    if (status !== 'kicked' && status !== 'left') return;
    await deactivateChat(services.store, ctx.chat.id, `bot ${status}`);
    services.log.info('bot removed from a chat', { chatId: ctx.chat.id, status });
  });

  mountRemoteChats(bot, services); // before the commands: a channel named first becomes the chat they act on
  mountSubscriptionCommands(bot, services);
  mountFeedOptionCommands(bot, services);
  mountSummaryCommands(bot, services);
  mountSettingsCommands(bot, services);
  mountOpmlCommands(bot, services);
  mountStatsCommand(bot, services);
  mountFallbacks(bot, services);
  return bot;
}

/** The command menu, in Chinese by default and in English for English-speaking users. */
export async function registerCommands(bot: Telegraf<BotContext>): Promise<void> {
  await bot.telegram.setMyCommands(COMMANDS.map((c) => ({ command: c.command, description: c.zh })));
  await bot.telegram.setMyCommands(
    COMMANDS.map((c) => ({ command: c.command, description: c.en })),
    { language_code: 'en' },
  );
}
