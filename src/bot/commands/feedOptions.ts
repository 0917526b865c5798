// /set, /filter, /tags and the options panel behind /list: each subscription the reader's own (delivery, title, preview, topic, filters).
import { createHash } from 'node:crypto';
import type { Telegraf } from 'telegraf';
import { FILTER_LIMITS, parseFilter, parseTerm, showFilter, type FilterProblem, type FilterTerm } from '../../core/feedFilter.js';
import type { FeedMode, FeedState, Subscription } from '../../core/model.js';
import { escapeHtml, link, truncate } from '../../core/telegramHtml.js';
import { nextDigestAt } from '../../delivery/dailyDigest.js';
import { ALL_FEEDS, dayOf, FILTER_WINDOW_MS } from '../../store/filters.js';
import type { OptionsChange } from '../../store/subscriptions.js';
import { argsOf, payloadOf, type BotContext, type BotServices } from '../context.js';
import { FEED_OPTION_TEXTS, type FeedOptionTexts } from '../feedOptionTexts.js';

/** A subscription with its feed, numbered as /list numbers it. */
export interface Followed {
  n: number;
  sub: Subscription;
  feed: FeedState;
}

export const FEED_MODES: FeedMode[] = ['chat', 'instant', 'daily', 'both', 'muted'];
const MODE_WORDS: Record<string, FeedMode> = {
  chat: 'chat', 跟随: 'chat', 默认: 'chat', default: 'chat',
  instant: 'instant', 即时: 'instant',
  daily: 'daily', 每日: 'daily', digest: 'daily',
  both: 'both', 两者: 'both', 都要: 'both',
  muted: 'muted', mute: 'muted', off: 'muted', 静音: 'muted', 暂停: 'muted',
};
const ON = new Set(['on', '1', 'true', 'yes', '开', '打开', '开启']);
const OFF = new Set(['off', '0', 'false', 'no', '关', '关闭']);
export const MAX_TITLE = 64;

const textsOf = (ctx: { lang: 'zh' | 'en' }): FeedOptionTexts => FEED_OPTION_TEXTS[ctx.lang];

/** The chat's subscriptions with their feeds, in /list's order (oldest first). */
export async function followedOf(services: BotServices, chatId: number): Promise<Followed[]> {
  const subs = await services.store.subscriptions.ofChat(chatId);
  const feeds = new Map((await services.store.feeds.getMany(subs.map((s) => s.feedId))).map((f) => [f.id, f]));
  return subs.flatMap((sub, i) => {
    const feed = feeds.get(sub.feedId);
    return feed ? [{ n: i + 1, sub, feed }] : [];
  });
}

/** The subscription an argument names: its /list number, or its URL (a trailing slash either way). */
export function pickFollowed(list: Followed[], arg: string): Followed | undefined {
  const n = Number(arg);
  if (Number.isInteger(n) && n >= 1) return list.find((x) => x.n === n);
  const bare = (u: string) => u.replace(/\/$/, '');
  return list.find((x) => bare(x.feed.url) === bare(arg));
}

/** A feed as the chat sees it: its own title when set. */
export const shownTitle = (x: Pick<Followed, 'sub' | 'feed'>) => x.sub.title ?? x.feed.title ?? x.feed.url;

/** What a problem with a term means, in the reader's words. */
function problemText(t: FeedOptionTexts, p: FilterProblem): string {
  if (p.why === 'many') return t.problemMany(p.max);
  const term = escapeHtml(truncate(p.term, 40));
  if (p.why === 'short') return t.problemShort(term);
  if (p.why === 'long') return t.problemLong(term, FILTER_LIMITS.termLength);
  return t.problemTag(term);
}

/** The options of a subscription that differ from the defaults, for its line in /list. */
export function optionParts(ctx: BotContext, x: Followed): string[] {
  const t = textsOf(ctx);
  const parts: string[] = [];
  if (x.sub.mode !== 'chat') parts.push(t.modeNames[x.sub.mode]);
  if (x.sub.title) parts.push(t.listOwnTitle(escapeHtml(truncate(x.feed.title ?? x.feed.url, 60))));
  if (x.sub.preview) parts.push(t.panelPreview(true));
  if (x.sub.threadId) parts.push(t.panelTopic(x.sub.threadId));
  return parts;
}

