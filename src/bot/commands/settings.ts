// /mode, /time, /tz, /settings (with buttons) and /digest: how and when a chat receives its articles.
import type { Telegraf } from 'telegraf';
import { TIME_OF_DAY } from '../../config.js';
import { isTimeZone, padClock } from '../../core/localTime.js';
import type { ChatSettings, DeliveryMode } from '../../core/model.js';
import { escapeHtml } from '../../core/telegramHtml.js';
import { nextDigestAt } from '../../delivery/dailyDigest.js';
import { argsOf, type BotContext, type BotServices } from '../context.js';

const MODES: DeliveryMode[] = ['instant', 'daily', 'both'];

function settingsKeyboard(chat: ChatSettings, ctx: BotContext) {
  const mark = (on: boolean, text: string) => (on ? `● ${text}` : text);
  return {
    inline_keyboard: [
      MODES.map((m) => ({ text: mark(chat.mode === m, ctx.t.modeNames[m]), callback_data: `set:mode:${m}` })),
      ['07:00', '08:00', '12:00', '18:00', '21:00'].map((t) => ({ text: mark(padClock(chat.digestTime) === t, t), callback_data: `set:time:${t}` })),
    ],
  };
}

export function mountSettingsCommands(bot: Telegraf<BotContext>, services: BotServices): void {
  /** Changes only the given settings; a new mode, time or zone moves the next digest to the next time it names (never at once). */
  const save = async (ctx: BotContext, change: Partial<Pick<ChatSettings, 'mode' | 'digestTime' | 'timezone'>>) => {
    const next = { ...ctx.chatSettings, ...change };
    const chat = (await services.store.chats.update(next.id, { ...change, nextDigestAt: nextDigestAt(next, services.now()) })) ?? next;
    ctx.chatSettings = chat;
    return chat;
  };
  const showSettings = async (ctx: BotContext) => {
    const chat = ctx.chatSettings;
    const feeds = await services.store.subscriptions.countOfChat(chat.id);
    await ctx.say(escapeHtml(ctx.t.settings(ctx.t.modeNames[chat.mode], padClock(chat.digestTime), chat.timezone, feeds)), {
      replyMarkup: settingsKeyboard(chat, ctx),
    });
  };

  bot.command('mode', async (ctx) => {
    const mode = argsOf(ctx)[0]?.toLowerCase() as DeliveryMode | undefined;
    if (!mode || !MODES.includes(mode)) return ctx.say(escapeHtml(ctx.t.usage.mode!));
    if (!(await ctx.mayChange())) return ctx.say(ctx.t.adminOnly);
    await save(ctx, { mode });
    await ctx.say(escapeHtml(ctx.t.modeSet(ctx.t.modeNames[mode])));
  });

  bot.command('time', async (ctx) => {
    const time = argsOf(ctx)[0];
    if (!time || !TIME_OF_DAY.test(time)) return ctx.say(escapeHtml(ctx.t.usage.time!));
    if (!(await ctx.mayChange())) return ctx.say(ctx.t.adminOnly);
    const chat = await save(ctx, { digestTime: padClock(time) });
    await ctx.say(escapeHtml(ctx.t.timeSet(chat.digestTime, chat.timezone)));
  });

  bot.command('tz', async (ctx) => {
    const tz = argsOf(ctx)[0];
    if (!tz) return ctx.say(escapeHtml(ctx.t.usage.tz!));
    if (!isTimeZone(tz)) return ctx.say(escapeHtml(ctx.t.tzBad(tz)));
    if (!(await ctx.mayChange())) return ctx.say(ctx.t.adminOnly);
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
    await save(ctx, { timezone: canonical });
    await ctx.say(escapeHtml(ctx.t.tzSet(canonical)));
  });

  bot.command('settings', (ctx) => showSettings(ctx));

  bot.action(/^set:(mode|time):(.+)$/, async (ctx) => {
    await ctx.answerCbQuery().catch(() => {});
    if (!(await ctx.mayChange())) return ctx.say(ctx.t.adminOnly);
    const [, what, value] = ctx.match;
    if (what === 'mode' && MODES.includes(value as DeliveryMode)) await save(ctx, { mode: value as DeliveryMode });
    else if (what === 'time' && TIME_OF_DAY.test(value!)) await save(ctx, { digestTime: padClock(value!) });
    else return;
    await showSettings(ctx);
  });

  bot.command('digest', async (ctx) => {
    const count = await services.daily.sendNow(ctx.chat.id);
    if (count === 0) await ctx.say(ctx.t.digestEmpty);
  });
}
