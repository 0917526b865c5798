// /sub, /unsub, /list: following and unfollowing feeds, with each feed's health.
import type { Telegraf } from 'telegraf';
import type { FeedState } from '../../core/model.js';
import { escapeHtml, link, packMessages, truncate } from '../../core/telegramHtml.js';
import { SubscribeError } from '../../polling/subscribe.js';
import { argsOf, type BotContext, type BotServices } from '../context.js';
import type { Replier } from '../requests.js';

export async function feedsOfChat(services: BotServices, chatId: number): Promise<FeedState[]> {
  const subs = await services.store.subscriptions.ofChat(chatId);
  return services.store.feeds.getMany(subs.map((s) => s.feedId));
}

function health(ctx: BotContext, feed: FeedState): string {
  if (feed.errorCount > 0) return ctx.t.healthFailing(feed.errorCount, escapeHtml(truncate(feed.lastError ?? '', 160)));
  return feed.lastSuccessAt ? ctx.t.healthOk : ctx.t.healthNew;
}

/** Subscribes to each URL in turn and says how each went, in one reply. */
export async function subscribeAll(services: BotServices, ctx: Replier, urls: string[], options: { quiet?: boolean } = {}): Promise<{ added: number; already: number; failed: Array<[string, string]> }> {
  const lines: string[] = [];
  const report = { added: 0, already: 0, failed: [] as Array<[string, string]> };
  for (const url of urls) {
    try {
      const r = await services.subscriber.subscribe(ctx.chatId, url);
      const title = escapeHtml(r.feed.title ?? r.feed.url);
      if (r.already) {
        report.already++;
        lines.push(ctx.t.subAlready(title));
      } else {
        report.added++;
        lines.push(ctx.t.subAdded(title, escapeHtml(r.feed.url)) + (r.discoveredFrom ? '\n' + ctx.t.subDiscovered(escapeHtml(r.discoveredFrom)) : ''));
      }
    } catch (error) {
      const reason =
        error instanceof SubscribeError && error.reason === 'limit' ? ctx.t.subLimit(services.config.delivery.maxSubscriptionsPerChat) : (error as Error).message;
      services.log.info('subscribe failed', { chatId: ctx.chatId, url, error: reason });
      report.failed.push([url, reason]);
      lines.push(ctx.t.subFailed(escapeHtml(url), escapeHtml(truncate(reason, 300))));
    }
  }
  if (!options.quiet) for (const message of packMessages(lines, 4000, '\n\n')) await ctx.say(message);
  return report;
}

/** The update's own context as a Replier (answers under the update's ids). */
export const replierOf = (ctx: BotContext): Replier => ({ chatId: ctx.chat!.id, lang: ctx.lang, t: ctx.t, say: (html, extra) => ctx.say(html, extra) });

export function mountSubscriptionCommands(bot: Telegraf<BotContext>, services: BotServices): void {
  services.requests.handle('sub', async (job, reply) => {
    await subscribeAll(services, reply, job.payload.urls as string[]);
  });

  bot.command(['sub', 'subscribe'], async (ctx) => {
    if (!(await ctx.mayChange())) return ctx.say(ctx.t.adminOnly);
    const urls = [...new Set(argsOf(ctx))];
    if (urls.length === 0) return ctx.say(escapeHtml(ctx.t.usage.sub!));
    // Feeds the bot already polls are followed at once (one insert); only new ones need a fetch, in the background.
    const known = await Promise.all(urls.map((u) => services.subscriber.known(u).catch(() => undefined)));
    if (known.every(Boolean)) return void (await subscribeAll(services, replierOf(ctx), urls));
    await ctx.say(ctx.t.subWorking(urls.length));
    await services.requests.add({ id: `sub:${ctx.chat.id}:${ctx.update.update_id}`, chatId: ctx.chat.id, kind: 'sub', payload: { lang: ctx.lang, urls } });
  });

  bot.command(['unsub', 'unsubscribe'], async (ctx) => {
    if (!(await ctx.mayChange())) return ctx.say(ctx.t.adminOnly);
    const feeds = await feedsOfChat(services, ctx.chat.id);
    if (feeds.length === 0) return ctx.say(ctx.t.listEmpty);
    const arg = argsOf(ctx)[0];
    if (!arg) {
      const keyboard = feeds.slice(0, 50).map((f, i) => [{ text: `${i + 1}. ${truncate(f.title ?? f.url, 40)}`, callback_data: `unsub:${f.id}` }]);
      return ctx.say(ctx.t.unsubPick, { replyMarkup: { inline_keyboard: keyboard } });
    }
    const n = Number(arg);
    const feed = Number.isInteger(n) && n >= 1 ? feeds[n - 1] : feeds.find((f) => f.url === arg || f.url === arg.replace(/\/$/, '') || f.url.replace(/\/$/, '') === arg.replace(/\/$/, ''));
    if (!feed) return ctx.say(ctx.t.unsubUnknown(escapeHtml(arg)));
    await services.subscriber.unsubscribe(ctx.chat.id, feed.id);
    await ctx.say(ctx.t.unsubDone(escapeHtml(feed.title ?? feed.url)));
  });

  bot.action(/^unsub:([0-9a-f]{16})$/, async (ctx) => {
    await ctx.answerCbQuery().catch(() => {});
    if (!(await ctx.mayChange())) return ctx.say(ctx.t.adminOnly);
    const feed = await services.store.feeds.get(ctx.match[1]!);
    const removed = feed ? await services.subscriber.unsubscribe(ctx.chat!.id, feed.id) : false;
    await ctx.say(removed && feed ? ctx.t.unsubDone(escapeHtml(feed.title ?? feed.url)) : ctx.t.unsubUnknown('?'));
  });

  bot.command('list', async (ctx) => {
    const feeds = await feedsOfChat(services, ctx.chat.id);
    if (feeds.length === 0) return ctx.say(ctx.t.listEmpty);
    const blocks = [ctx.t.listHeader(feeds.length), ...feeds.map((f, i) => `${i + 1}. <b>${link(f.title ?? f.url, f.siteUrl ?? f.url)}</b>\n${escapeHtml(f.url)}\n${health(ctx, f)}`)];
    for (const message of packMessages(blocks, 4000, '\n\n')) await ctx.say(message);
  });
}