/** The filter lines of /list: each feed's under it (with what it kept out in 7 days), the chat-wide one at the end. */
export async function filterLines(services: BotServices, chatId: number) {
  const filters = await services.store.filters.ofChat(chatId);
  const drops = await services.store.filters.dropsOfChat(chatId, dayOf(services.now() - FILTER_WINDOW_MS));
  const dropped = (scope: string) => drops.filter((d) => d.scope === scope).reduce((n, d) => n + d.n, 0);
  return {
    ofFeed(ctx: BotContext, feedId: string): string | undefined {
      const terms = filters.get(feedId);
      return terms?.length ? textsOf(ctx).listFilter(escapeHtml(showFilter(terms)), dropped(feedId)) : undefined;
    },
    ofAll(ctx: BotContext): string | undefined {
      const terms = filters.get(ALL_FEEDS);
      return terms?.length ? textsOf(ctx).listAllFilter(escapeHtml(showFilter(terms)), dropped(ALL_FEEDS)) : undefined;
    },
  };
}

/** The number buttons under /list: each opens its feed's options in place. */
export function pickerKeyboard(list: Followed[]) {
  const buttons = list.slice(0, 96).map((x) => ({ text: String(x.n), callback_data: `fo:${x.feed.id}` }));
  const rows = [];
  for (let i = 0; i < buttons.length; i += 8) rows.push(buttons.slice(i, i + 8));
  return { inline_keyboard: rows };
}

async function panelOf(services: BotServices, ctx: BotContext, x: Followed) {
  const t = textsOf(ctx);
  const filters = await services.store.filters.ofChat(ctx.targetId);
  const own = filters.get(x.feed.id) ?? [];
  const all = filters.get(ALL_FEEDS) ?? [];
  const chatMode = ctx.t.modeNames[ctx.chatSettings.mode];
  const lines = [
    t.panel(x.n, link(truncate(shownTitle(x), 100), x.feed.siteUrl ?? x.feed.url), escapeHtml(x.feed.url)),
    t.panelMode(x.sub.mode === 'chat' ? t.modeFollows(chatMode) : t.modeNames[x.sub.mode]),
    ...(x.sub.title ? [t.panelTitle(escapeHtml(x.sub.title)) + ` (${t.listOwnTitle(escapeHtml(truncate(x.feed.title ?? x.feed.url, 60)))})`] : []),
    t.panelPreview(x.sub.preview),
    ...(x.sub.threadId ? [t.panelTopic(x.sub.threadId)] : []),
    own.length ? t.panelFilter(escapeHtml(showFilter(own))) : t.panelNoFilter,
    ...(all.length ? [t.panelAllFilter(escapeHtml(showFilter(all)))] : []),
    '',
    t.panelHelp(x.n),
  ];
  const mark = (on: boolean, text: string) => (on ? `● ${text}` : text);
  const id = x.feed.id;
  const extras = [
    { text: t.previewButton(x.sub.preview), callback_data: `fo:${id}:p:${x.sub.preview ? 0 : 1}` },
    ...(x.sub.title ? [{ text: t.clearTitle, callback_data: `fo:${id}:t:-` }] : []),
    ...(own.length ? [{ text: t.clearFilter, callback_data: `fo:${id}:f:-` }] : []),
    ...(x.sub.threadId ? [{ text: t.toGeneral, callback_data: `fo:${id}:h:-` }] : []),
  ];
  return {
    html: lines.join('\n'),
    keyboard: {
      inline_keyboard: [
        FEED_MODES.slice(0, 3).map((m) => ({ text: mark(x.sub.mode === m, t.modeNames[m]), callback_data: `fo:${id}:m:${m}` })),
        FEED_MODES.slice(3).map((m) => ({ text: mark(x.sub.mode === m, t.modeNames[m]), callback_data: `fo:${id}:m:${m}` })),
        extras,
        [{ text: t.back, callback_data: 'fo:list' }],
      ],
    },
  };
}

/** A feed of its own in daily (or both) mode keeps the chat's daily schedule even when the chat itself is in instant mode. */
async function keepDailySchedule(services: BotServices, ctx: BotContext): Promise<void> {
  const chat = ctx.chatSettings;
  if (chat.nextDigestAt !== undefined) return;
  const at = nextDigestAt(chat, services.now(), true);
  await services.store.chats.update(chat.id, { nextDigestAt: at });
}

/** Applies a change to one subscription; says what was wrong when the change cannot be made. */
async function applyChange(services: BotServices, ctx: BotContext, x: Followed, change: OptionsChange): Promise<boolean> {
  const changed = await services.store.subscriptions.setOptions(x.feed.id, ctx.targetId, change);
  if (changed && (change.mode === 'daily' || change.mode === 'both')) await keepDailySchedule(services, ctx);
  return changed;
}

