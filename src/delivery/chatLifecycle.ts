// What happens to a chat when Telegram changes it: a group becomes a supergroup (new id), or the bot is blocked or removed.
import type { ChatMoves } from '../store/chatMoves.js';
import type { ChatQueries } from '../store/chats.js';
import type { OutboxQueries } from '../store/outbox.js';

export interface ChatLifecycleDeps {
  chats: Pick<ChatQueries, 'deactivate'>;
  moves: ChatMoves;
  outbox: Pick<OutboxQueries, 'dropChat'>;
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
