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
import { TEXTS, type Lang } from '../i18n.js';

const MODES: DeliveryMode[] = ['instant', 'daily', 'both'];
const TIMES = ['07:00', '08:00', '12:00', '18:00', '21:00'];
/** Zones offered as buttons, named as a reader knows them; any other is one /tz away. */
const ZONES: Array<{ zone: string; zh: string; en: string }> = [
  { zone: 'Asia/Shanghai', zh: '北京', en: 'Beijing' },
  { zone: 'Asia/Tokyo', zh: '东京', en: 'Tokyo' },
  { zone: 'Europe/London', zh: '伦敦', en: 'London' },
  { zone: 'America/New_York', zh: '纽约', en: 'New York' },
  { zone: 'UTC', zh: 'UTC', en: 'UTC' },
];
const LANGS: Array<{ lang: Lang; text: string }> = [
  { lang: 'zh', text: '中文' },
  { lang: 'en', text: 'English' },
];

function settingsKeyboard(chat: ChatSettings, ctx: BotContext) {
  const mark = (on: boolean, text: string) => (on ? `● ${text}` : text);
  return {
    inline_keyboard: [
      MODES.map((m) => ({ text: mark(chat.mode === m, ctx.t.modeNames[m]), callback_data: `set:mode:${m}` })),
      TIMES.map((t) => ({ text: mark(padClock(chat.digestTime) === t, t), callback_data: `set:time:${t}` })),
      ZONES.map((z) => ({ text: mark(chat.timezone === z.zone, z[ctx.lang]), callback_data: `set:tz:${z.zone}` })),
      LANGS.map((l) => ({ text: mark(chat.lang === l.lang, l.text), callback_data: `set:lang:${l.lang}` })),
      (['on', 'off'] as const).map((v) => ({ text: mark(chat.merge === (v === 'on'), ctx.t.mergeButtons[v]), callback_data: `set:merge:${v}` })),
    ],
  };
}

/** What a settings button asks for, when it is one the keyboard offers (an old button may carry what is no longer offered). */
function changeOf(what: string, value: string): Partial<Pick<ChatSettings, 'mode' | 'digestTime' | 'timezone' | 'lang' | 'merge'>> | undefined {
  if (what === 'mode' && MODES.includes(value as DeliveryMode)) return { mode: value as DeliveryMode };
  if (what === 'time' && TIME_OF_DAY.test(value)) return { digestTime: padClock(value) };
  if (what === 'tz' && ZONES.some((z) => z.zone === value)) return { timezone: value };
  if (what === 'lang' && LANGS.some((l) => l.lang === value)) return { lang: value as Lang };
  if (what === 'merge' && (value === 'on' || value === 'off')) return { merge: value === 'on' };
  return undefined;
}

export function mountSettingsCommands(bot: Telegraf<BotContext>, services: BotServices): void {
  /** Changes only the given settings; a new mode, time or zone moves the next digest to the next time it names (never at once). */
  const save = async (ctx: BotContext, change: Partial<Pick<ChatSettings, 'mode' | 'digestTime' | 'timezone'>>) => {
    const next = { ...ctx.chatSettings, ...change };
    // A chat in instant mode keeps a schedule for its feeds set to daily on their own.
    const dailyFeeds = next.mode === 'instant' && (await services.store.subscriptions.withDailyFeeds([next.id])).size > 0;
    const chat = (await services.store.chats.update(next.id, { ...change, nextDigestAt: nextDigestAt(next, services.now(), dailyFeeds) })) ?? next;
    ctx.chatSettings = chat;
    return chat;
  };
  const settingsMessage = async (ctx: BotContext) => {
    const chat = ctx.chatSettings;
    const feeds = await services.store.subscriptions.countOfChat(chat.id);
    return { html: ctx.t.settings(ctx.t.modeNames[chat.mode], padClock(chat.digestTime), escapeHtml(zoneLabel(chat.timezone)), feeds, chat.merge), keyboard: settingsKeyboard(chat, ctx) };
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
    await services.store.chats.update(ctx.targetId, { lang });
    await ctx.say(TEXTS[lang].langSet);
  });

  bot.action(/^set:(mode|time|tz|lang|merge):(.+)$/, async (ctx) => {
    if (!(await ctx.requireAdmin())) return;
    const [, what, value] = ctx.match;
    const change = changeOf(what!, value!);
    if (!change) return void (await ctx.answerCbQuery(ctx.t.staleButton).catch(() => {}));
    const current = ctx.chatSettings;
    const unchanged = Object.entries(change).every(([k, v]) => (k === 'digestTime' ? padClock(current.digestTime) === v : current[k as keyof ChatSettings] === v));
    // The choice already made: said so, and the message left as it is (Telegram would refuse the same text as "not modified").
    if (unchanged) return void (await ctx.answerCbQuery(ctx.t.alreadySet).catch(() => {}));
    if (change.merge !== undefined) {
      await services.store.chats.update(current.id, { merge: change.merge });
      ctx.chatSettings = { ...current, merge: change.merge };
    } else if (change.lang) {
      await services.store.chats.update(current.id, { lang: change.lang });
      ctx.chatSettings = { ...current, lang: change.lang };
      // A managed channel's language is its own; the person managing it keeps being answered in theirs.
      if (!ctx.remote) {
        ctx.lang = change.lang;
        ctx.t = TEXTS[change.lang];
      }
    } else await save(ctx, change);
    await ctx.answerCbQuery(ctx.t.saved).catch(() => {});
    // The settings message is edited in place (in the chat's language now): one message however many presses.
    const { html, keyboard } = await settingsMessage(ctx);
    await ctx.editMessageText(html, { parse_mode: 'HTML', reply_markup: ctx.markup(keyboard) }).catch((error: unknown) => {
      if (!/message is not modified/.test(String((error as Error).message))) services.log.warn('could not edit the settings message', { chatId: ctx.chat!.id, error });
    });
  });

  bot.command('digest', async (ctx) => {
    if (!(await ctx.requireAdmin(ctx.t.adminOnlyDigest))) return; // it empties the group's queue for everyone
    const count = await services.daily.sendNow(ctx.targetId);
    if (count === 0) await ctx.say(ctx.t.digestEmpty);
  });
}
