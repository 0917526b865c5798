// What happens to a chat when Telegram changes it: a group becomes a supergroup (new id), the bot is blocked or removed, a forum topic goes.
import { renderTopicGone } from '../core/renderDigest.js';
import type { ChatMoves } from '../store/chatMoves.js';
import type { ChatQueries } from '../store/chats.js';
import type { OutboxQueries } from '../store/outbox.js';
import type { SubscriptionQueries } from '../store/subscriptions.js';
import { htmlMessage } from './sender.js';

export interface ChatLifecycleDeps {
  chats: Pick<ChatQueries, 'deactivate' | 'get'>;
  moves: ChatMoves;
  outbox: Pick<OutboxQueries, 'dropChat' | 'enqueue'>;
  subscriptions: Pick<SubscriptionQueries, 'leaveTopic'>;
}

/**
 * A forum topic was deleted or closed: the feeds sent there (and what is queued for it) go to the chat's main thread, and the
 * chat is told once (the note's id names the topic). Nothing is lost, and nothing is tried again in the dead topic.
 */
export async function leaveDeadTopic(deps: Pick<ChatLifecycleDeps, 'chats' | 'outbox' | 'subscriptions'>, chatId: number, threadId: number, now: number): Promise<void> {
  const moved = await deps.subscriptions.leaveTopic(chatId, threadId);
  if (moved === 0) return;
  const lang = (await deps.chats.get(chatId))?.lang ?? 'zh';
  await deps.outbox.enqueue([htmlMessage(`topic-gone:${chatId}:${threadId}`, chatId, renderTopicGone(moved, lang))], now);
}

/** Moves a chat's settings, subscriptions, daily-digest queue and queued messages to its new id, all in one transaction. */
export async function migrateChat(deps: Pick<ChatLifecycleDeps, 'moves'>, from: number, to: number, now: number): Promise<void> {
  await deps.moves.moveChat(from, to, now);
}

/** Sends nothing more to a chat until it speaks again; its subscriptions are kept, its queued messages and daily lines dropped. */
export async function deactivateChat(deps: Pick<ChatLifecycleDeps, 'chats' | 'outbox'>, chatId: number, reason: string): Promise<number> {
  await deps.chats.deactivate(chatId, reason);
  return deps.outbox.dropChat(chatId);
}
