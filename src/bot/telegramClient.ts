// Telegram clients: telegraf loaded when one is needed, with one pool of kept-alive connections. telegraf keeps its https agent
// but drops it for an http:// API root (a local Bot API server), and a new TCP connection per message costs more than the message.
import { Agent } from 'node:http';
import type { Telegram } from 'telegraf';

let agent: Agent | undefined;

/** Gives a telegraf client talking to an http:// root a keep-alive agent (an https root keeps telegraf's own); returns it. */
export function keepAlive<T extends Pick<Telegram, 'options'>>(telegram: T): T {
  if (telegram.options.apiRoot.startsWith('http://')) {
    agent ??= new Agent({ keepAlive: true, keepAliveMsecs: 10_000 });
    (telegram.options as { agent?: Agent }).agent = agent;
  }
  return telegram;
}

/** A client of the Bot API at `apiRoot` (telegraf imported on first use: `help` and `poll --once` without a token never load it). */
export async function telegramClient(token: string, apiRoot: string): Promise<Telegram> {
  const { Telegram } = await import('telegraf');
  return keepAlive(new Telegram(token, { apiRoot, webhookReply: false } as never));
}
