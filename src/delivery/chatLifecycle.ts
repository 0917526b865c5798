// What happens to a chat when Telegram changes it: a group becomes a supergroup (new id), or the bot is blocked or removed.
import { keys, type Store } from '../store/store.js';
import type { SubscriptionIndex } from '../store/subscriptions.js';

/** Moves a chat's settings, subscriptions and daily-digest queue to its new id. */
export async function migrateChat(store: Store, subs: SubscriptionIndex, from: number, to: number, now: number): Promise<void> {
  const chat = await store.chats.get(String(from));
  if (chat) {
    await store.chats.set(String(to), { ...chat, id: to, type: 'supergroup' });
    await store.chats.delete(String(from));
  }
  await subs.moveChat(from, to, now);
  for await (const [key, entry] of store.daily.entries()) {
    if (entry.chatId !== from) continue;
    await store.daily.set(keys.daily(to, entry.articleKey), { ...entry, chatId: to });
    await store.daily.delete(key);
  }
}

/** Sends nothing more to a chat until it speaks again; its subscriptions are kept. */
export async function deactivateChat(store: Store, chatId: number, reason: string): Promise<void> {
  const chat = await store.chats.get(String(chatId));
  if (chat?.active) await store.chats.set(String(chatId), { ...chat, active: false, inactiveReason: reason });
}
