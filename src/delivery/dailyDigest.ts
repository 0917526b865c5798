// The daily digest: each minute, claims the chats whose digest instant has passed (by index, a page at a time) and queues what arrived since the last one.
import { localDay, nextLocalTime } from '../core/localTime.js';
import type { ChatSettings } from '../core/model.js';
import { renderDaily, type DailyEntry } from '../core/renderDigest.js';
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
  chats: Pick<ChatQueries, 'get' | 'claimDueDigests' | 'scheduleDigests'>;
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
  /** The digest's messages, under ids of its own (`label`): queued with their entries' removal after, a rerun queues nothing twice. */
  const messagesOf = (chat: ChatSettings, entries: DailyEntry[], label: string, now: number) =>
    renderDaily(entries, localDay(now, chat.timezone), chat.lang).map((m, i) => ({
      id: `d:${chat.id}:${label}:${i}`,
      chatId: chat.id,
      html: m.html,
      plain: m.plain,
      noPreview: true,
      createdAt: now + i,
    }));

  return {
    async tick() {
      let sent = 0;
      for (;;) {
        const now = deps.now();
        const due = await deps.chats.claimDueDigests(now, deps.pageSize ?? 200, HOLD_MS);
        if (due.length === 0) return sent;
        // A page of chats at a time: their entries in one read, their digests in one batch of inserts, their entries removed after.
        const wanted = due.filter((c) => c.active && c.mode !== 'instant');
        const byChat = await deps.daily.ofChats(wanted.map((c) => c.id));
        const messages = [];
        const taken: DailyEntry[] = [];
        for (const chat of wanted) {
          const entries = byChat.get(chat.id) ?? [];
          if (entries.length === 0) continue;
          // The digest's identity is the instant it was due: a chat that moves its time or zone never reuses an old digest's ids.
          messages.push(...messagesOf(chat, entries, String(chat.nextDigestAt), now));
          taken.push(...entries);
          sent++;
        }
        await deps.sender.enqueueMany(messages);
        await deps.daily.remove(taken);
        await deps.chats.scheduleDigests(
          due.map((chat) => ({ id: chat.id, nextDigestAt: nextDigestAt(chat, now) })),
          now,
        );
        if (messages.length) deps.log.info('daily digests queued', { chats: sent, messages: messages.length });
      }
    },
    async sendNow(chatId) {
      const chat = await deps.chats.get(chatId);
      if (!chat) return 0;
      const entries = (await deps.daily.ofChats([chatId])).get(chatId) ?? [];
      if (entries.length === 0) return 0;
      const now = deps.now();
      await deps.sender.enqueueMany(messagesOf(chat, entries, `now${now}`, now));
      await deps.daily.remove(entries);
      deps.log.info('daily digest queued on request', { chatId, articles: entries.length });
      return entries.length;
    },
  };
}
