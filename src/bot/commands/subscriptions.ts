// /sub, /unsub, /list: following and unfollowing feeds, with each feed's health.
import type { Telegraf } from 'telegraf';
import type { FeedOptions, FeedState } from '../../core/model.js';
import { escapeHtml, link, packMessages, truncate } from '../../core/telegramHtml.js';
import { localMoment } from '../../core/timeZoneInput.js';
import { obviousRefusal } from '../../feeds/obviousRefusal.js';
import { SubscribeError } from '../../polling/subscribe.js';
import { argsOf, linkArgsOf, type BotContext, type BotServices } from '../context.js';
import type { Replier } from '../requests.js';
import { FEED_OPTION_TEXTS } from '../feedOptionTexts.js';
import { explain, healthReason } from '../userErrors.js';
import { filterLines, followedOf, optionParts, pickerKeyboard, pickFollowed, shownTitle, type Followed } from './feedOptions.js';

/** URLs one /sub may carry (each may cost a fetch). */
export const MAX_URLS_PER_SUB = 20;

const unsubKeyboard = (feeds: Followed[]) => feeds.slice(0, 50).map(({ n, feed: f }) => [{ text: `${n}. ${truncate(f.title ?? f.url, 40)}`, callback_data: `unsub:${f.id}` }]);

function health(ctx: BotContext, feed: FeedState): string {
  if (feed.errorCount > 0) return ctx.t.healthFailing(feed.errorCount, escapeHtml(healthReason(feed.lastError ?? '', ctx.lang)));
  return feed.lastSuccessAt ? ctx.t.healthOk : ctx.t.healthNew;
}

export interface SubscribeReport {
  added: number;
  already: number;
  /** URLs that could not be followed, with the reason in the chat's language. */
  failed: Array<[string, string]>;
  /** URLs left out because the chat follows as many feeds as it may (said once, not once per URL). */
  overCap: string[];
  /** The feeds this call newly followed, by the URL they were given as. */
  followed: Array<[string, string]>;
}

/** Subscribes to each URL in turn and says how each went, in one reply; new subscriptions start with `feedOptions` (a topic's, an import's). */
export async function subscribeAll(
  services: BotServices,
  ctx: Replier,
  urls: string[],
  options: { quiet?: boolean; feedOptions?: (url: string) => Partial<FeedOptions> } = {},
): Promise<SubscribeReport> {
  const lines: string[] = [];
  const report: SubscribeReport = { added: 0, already: 0, failed: [], overCap: [], followed: [] };
  for (const url of urls) {
    try {
      const r = await services.subscriber.subscribe(ctx.targetId, url, options.feedOptions?.(url));
      const title = escapeHtml(r.feed.title ?? r.feed.url);
      if (r.already) {
        report.already++;
        lines.push(ctx.t.subAlready(title));
      } else {
        report.added++;
        report.followed.push([url, r.feed.id]);
        lines.push(ctx.t.subAdded(title, escapeHtml(r.feed.url)) + (r.discoveredFrom ? '\n' + ctx.t.subDiscovered(escapeHtml(r.discoveredFrom)) : ''));
      }
    } catch (error) {
      // Past the cap every further new feed is refused the same way, without a fetch: one line names them all.
      if (error instanceof SubscribeError && error.reason === 'limit') {
        report.overCap.push(url);
        continue;
      }
      const reason = explain(error, ctx.lang, services.log, { chatId: ctx.chatId, url });
      services.log.info('subscribe failed', { chatId: ctx.chatId, url, error });
      report.failed.push([url, reason]);
      lines.push(ctx.t.subFailed(escapeHtml(url), escapeHtml(truncate(reason, 300))));
    }
  }
  if (report.overCap.length > 0) lines.push(ctx.t.subOverCap(services.config.delivery.maxSubscriptionsPerChat, report.overCap.map(escapeHtml).join('\n')));
  if (!options.quiet) for (const message of packMessages(lines, 4000, '\n\n')) await ctx.say(message);
  return report;
}

/** The update's own context as a Replier (answers under the update's ids). */
export const replierOf = (ctx: BotContext): Replier => ({ chatId: ctx.chat!.id, targetId: ctx.targetId, lang: ctx.lang, t: ctx.t, say: (html, extra) => ctx.say(html, extra) });

