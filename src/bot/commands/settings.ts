// /mode, /time, /tz, /settings (with buttons) and /digest: how and when a chat receives its articles.
import type { Telegraf } from 'telegraf';
import { timeOfDayFrom } from '../../core/timeOfDayInput.js';
import { TIME_OF_DAY } from '../../config.js';
import { padClock } from '../../core/localTime.js';
import { timeZoneFrom, zoneLabel } from '../../core/timeZoneInput.js';
import type { ChatSettings, DeliveryMode } from '../../core/model.js';
import { escapeHtml } from '../../core/telegramHtml.js';
import { nextDigestAt } from '../../delivery/dailyDigest.js';
import { argsOf, type BotContext, type BotServices } from '../context.js';
import { TEXTS } from '../i18n.js';

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
  const settingsMessage = async (ctx: BotContext) => {
    const chat = ctx.chatSettings;
    const feeds = await services.store.subscriptions.countOfChat(chat.id);
    return { html: ctx.t.settings(ctx.t.modeNames[chat.mode], padClock(chat.digestTime), escapeHtml(zoneLabel(chat.timezone)), feeds), keyboard: settingsKeyboard(chat, ctx) };
  };
  const showSettings = async (ctx: BotContext) => {
    const { html, keyboard } = await settingsMessage(ctx);
    await ctx.say(html, { replyMarkup: keyboard });
  };

  bot.command('mode', async (ctx) => {
    const mode = argsOf(ctx)[0]?.toLowerCase() as DeliveryMode | undefined;
    if (!mode || !MODES.includes(mode)) return ctx.say(ctx.t.usage.mode!);
    if (!(await ctx.requireAdmin())) return;
    await save(ctx, { mode });
    await ctx.say(ctx.t.modeSet(ctx.t.modeNames[mode]));
  });

  bot.command('time', async (ctx) => {
    const input = argsOf(ctx).join(' ');
    const parsed = timeOfDayFrom(input);
    if (!parsed.ok) return ctx.say(parsed.reason === 'out-of-range' ? ctx.t.timeBad(escapeHtml(input)) : ctx.t.usage.time!);
    if (!(await ctx.requireAdmin())) return;
    const chat = await save(ctx, { digestTime: parsed.time });
    await ctx.say(ctx.t.timeSet(chat.digestTime, escapeHtml(zoneLabel(chat.timezone))));
  });

  bot.command('tz', async (ctx) => {
    const tz = argsOf(ctx).join(' ');
    if (!tz) return ctx.say(ctx.t.usage.tz!);
    const canonical = timeZoneFrom(tz);
    if (!canonical) return ctx.say(ctx.t.tzBad(escapeHtml(tz)));
    if (!(await ctx.requireAdmin())) return;
    await save(ctx, { timezone: canonical });
    await ctx.say(ctx.t.tzSet(escapeHtml(zoneLabel(canonical))));
  });

  bot.command('settings', (ctx) => showSettings(ctx));

  bot.command('lang', async (ctx) => {
    const lang = argsOf(ctx)[0]?.toLowerCase();
    if (lang !== 'zh' && lang !== 'en') return ctx.say(ctx.t.usage.lang!);
    if (!(await ctx.requireAdmin())) return;
    await services.store.chats.update(ctx.chat.id, { lang });
    await ctx.say(TEXTS[lang].langSet);
  });

  bot.action(/^set:(mode|time):(.+)$/, async (ctx) => {
    if (!(await ctx.requireAdmin())) return;
    const [, what, value] = ctx.match;
    if (what === 'mode' && MODES.includes(value as DeliveryMode)) await save(ctx, { mode: value as DeliveryMode });
    else if (what === 'time' && TIME_OF_DAY.test(value!)) await save(ctx, { digestTime: padClock(value!) });
    else return void (await ctx.answerCbQuery(ctx.t.staleButton).catch(() => {}));
    await ctx.answerCbQuery(ctx.t.saved).catch(() => {});
    // The settings message is edited in place: one message however many presses.
    const { html, keyboard } = await settingsMessage(ctx);
    await ctx.editMessageText(html, { parse_mode: 'HTML', reply_markup: keyboard }).catch((error: unknown) => {
      if (!/message is not modified/.test(String((error as Error).message))) services.log.warn('could not edit the settings message', { chatId: ctx.chat!.id, error });
    });
  });

  bot.command('digest', async (ctx) => {
    if (!(await ctx.requireAdmin(ctx.t.adminOnlyDigest))) return; // it empties the group's queue for everyone
    const count = await services.daily.sendNow(ctx.chat.id);
    if (count === 0) await ctx.say(ctx.t.digestEmpty);
  });
}
