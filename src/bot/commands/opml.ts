// /export and /import: a chat's subscriptions as an OPML file, and an OPML file's feeds subscribed with a report.
import type { Telegraf } from 'telegraf';
import { parseFilter, showFilter } from '../../core/feedFilter.js';
import type { FeedOptions } from '../../core/model.js';
import { parseOpml, renderOpml, type OpmlFeed, type OpmlOptions } from '../../core/opml.js';
import { escapeHtml, link, packMessages, truncate } from '../../core/telegramHtml.js';
import type { BotContext, BotServices } from '../context.js';
import { explain } from '../userErrors.js';
import { followedOf, MAX_TITLE } from './feedOptions.js';
import { subscribeAll } from './subscriptions.js';

const MAX_OPML_BYTES = 1024 * 1024;
/** Outlines one /import reads (the rest are named in the reply and sent back as a file). */
const MAX_IMPORT = 500;
/** Outlines named in the reply under one heading; the rest are counted and come back in the attached file. */
const NAMED_PER_SECTION = 30;

interface TelegramDocument {
  file_id: string;
  file_name?: string;
  file_size?: number;
}

function documentOf(ctx: BotContext): TelegramDocument | undefined {
  const message = ctx.message as { document?: TelegramDocument; reply_to_message?: { document?: TelegramDocument } } | undefined;
  return message?.document ?? message?.reply_to_message?.document;
}

async function download(ctx: BotContext, doc: TelegramDocument): Promise<string> {
  if ((doc.file_size ?? 0) > MAX_OPML_BYTES) throw new Error('the file is larger than 1 MB');
  const link = await ctx.telegram.getFileLink(doc.file_id);
  const res = await fetch(link, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`Telegram answered ${res.status} for the file`);
  const body = await res.arrayBuffer();
  if (body.byteLength > MAX_OPML_BYTES) throw new Error('the file is larger than 1 MB');
  return new TextDecoder('utf-8').decode(body);
}

