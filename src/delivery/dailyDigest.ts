// The daily digest: each minute, claims the chats whose digest instant has passed (by index, a page at a time) and queues what arrived since the last one.
import { nextLocalTime } from '../core/localTime.js';
import type { ChatSettings } from '../core/model.js';
import { renderDaily, type DailyEntry } from '../core/renderDigest.js';
import { localDay } from '../core/localTime.js';
import type { Logger } from '../log.js';
import type { ChatQueries } from '../store/chats.js';
import type { DailyQueries } from '../store/daily.js';
import type { Sender } from './sender.js';

export interface DailyDigest {
  /** Sends every due chat its digest; returns how many chats got one. */
  tick(): Promise<number>;
  /** `/digest`: this chat's digest now; returns the number of articles (0: nothing to send). */
  sendNow(chatId: number): Promise<number>;
}

export interface DailyDigestDeps {
  chats: Pick<ChatQueries, 'get' | 'claimDueDigests' | 'update'>;
  daily: Pick<DailyQueries, 'ofChats' | 'remove'>;
  sender: Pick<Sender, 'enqueueMany'>;
  log: Logger;
  now: () => number;
  /** Chats composed per page. */
  pageSize?: number;
}

/** When a chat's next scheduled digest is due: its next digest time, or never in instant mode. */
export function nextDigestAt(chat: Pick<ChatSettings, 'mode' | 'digestTime' | 'timezone'>, now: number): number | null {
  return chat.mode === 'instant' ? null : nextLocalTime(now, chat.digestTime, chat.timezone);
}

/** A crashed tick's chats come back after this. */
const HOLD_MS = 10 * 60_000;

export function createDailyDigest(deps: DailyDigestDeps): DailyDigest {
  /** Queues the digest under ids of its own (`label`), then forgets its entries: a rerun after a crash queues nothing twice. */
  async function send(chat: ChatSettings, entries: DailyEntry[], label: string): Promise<number> {
    if (entries.length === 0) return 0;
    const now = deps.now();
    const messages = renderDaily(entries, localDay(now, chat.timezone), chat.lang);
    await deps.sender.enqueueMany(
      messages.map((m, i) => ({ id: `d:${chat.id}:${label}:${i}`, chatId: chat.id, html: m.html, plain: m.plain, noPreview: true, createdAt: now + i })),
    );
    await deps.daily.remove(
      chat.id,
      entries.map((e) => e.articleKey),
    );
    deps.log.info('daily digest queued', { chatId: chat.id, articles: entries.length, messages: messages.length });
    return entries.length;
  }

  return {
    async tick() {
      let sent = 0;
      for (;;) {
        const now = deps.now();
        const due = await deps.chats.claimDueDigests(now, deps.pageSize ?? 200, HOLD_MS);
        if (due.length === 0) return sent;
        const byChat = await deps.daily.ofChats(due.filter((c) => c.active && c.mode !== 'instant').map((c) => c.id));
        for (const chat of due) {
          const entries = chat.active && chat.mode !== 'instant' ? (byChat.get(chat.id) ?? []) : [];
          // The digest's identity is the instant it was due: a chat that moves its time or zone never reuses an old digest's ids.
          if ((await send(chat, entries, String(chat.nextDigestAt))) > 0) sent++;
          await deps.chats.update(chat.id, { nextDigestAt: nextDigestAt(chat, now), lastDigestAt: now });
        }
      }
    },
    async sendNow(chatId) {
      const chat = await deps.chats.get(chatId);
      if (!chat) return 0;
      const entries = (await deps.daily.ofChats([chatId])).get(chatId) ?? [];
      return send(chat, entries, `now${deps.now()}`);
    },
  };
}
