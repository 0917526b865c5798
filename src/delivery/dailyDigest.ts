// The daily digest: a minutely tick sends each chat whose local time has reached its digest time what arrived since the last one.
import { localClock, localDay, padClock } from '../core/localTime.js';
import type { ChatSettings } from '../core/model.js';
import { renderDaily, type DailyEntry } from '../core/renderDigest.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Sender } from './sender.js';

export interface DailyDigest {
  /** Sends every due chat its digest; returns how many chats got one. */
  tick(): Promise<number>;
  /** `/digest`: this chat's digest now; returns the number of articles (0: nothing to send). */
  sendNow(chatId: number): Promise<number>;
}

export interface DailyDigestDeps {
  store: Store;
  sender: Sender;
  log: Logger;
  now: () => number;
}

export function isDigestDue(chat: ChatSettings, now: number): boolean {
  if (!chat.active || chat.mode === 'instant') return false;
  const today = localDay(now, chat.timezone);
  return chat.lastDigestDay !== today && localClock(now, chat.timezone) >= padClock(chat.digestTime);
}

export function createDailyDigest(deps: DailyDigestDeps): DailyDigest {
  async function entriesByChat(only?: number): Promise<Map<number, Array<[string, DailyEntry]>>> {
    const map = new Map<number, Array<[string, DailyEntry]>>();
    for await (const [key, entry] of deps.store.daily.entries()) {
      if (only !== undefined && entry.chatId !== only) continue;
      const list = map.get(entry.chatId) ?? [];
      list.push([key, entry]);
      map.set(entry.chatId, list);
    }
    return map;
  }

  /** Queues the digest under stable ids, then forgets its entries: a rerun after a crash queues nothing twice. */
  async function send(chat: ChatSettings, entries: Array<[string, DailyEntry]>, label: string): Promise<number> {
    if (entries.length === 0) return 0;
    const now = deps.now();
    const messages = renderDaily(entries.map(([, e]) => e), localDay(now, chat.timezone), chat.lang);
    for (const [i, m] of messages.entries()) {
      await deps.sender.enqueue({ id: `d:${chat.id}:${label}:${i}`, chatId: chat.id, html: m.html, plain: m.plain, noPreview: true, createdAt: now + i });
    }
    for (const [key] of entries) await deps.store.daily.delete(key);
    deps.log.info('daily digest queued', { chatId: chat.id, articles: entries.length, messages: messages.length });
    return entries.length;
  }

  return {
    async tick() {
      const now = deps.now();
      const due: ChatSettings[] = [];
      for await (const [, chat] of deps.store.chats.entries()) if (isDigestDue(chat, now)) due.push(chat);
      if (due.length === 0) return 0;
      const byChat = await entriesByChat();
      let sent = 0;
      for (const chat of due) {
        const day = localDay(now, chat.timezone);
        if ((await send(chat, byChat.get(chat.id) ?? [], day)) > 0) sent++;
        const fresh = (await deps.store.chats.get(String(chat.id))) ?? chat;
        await deps.store.chats.set(String(chat.id), { ...fresh, lastDigestDay: day });
      }
      return sent;
    },
    async sendNow(chatId) {
      const chat = await deps.store.chats.get(String(chatId));
      if (!chat) return 0;
      const entries = (await entriesByChat(chatId)).get(chatId) ?? [];
      return send(chat, entries, `now${deps.now()}`);
    },
  };
}