export function mountOpmlCommands(bot: Telegraf<BotContext>, services: BotServices): void {
  bot.command('export', async (ctx) => {
    const feeds = await followedOf(services, ctx.targetId);
    if (feeds.length === 0) return ctx.say(ctx.t.exportEmpty);
    const filters = await services.store.filters.ofChat(ctx.targetId);
    // Each feed's options and filter travel with it, as attributes of our namespace.
    const outlines = feeds.map(({ feed, sub }): OpmlFeed => {
      const filter = filters.get(feed.id);
      const options: OpmlOptions = { mode: sub.mode, preview: sub.preview, ...(sub.title ? { title: sub.title } : {}), ...(filter?.length ? { filter: showFilter(filter) } : {}) };
      return { url: feed.url, title: feed.title, siteUrl: feed.siteUrl, options };
    });
    const opml = renderOpml('feed-digest-bot', outlines, services.now());
    await services.sender.enqueue({
      id: `r:${ctx.chat.id}:${ctx.update.update_id}:export`,
      chatId: ctx.chat.id,
      plain: '',
      document: { filename: 'feeds.opml', base64: Buffer.from(opml).toString('base64'), caption: ctx.t.exportCaption(feeds.length) },
    });
  });

  const importFrom = async (ctx: BotContext) => {
    if (!(await ctx.requireAdmin())) return;
    const doc = documentOf(ctx);
    if (!doc) return ctx.say(ctx.t.importNeedsFile);
    let feeds: OpmlFeed[];
    try {
      feeds = parseOpml(await download(ctx, doc));
    } catch (error) {
      const message = (error as Error).message;
      const reason = /larger than/.test(message) ? ctx.t.opmlReasons.tooLarge : /not an OPML/.test(message) ? ctx.t.opmlReasons.notOpml : explain(error, ctx.lang, services.log, { chatId: ctx.chat!.id });
      return ctx.say(ctx.t.importBadFile(escapeHtml(reason)));
    }
    if (feeds.length === 0) return ctx.say(ctx.t.importBadFile(ctx.t.opmlReasons.empty));
    await ctx.progress(ctx.t.importWorking(Math.min(feeds.length, MAX_IMPORT)));
    const outlines = feeds.map((f) => ({ url: f.url, ...(f.title ? { title: truncate(f.title, 100) } : {}), ...(f.options ? { options: f.options } : {}) }));
    await services.requests.add({ id: `import:${ctx.chat!.id}:${ctx.update.update_id}`, chatId: ctx.chat!.id, kind: 'import', payload: { lang: ctx.lang, outlines, progressId: ctx.progressId, ...(ctx.remote ? { targetId: ctx.remote.id, targetTitle: ctx.remote.title } : {}) } });
  };

  services.requests.handle('import', async (job, reply) => {
    // Jobs queued before outlines carried titles hold bare URLs.
    const outlines = (job.payload.outlines as OpmlFeed[] | undefined) ?? ((job.payload.urls as string[] | undefined) ?? []).map((url): OpmlFeed => ({ url }));
    const read = outlines.slice(0, MAX_IMPORT);
    const byUrl = new Map(outlines.map((o) => [o.url, o]));
    // A feed new to the chat starts with the options its outline carries; one already followed keeps its own.
    const feedOptions = (url: string): Partial<FeedOptions> => {
      const o = byUrl.get(url)?.options;
      if (!o) return {};
      return { ...(o.mode ? { mode: o.mode } : {}), ...(o.title ? { title: Array.from(o.title).slice(0, MAX_TITLE).join('') } : {}), ...(o.preview ? { preview: true } : {}) };
    };
    const report = await subscribeAll(services, reply, read.map((o) => o.url), { quiet: true, feedOptions });
    for (const [url, feedId] of report.followed) {
      const filter = byUrl.get(url)?.options?.filter;
      if (filter) await services.store.filters.replace(reply.targetId, feedId, parseFilter(filter).terms, services.now());
    }
    const outline = (url: string): OpmlFeed => byUrl.get(url) ?? { url };

    // Sections of what was not imported, each headed once and naming its outlines in full (a line is never cut).
    const sections: Array<{ heading: string; left: OpmlFeed[] }> = [];
    const byReason = new Map<string, OpmlFeed[]>();
    for (const [url, reason] of report.failed) byReason.set(reason, [...(byReason.get(reason) ?? []), outline(url)]);
    for (const [reason, left] of byReason) sections.push({ heading: reply.t.importFailedGroup(escapeHtml(truncate(reason, 200)), left.length), left });
    const overCap = report.overCap.map(outline);
    if (overCap.length > 0) sections.push({ heading: reply.t.importOverCap(services.config.delivery.maxSubscriptionsPerChat, overCap.length), left: overCap });
    const pastFile = outlines.slice(MAX_IMPORT);
    if (pastFile.length > 0) sections.push({ heading: reply.t.importPastFile(MAX_IMPORT, pastFile.length), left: pastFile });

    const blocks = [reply.t.importReport(report.added, report.already, report.failed.length, overCap.length + pastFile.length)];
    let unnamed = 0;
    for (const { heading, left } of sections) {
      blocks.push('\n' + heading, ...left.slice(0, NAMED_PER_SECTION).map((o) => `• ${o.title ? link(o.title, o.url) : escapeHtml(o.url)}`));
      unnamed += Math.max(0, left.length - NAMED_PER_SECTION);
    }
    if (unnamed > 0) blocks.push('\n' + reply.t.importMore(unnamed));
    for (const message of packMessages(blocks, 4000, '\n')) await reply.say(message);
    // Everything not imported comes back as a file the reader can import again later (or elsewhere), when the reply could not name it all.
    if (unnamed > 0) {
      const left = sections.flatMap((s) => s.left);
      await services.sender.enqueue({
        id: `${job.id}:left`,
        chatId: job.chatId,
        plain: '',
        document: { filename: 'not-imported.opml', base64: Buffer.from(renderOpml('feed-digest-bot', left, services.now())).toString('base64'), caption: reply.t.importLeftCaption(left.length) },
      });
    }
  });

  bot.command('import', importFrom);
  bot.on('document', async (ctx, next) => {
    const caption = (ctx.message as { caption?: string }).caption ?? '';
    if (/^\/import(@\w+)?\b/.test(caption.trim())) return importFrom(ctx);
    return next();
  });
}
