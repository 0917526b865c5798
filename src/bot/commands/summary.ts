// /summary <url> (and a bare URL in a private chat): acknowledged at once, digested in the background, answered in the chat.
import type { Telegraf } from 'telegraf';
import { localDay } from '../../core/localTime.js';
import { hashtags } from '../../core/renderDigest.js';
import { escapeHtml, link, truncate } from '../../core/telegramHtml.js';
import { forTypedUrl } from '../../digests/forTypedUrl.js';
import { obviousRefusal } from '../../feeds/obviousRefusal.js';
import { readFeed } from '../../feeds/readFeed.js';
import { linkArgsOf, linksInMessage, type BotContext, type BotServices } from '../context.js';
import type { Replier } from '../requests.js';
import { explain, withDeadline } from '../userErrors.js';

/** A person waiting for /summary hears within this, whatever the page or the LLM do (the work goes on and is cached). */
const SUMMARY_DEADLINE_MS = 80_000;

async function underQuota(services: BotServices, ctx: BotContext): Promise<boolean> {
  const userId = ctx.from?.id ?? ctx.chat!.id;
  if (services.config.adminIds.includes(userId)) return true;
  const day = localDay(services.now(), services.config.digest.timezone);
  return services.store.quotas.take(`summary:${userId}`, day, services.config.delivery.summaryPerUserPerDay, services.now() + 2 * 24 * 3_600_000);
}

export async function summarize(services: BotServices, ctx: BotContext, url: string): Promise<void> {
  // Refused at once, with no "reading…" note first, when no fetch is needed to know (no address, a private IP) — and no quota spent.
  const refusal = obviousRefusal(url, services.config.fetch.allowPrivate);
  if (refusal) return ctx.say(ctx.t.summaryFailed(escapeHtml(explain(refusal, ctx.lang, services.log, { chatId: ctx.chat!.id, url }))));
  if (!(await underQuota(services, ctx))) return ctx.say(ctx.t.summaryQuota(services.config.delivery.summaryPerUserPerDay));
  // Requests of a chat run one at a time: one that waits behind others says so, not the same "reading…" for a minute.
  const ahead = await services.store.jobs.count(ctx.chat!.id);
  await ctx.progress(ahead > 0 ? ctx.t.summaryQueued(ahead) : ctx.t.summaryWorking, { reply: true });
  const replyTo = ctx.message?.message_id;
  await services.requests.add({
    id: `summary:${ctx.chat!.id}:${ctx.update.update_id}`,
    chatId: ctx.chat!.id,
    kind: 'summary',
    payload: { lang: ctx.lang, url, progressId: ctx.progressId, ...(replyTo ? { replyTo } : {}) },
  });
}

/** The digest of one page, answered in the chat that asked. */
async function answerSummary(services: BotServices, reply: Replier, url: string): Promise<void> {
  try {
    const outcome = await withDeadline(forTypedUrl(services.summarizer, url), SUMMARY_DEADLINE_MS);
    if (outcome.kind === 'unreadable' && outcome.unfaithful) return reply.say(reply.t.summaryUnfaithful);
    if (outcome.kind === 'unreadable') {
      services.log.info('summary: no article on the page', { chatId: reply.chatId, url, reason: outcome.reason });
      // A feed's address is no article, but plainly something to follow: say how.
      const feed = await readFeed(services.fetch, outcome.url ?? url).catch(() => undefined);
      if (feed?.status === 'ok') return reply.say(reply.t.summaryIsFeed(escapeHtml(truncate(feed.feed.title || feed.url, 100)), escapeHtml(feed.url)));
      return reply.say(reply.t.summaryUnreadable);
    }
    const d = outcome.digest;
    const summary = escapeHtml(d.summary);
    await reply.say(
      [
        `<b>${link(truncate(d.title || outcome.title, 200), outcome.url ?? url)}</b>`,
        d.summary.length > 160 ? `<blockquote expandable>${summary}</blockquote>` : `<blockquote>${summary}</blockquote>`,
        `${reply.lang === 'en' ? 'TL;DR: ' : '总结：'}${escapeHtml(d.tldr)}`,
        escapeHtml(hashtags(d.tags)),
      ].join('\n'),
    );
  } catch (error) {
    services.log.warn('summary failed', { chatId: reply.chatId, url, error });
    await reply.say(reply.t.summaryFailed(escapeHtml(explain(error, reply.lang, services.log, { chatId: reply.chatId, url }))));
  }
}

export function mountSummaryCommands(bot: Telegraf<BotContext>, services: BotServices): void {
  services.requests.handle('summary', (job, reply) => answerSummary(services, reply, job.payload.url as string));
  bot.command('summary', async (ctx) => {
    const url = linkArgsOf(ctx)[0];
    if (!url) return ctx.say(ctx.t.usage.summary!);
    return summarize(services, ctx, url);
  });
  // In a private chat, a message that is one link and nothing else (punctuation and brackets aside) is a /summary.
  bot.on('text', async (ctx, next) => {
    if (ctx.chat.type !== 'private' || ctx.message.text.startsWith('/')) return next();
    const [link, ...more] = linksInMessage({ text: ctx.message.text });
    const rest = link ? ctx.message.text.replace(link, '').replace(/[\s，。、；：！？（）【】《》「」『』“”‘’()[\]<>"'.,;:!?]/gu, '') : 'x';
    if (!link || more.length > 0 || rest !== '') return next();
    return summarize(services, ctx, link);
  });
}
