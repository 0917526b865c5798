// The daily digest: each minute, claims the chats whose digest instant has passed (by index, a page at a time) and queues what arrived since the last one.
import { localDay, nextLocalTime } from '../core/localTime.js';
import type { ChatSettings } from '../core/model.js';
import { renderDaily, type DailyEntry } from '../core/renderDigest.js';
import type { Logger } from '../log.js';
import type { ChatQueries } from '../store/chats.js';
import type { DailyQueries, DigestPage } from '../store/daily.js';
import type { SubscriptionQueries } from '../store/subscriptions.js';
import type { Sender } from './sender.js';

export interface DailyDigest {
  /** Sends every due chat its digest; returns how many chats got one. */
  tick(): Promise<number>;
  /** `/digest`: this chat's digest now; returns the number of articles (0: nothing to send). */
  sendNow(chatId: number): Promise<number>;
}

export interface DailyDigestDeps {
  chats: Pick<ChatQueries, 'get' | 'claimDueDigests'>;
  daily: Pick<DailyQueries, 'ofChats' | 'commit'>;
  /** Which chats in instant mode keep a schedule for feeds of their own in daily mode. */
  subscriptions: Pick<SubscriptionQueries, 'withDailyFeeds'>;
  /** Told when messages were queued (they are queued with their record, in the store). */
  sender: Pick<Sender, 'wake'>;
  log: Logger;
  now: () => number;
  /** This process's id as the owner of its claims. */
  owner: string;
  /**
   * Chats composed per page: each page is a claim, a read and one transaction, and other work (updates, sends) waits for at most
   * one of them on SQLite's single connection, so pages there are small.
   */
  pageSize?: number;
}

/**
 * When a chat's next scheduled digest is due: its next digest time, or never in instant mode — unless one of its feeds is set to
 * daily or both on its own (`dailyFeeds`).
 */
export function nextDigestAt(chat: Pick<ChatSettings, 'mode' | 'digestTime' | 'timezone'>, now: number, dailyFeeds = false): number | null {
  return chat.mode === 'instant' && !dailyFeeds ? null : nextLocalTime(now, chat.digestTime, chat.timezone);
}

/** A crashed tick's chats come back after this (a page is composed and recorded in well under it). */
const HOLD_MS = 2 * 60_000;

/** A cache for one page: `make()` runs once per key (a page of chats shares a few zones and times). */
function pageCache() {
  const known = new Map<string, unknown>();
  return <T>(key: string, make: () => T): T => {
    if (!known.has(key)) known.set(key, make());
    return known.get(key) as T;
  };
}

export function createDailyDigest(deps: DailyDigestDeps): DailyDigest {
  /** The digest's messages, under ids of its own (`label`): queued with their entries' removal after, a rerun queues nothing twice. */
  const messagesOf = (chat: ChatSettings, entries: DailyEntry[], label: string, now: number, day = localDay(now, chat.timezone)) => {
    // A forum group's digest comes to each topic with that topic's feeds (the main thread's first, under the ids it always had).
    const byTopic = new Map<number | undefined, DailyEntry[]>();
    for (const e of entries) byTopic.set(e.threadId, [...(byTopic.get(e.threadId) ?? []), e]);
    const topics = [...byTopic.keys()].sort((a, b) => (a ?? -1) - (b ?? -1));
    let n = 0;
    return topics.flatMap((threadId) =>
      renderDaily(byTopic.get(threadId)!, day, chat.lang, chat.merge).map((m, i) => ({
        id: threadId === undefined ? `d:${chat.id}:${label}:${i}` : `d:${chat.id}:${label}:t${threadId}:${i}`,
        chatId: chat.id,
        html: m.html,
        plain: m.plain,
        noPreview: true,
        ...(threadId === undefined ? {} : { threadId }),
        createdAt: now + n++,
      })),
    );
  };

  const claimant = { owner: deps.owner, holdMs: HOLD_MS };
  return {
    async tick() {
      let sent = 0;
      for (;;) {
        const now = deps.now();
        const due = await deps.chats.claimDueDigests(now, deps.pageSize ?? 200, claimant);
        if (due.length === 0) return sent;
        // A page of chats at a time: their entries in one read; their digests, what those held and their next instants in one
        // transaction, so a crash anywhere leaves either all of it or none (and the re-claim makes the same ids again).
        // Entries wait only for chats that want them (the fan-out follows each feed's mode): every active due chat is read.
        const wanted = new Set(due.filter((c) => c.active).map((c) => c.id));
        const byChat = await deps.daily.ofChats([...wanted]);
        const instant = due.filter((c) => c.mode === 'instant').map((c) => c.id);
        const dailyFeeds = instant.length ? await deps.subscriptions.withDailyFeeds(instant) : new Set<number>();
        const once = pageCache();
        const pages: DigestPage[] = due.map((chat) => {
          const entries = wanted.has(chat.id) ? (byChat.get(chat.id) ?? []) : [];
          return {
            chatId: chat.id,
            // The digest's identity is the instant it was due: a chat that moves its time or zone never reuses an old digest's ids.
            messages: entries.length ? messagesOf(chat, entries, String(chat.nextDigestAt), now, once(`day|${chat.timezone}`, () => localDay(now, chat.timezone))) : [],
            entries,
            nextDigestAt: once(`next|${chat.mode}|${dailyFeeds.has(chat.id)}|${chat.digestTime}|${chat.timezone}`, () => nextDigestAt(chat, now, dailyFeeds.has(chat.id))),
          };
        });
        const recorded = new Set(await deps.daily.commit(pages, now, deps.owner));
        const queued = pages.filter((p) => recorded.has(p.chatId) && p.messages.length > 0);
        sent += queued.length;
        if (queued.length) {
          deps.sender.wake();
          deps.log.info('daily digests queued', { chats: queued.length, messages: queued.reduce((n, p) => n + p.messages.length, 0) });
        }
        if (recorded.size < pages.length) deps.log.warn('daily digest claims lost to another worker; their digests are theirs', { chats: pages.length - recorded.size });
        await new Promise((resolve) => setImmediate(resolve)); // updates and sends go on between pages
      }
    },
    async sendNow(chatId) {
      const chat = await deps.chats.get(chatId);
      if (!chat) return 0;
      const entries = (await deps.daily.ofChats([chatId])).get(chatId) ?? [];
      if (entries.length === 0) return 0;
      const now = deps.now();
      await deps.daily.commit([{ chatId, messages: messagesOf(chat, entries, `now${now}`, now), entries }], now);
      deps.sender.wake();
      deps.log.info('daily digest queued on request', { chatId, articles: entries.length });
      return entries.length;
    },
  };
}
