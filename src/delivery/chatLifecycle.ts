// What happens to a chat when Telegram changes it: a group becomes a supergroup (new id), or the bot is blocked or removed.
import type { ChatQueries } from '../store/chats.js';
import type { DailyQueries } from '../store/daily.js';
import type { OutboxQueries } from '../store/outbox.js';
import type { SubscriptionQueries } from '../store/subscriptions.js';

export interface ChatLifecycleDeps {
  chats: Pick<ChatQueries, 'moveChat' | 'deactivate'>;
  subscriptions: Pick<SubscriptionQueries, 'moveChat'>;
  daily: Pick<DailyQueries, 'moveChat'>;
  outbox: Pick<OutboxQueries, 'moveChat' | 'dropChat'>;
}

/** Moves a chat's settings, subscriptions, daily-digest queue and queued messages to its new id (each copied before the old is deleted). */
export async function migrateChat(deps: ChatLifecycleDeps, from: number, to: number, now: number): Promise<void> {
  await deps.chats.moveChat(from, to);
  await deps.subscriptions.moveChat(from, to);
  await deps.daily.moveChat(from, to);
  await deps.outbox.moveChat(from, to, now);
}

/** Sends nothing more to a chat until it speaks again; its subscriptions are kept, its queued messages dropped. */
export async function deactivateChat(deps: Pick<ChatLifecycleDeps, 'chats' | 'outbox'>, chatId: number, reason: string): Promise<number> {
  await deps.chats.deactivate(chatId, reason);
  return deps.outbox.dropChat(chatId);
}