/** Whether a subscription already is what a change asks for (clearing a title or a topic it does not have included). */
const alreadySo = (sub: Subscription, c: OptionsChange) =>
  (c.mode === undefined || sub.mode === c.mode) &&
  (c.preview === undefined || sub.preview === c.preview) &&
  (c.title === undefined || (sub.title ?? null) === c.title) &&
  (c.threadId === undefined || (sub.threadId ?? null) === c.threadId);

/** What `/set <n> <option> <value…>` asks for, or the reason it cannot be done. */
function changeFromArgs(ctx: BotContext, option: string, value: string): OptionsChange | string {
  const t = textsOf(ctx);
  const key = option.toLowerCase();
  if (['mode', '模式', '推送', '方式'].includes(key)) {
    const mode = MODE_WORDS[value.toLowerCase()];
    return mode ? { mode } : t.setBadMode(escapeHtml(truncate(value, 40)));
  }
  if (['title', '标题', '名称', 'name'].includes(key)) {
    const title = value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
    if (!title || title === '-') return { title: null };
    if (Array.from(title).length > MAX_TITLE) return t.setTitleLong(MAX_TITLE);
    return { title };
  }
  if (['preview', '预览'].includes(key)) {
    if (ON.has(value.toLowerCase())) return { preview: true };
    if (OFF.has(value.toLowerCase())) return { preview: false };
    return t.usageSet;
  }
  if (['topic', '话题', 'thread'].includes(key)) {
    if (['general', 'main', '-', '主话题', 'General'].includes(value) || value.toLowerCase() === 'general') return { threadId: null };
    if (['here', '这里', '此处'].includes(value.toLowerCase())) return ctx.threadId ? { threadId: ctx.threadId } : t.setNoTopic;
    return t.usageSet;
  }
  return t.usageSet;
}

const tagId = (tag: string) => createHash('sha1').update(tag).digest('hex').slice(0, 10);

