// /export and /import: a chat's subscriptions as an OPML file, and an OPML file's feeds subscribed with a report.
import type { Telegraf } from 'telegraf';
import { parseOpml, renderOpml } from '../../core/opml.js';
import { escapeHtml, packMessages, truncate } from '../../core/telegramHtml.js';
import type { BotContext, BotServices } from '../context.js';
import { explain } from '../userErrors.js';
import { feedsOfChat, subscribeAll } from './subscriptions.js';

const MAX_OPML_BYTES = 1024 * 1024;
/** Feeds one /import may add (the rest are named in the reply). */
const MAX_IMPORT = 500;

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
    const feeds = await feedsOfChat(services, ctx.chat.id);
    if (feeds.length === 0) return ctx.say(ctx.t.exportEmpty);
    const opml = renderOpml('feed-digest-bot', feeds.map((f) => ({ url: f.url, title: f.title, siteUrl: f.siteUrl })), services.now());
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
    let urls: string[];
    try {
      urls = [...new Set(parseOpml(await download(ctx, doc)).map((f) => f.url))];
    } catch (error) {
      const message = (error as Error).message;
      const reason = /larger than/.test(message) ? ctx.t.opmlReasons.tooLarge : /not an OPML/.test(message) ? ctx.t.opmlReasons.notOpml : explain(error, ctx.lang, services.log, { chatId: ctx.chat!.id });
      return ctx.say(ctx.t.importBadFile(escapeHtml(reason)));
    }
    if (urls.length > MAX_IMPORT) {
      await ctx.say(ctx.t.importTooMany(MAX_IMPORT, urls.length - MAX_IMPORT));
      urls = urls.slice(0, MAX_IMPORT);
    }
    if (urls.length === 0) return ctx.say(ctx.t.importBadFile(ctx.t.opmlReasons.empty));
    await ctx.progress(ctx.t.importWorking(urls.length));
    await services.requests.add({ id: `import:${ctx.chat!.id}:${ctx.update.update_id}`, chatId: ctx.chat!.id, kind: 'import', payload: { lang: ctx.lang, urls, progressId: ctx.progressId } });
  };

  services.requests.handle('import', async (job, reply) => {
    const report = await subscribeAll(services, reply, job.payload.urls as string[], { quiet: true });
    const failed = report.failed.map(([u, r]): [string, string] => [escapeHtml(u), escapeHtml(truncate(r, 200))]);
    for (const message of packMessages([reply.t.importReport(report.added, report.already, failed)])) await reply.say(message);
  });

  bot.command('import', importFrom);
  bot.on('document', async (ctx, next) => {
    const caption = (ctx.message as { caption?: string }).caption ?? '';
    if (/^\/import(@\w+)?\b/.test(caption.trim())) return importFrom(ctx);
    return next();
  });
}
