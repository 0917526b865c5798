// What the bot says to what it does not take as a command, in private chats: a one-line hint, a link offered for /summary, a file offered for /import.
import type { Telegraf } from 'telegraf';
import { shortHash } from '../../core/itemKey.js';
import { linksInMessage, type BotContext, type BotServices } from '../context.js';
import { summarize } from './summary.js';

const OFFER_TTL_MS = 24 * 3_600_000;

export function mountFallbacks(bot: Telegraf<BotContext>, services: BotServices): void {
  // A link offered for a digest: the button carries a short key (callback data is limited to 64 bytes), the link waits in the cache.
  bot.action(/^sum:([0-9a-f]{16})$/, async (ctx) => {
    const url = (await services.store.memory.get(`offer:${ctx.match[1]}`)) as string | undefined;
    if (!url) return void (await ctx.answerCbQuery(ctx.t.staleButton).catch(() => {}));
    await ctx.answerCbQuery().catch(() => {});
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    await summarize(services, ctx, url);
  });

  bot.on('message', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    const message = ctx.message as { text?: string; document?: { file_name?: string } };
    if (message.document) {
      if (/\.(opml|xml)$/i.test(message.document.file_name ?? '')) await ctx.say(ctx.t.offerImport, { reply: true });
      return;
    }
    const text = message.text?.trim();
    if (!text) return;
    if (text.startsWith('/')) return ctx.say(ctx.t.unknownCommand);
    const url = linksInMessage(ctx.message as Parameters<typeof linksInMessage>[0])[0];
    if (url) {
      const key = shortHash(url, 16);
      await services.store.memory.set(`offer:${key}`, url, OFFER_TTL_MS);
      return ctx.say(ctx.t.offerSummary, { reply: true, replyMarkup: { inline_keyboard: [[{ text: ctx.t.summaryButton, callback_data: `sum:${key}` }]] } });
    }
    return ctx.say(ctx.t.plainTextHint);
  });
}