export function mountFeedOptionCommands(bot: Telegraf<BotContext>, services: BotServices): void {
  bot.command('set', async (ctx) => {
    const t = textsOf(ctx);
    const [target, option, ...rest] = argsOf(ctx);
    if (!target) return ctx.say(t.usageSet);
    const x = pickFollowed(await followedOf(services, ctx.targetId), target);
    if (!x) return ctx.say(t.unknownFeed(escapeHtml(truncate(target, 100))));
    if (!option) {
      const panel = await panelOf(services, ctx, x);
      return ctx.say(panel.html, { replyMarkup: panel.keyboard });
    }
    if (!(await ctx.requireAdmin())) return;
    const change = changeFromArgs(ctx, option, rest.join(' '));
    if (typeof change === 'string') return ctx.say(change);
    await applyChange(services, ctx, x, change);
    const after = pickFollowed(await followedOf(services, ctx.targetId), String(x.n)) ?? x;
    const panel = await panelOf(services, ctx, after);
    await ctx.say(`${t.setDone(escapeHtml(truncate(shownTitle(after), 100)))}\n\n${panel.html}`, { replyMarkup: panel.keyboard });
  });

  bot.command('filter', async (ctx) => {
    const t = textsOf(ctx);
    const payload = payloadOf(ctx);
    const [target = '', ...restWords] = payload.split(/\s+/);
    if (!target) return ctx.say(t.usageFilter);
    const rest = payload.slice(target.length).trim();
    let scope: string;
    let scopeName: string;
    if (['all', '全部', '*'].includes(target.toLowerCase())) {
      scope = ALL_FEEDS;
      scopeName = t.filterAll;
    } else {
      const x = pickFollowed(await followedOf(services, ctx.targetId), target);
      if (!x) return ctx.say(t.unknownFeed(escapeHtml(truncate(target, 100))));
      scope = x.feed.id;
      scopeName = `<b>${escapeHtml(truncate(shownTitle(x), 100))}</b>`;
    }
    if (restWords.length === 0) {
      const terms = (await services.store.filters.ofChat(ctx.targetId)).get(scope) ?? [];
      return ctx.say(terms.length ? `${t.filterShow(scopeName, escapeHtml(showFilter(terms)))}\n${t.filterExplain}` : `${t.filterNone(scopeName)}\n\n${t.usageFilter}`);
    }
    if (!(await ctx.requireAdmin())) return;
    if (restWords.length === 1 && ['clear', 'off', 'none', '清除', '清空', '取消'].includes(restWords[0]!.toLowerCase())) {
      await services.store.filters.replace(ctx.targetId, scope, [], services.now());
      return ctx.say(t.filterCleared(scopeName));
    }
    const parsed = parseFilter(rest);
    const problems = parsed.problems.map((p) => `• ${problemText(t, p)}`);
    if (parsed.terms.length === 0) return ctx.say([...problems, '', t.usageFilter].join('\n'));
    await services.store.filters.replace(ctx.targetId, scope, parsed.terms, services.now());
    await ctx.say([t.filterSet(scopeName, escapeHtml(showFilter(parsed.terms))), t.filterExplain, ...problems].join('\n'));
  });

  bot.command('tags', async (ctx) => {
    const t = textsOf(ctx);
    const tags = await services.store.articleTags.ofChat(ctx.targetId, services.now() - FILTER_WINDOW_MS, 30);
    if (tags.length === 0) return ctx.say(t.tagsNone);
    const lines = [t.tagsHeader(7), tags.map((x) => `#${escapeHtml(x.tag)} ${x.n}`).join(' · '), '', t.tagsHint];
    const rows = tags.slice(0, 10).map((x) => [
      { text: `➕ ${x.tag}`, callback_data: `tg:+:${tagId(x.tag)}` },
      { text: `➖ ${x.tag}`, callback_data: `tg:-:${tagId(x.tag)}` },
    ]);
    await ctx.say(lines.join('\n'), { replyMarkup: { inline_keyboard: rows } });
  });

  bot.action(/^tg:([+-]):([0-9a-f]{10})$/, async (ctx) => {
    if (!(await ctx.requireAdmin())) return;
    const t = textsOf(ctx);
    const tags = await services.store.articleTags.ofChat(ctx.targetId, services.now() - FILTER_WINDOW_MS - 86_400_000, 200);
    const tag = tags.find((x) => tagId(x.tag) === ctx.match[2])?.tag;
    if (!tag) return void (await ctx.answerCbQuery(ctx.t.staleButton).catch(() => {}));
    const term = parseTerm(`${ctx.match[1]}#${tag}`) as FilterTerm;
    const r = await services.store.filters.add(ctx.targetId, ALL_FEEDS, term, services.now(), FILTER_LIMITS.terms);
    const shown = `${term.sign}${term.term}`;
    await ctx.answerCbQuery(r === 'added' ? t.tagAdded(shown) : r === 'already' ? t.tagAlready(shown) : t.tagLimit(FILTER_LIMITS.terms), { show_alert: r === 'limit' }).catch(() => {});
  });

  const edit = async (ctx: BotContext, html: string, markup: unknown) => {
    await ctx.editMessageText(html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, reply_markup: ctx.markup(markup) as never }).catch((error: unknown) => {
      if (!/message is not modified/.test(String((error as Error).message))) services.log.warn('could not edit the feed options', { chatId: ctx.chat!.id, error });
    });
  };

  bot.action('fo:list', async (ctx) => {
    await ctx.answerCbQuery().catch(() => {});
    const list = await followedOf(services, ctx.targetId);
    await edit(ctx, list.length ? textsOf(ctx).pick : ctx.t.listEmpty, list.length ? pickerKeyboard(list) : undefined);
  });

  bot.action(/^fo:([0-9a-f]{16})(?::([mpthf]):([a-z01-]+))?$/, async (ctx) => {
    const [, feedId, key, value] = ctx.match;
    const find = async () => (await followedOf(services, ctx.targetId)).find((x) => x.feed.id === feedId);
    let x = await find();
    if (!x) return void (await ctx.answerCbQuery(ctx.t.staleButton).catch(() => {}));
    if (key) {
      if (!(await ctx.requireAdmin())) return;
      let changed = false;
      if (key === 'f') {
        await services.store.filters.replace(ctx.targetId, x.feed.id, [], services.now());
        changed = true;
      } else {
        const change: OptionsChange | undefined =
          key === 'm' && FEED_MODES.includes(value as FeedMode) ? { mode: value as FeedMode }
          : key === 'p' ? { preview: value === '1' }
          : key === 't' ? { title: null }
          : key === 'h' ? { threadId: null }
          : undefined;
        if (change && !alreadySo(x.sub, change)) changed = await applyChange(services, ctx, x, change);
      }
      await ctx.answerCbQuery(changed ? ctx.t.saved : ctx.t.alreadySet).catch(() => {});
      if (!changed) return;
      x = (await find()) ?? x;
    } else await ctx.answerCbQuery().catch(() => {});
    const panel = await panelOf(services, ctx, x);
    await edit(ctx, panel.html, panel.keyboard);
  });
}