export function mountSubscriptionCommands(bot: Telegraf<BotContext>, services: BotServices): void {
  services.requests.handle('sub', async (job, reply) => {
    const threadId = job.payload.threadId;
    await subscribeAll(services, reply, job.payload.urls as string[], threadId ? { feedOptions: () => ({ threadId }) } : {});
  });

  bot.command(['sub', 'subscribe'], async (ctx) => {
    if (!(await ctx.requireAdmin())) return;
    const all = [...new Set(linkArgsOf(ctx))];
    if (all.length === 0) return ctx.say(ctx.t.usage.sub!);
    const taken = all.slice(0, MAX_URLS_PER_SUB);
    if (all.length > taken.length) await ctx.say(ctx.t.subTooMany(MAX_URLS_PER_SUB, all.length - taken.length));
    // What needs no fetch to refuse (words that are no address, a private IP) is answered at once, with no "checking…" note.
    const checked = taken.map((u) => ({ u, error: obviousRefusal(u, services.config.fetch.allowPrivate) }));
    const refused = checked.flatMap(({ u, error }) =>
      error ? [ctx.t.subFailed(escapeHtml(u), escapeHtml(explain(error, ctx.lang, services.log, { chatId: ctx.chat.id, url: u })))] : [],
    );
    if (refused.length > 0) for (const message of packMessages(refused, 4000, '\n\n')) await ctx.say(message);
    const urls = checked.filter(({ error }) => !error).map(({ u }) => u);
    if (urls.length === 0) return;
    // Feeds the bot already polls are followed at once (one insert); only new ones need a fetch, in the background.
    const known = await Promise.all(urls.map((u) => services.subscriber.known(u).catch(() => undefined)));
    // A /sub inside a forum topic delivers there.
    const inTopic = ctx.threadId ? { threadId: ctx.threadId } : {};
    if (known.every(Boolean)) return void (await subscribeAll(services, replierOf(ctx), urls, ctx.threadId ? { feedOptions: () => inTopic } : {}));
    await ctx.progress(ctx.t.subWorking(urls.length));
    await services.requests.add({ id: `sub:${ctx.chat.id}:${ctx.update.update_id}`, chatId: ctx.chat.id, kind: 'sub', payload: { lang: ctx.lang, urls, progressId: ctx.progressId, ...inTopic, ...(ctx.remote ? { targetId: ctx.remote.id, targetTitle: ctx.remote.title } : {}) } });
  });

  bot.command(['unsub', 'unsubscribe'], async (ctx) => {
    if (!(await ctx.requireAdmin())) return;
    const feeds = await followedOf(services, ctx.targetId);
    if (feeds.length === 0) return ctx.say(ctx.t.listEmpty);
    const arg = argsOf(ctx)[0];
    if (!arg) {
      return ctx.say(ctx.t.unsubPick, { replyMarkup: { inline_keyboard: unsubKeyboard(feeds) } });
    }
    const feed = pickFollowed(feeds, arg)?.feed;
    if (!feed) return ctx.say(ctx.t.unsubUnknown(escapeHtml(arg)));
    await services.subscriber.unsubscribe(ctx.targetId, feed.id);
    await ctx.say(ctx.t.unsubDone(escapeHtml(feed.title ?? feed.url)));
  });

  bot.action(/^unsub:([0-9a-f]{16})$/, async (ctx) => {
    if (!(await ctx.requireAdmin())) return;
    const feed = await services.store.feeds.get(ctx.match[1]!);
    const removed = feed ? await services.subscriber.unsubscribe(ctx.targetId, feed.id) : false;
    await ctx.answerCbQuery(removed ? ctx.t.unsubToast : ctx.t.staleButton).catch(() => {});
    // The list of buttons is edited in place to what the chat follows now.
    const feeds = await followedOf(services, ctx.targetId);
    // What was done (if anything), then the choice left: the header once, whatever was pressed before.
    const done = removed && feed ? ctx.t.unsubDone(escapeHtml(feed.title ?? feed.url)) : undefined;
    const rest = feeds.length ? ctx.t.unsubPick : ctx.t.listEmpty;
    const markup = feeds.length ? { inline_keyboard: unsubKeyboard(feeds) } : undefined;
    await ctx.editMessageText(done ? `${done}\n\n${rest}` : rest, { parse_mode: 'HTML', ...(markup ? { reply_markup: ctx.markup(markup) } : {}) }).catch((error: unknown) => {
      if (!/message is not modified/.test(String((error as Error).message))) services.log.warn('could not edit the unsubscribe buttons', { chatId: ctx.chat!.id, error });
    });
  });

  bot.command('list', async (ctx) => {
    const list = await followedOf(services, ctx.targetId);
    if (list.length === 0) return ctx.say(ctx.t.listEmpty);
    const filters = await filterLines(services, ctx.targetId);
    const t = FEED_OPTION_TEXTS[ctx.lang];
    // In a forum topic, the feeds sent to that topic come first (with their numbers).
    const here = ctx.threadId ? list.filter((x) => x.sub.threadId === ctx.threadId) : [];
    const ordered = here.length ? [...here, ...list.filter((x) => x.sub.threadId !== ctx.threadId)] : list;
    const blocks = [
      ctx.t.listHeader(list.length) + (here.length ? ` ${t.listTopicFirst}` : ''),
      ...ordered.map((x) => {
        const options = optionParts(ctx, x);
        const filter = filters.ofFeed(ctx, x.feed.id);
        return [
          `${x.n}. <b>${link(truncate(shownTitle(x), 200), x.feed.siteUrl ?? x.feed.url)}</b>`,
          escapeHtml(x.feed.url),
          health(ctx, x.feed),
          ...(options.length ? [t.listOptions(options.join(' · '))] : []),
          ...(filter ? [filter] : []),
        ].join('\n');
      }),
    ];
    const all = filters.ofAll(ctx);
    if (all) blocks.push(all);
    const llmDown = await services.store.services.down('llm');
    if (llmDown) blocks.push(ctx.t.llmDown(escapeHtml(localMoment(llmDown.since, ctx.chatSettings.timezone))));
    for (const message of packMessages(blocks, 4000, '\n\n')) await ctx.say(message);
    await ctx.say(t.pick, { replyMarkup: pickerKeyboard(list) });
  });
}
