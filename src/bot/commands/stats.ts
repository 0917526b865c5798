// /stats for ADMIN_IDS: the operator's figures (feeds, chats, queue, pending and failed work, tokens, sender); anyone else is not answered differently from an unknown command.
import type { Telegraf } from 'telegraf';
import type { BotContext, BotServices } from '../context.js';

export function mountStatsCommand(bot: Telegraf<BotContext>, services: BotServices): void {
  bot.command('stats', async (ctx) => {
    const from = ctx.from?.id;
    if (from === undefined || !services.config.adminIds.includes(from)) return ctx.say(ctx.t.unknownCommand);
    await ctx.say(ctx.t.stats(await services.figures()));
  });
}
