// The bot's state as typed collections over keyv, one key per fact; keys are built here and nowhere else.
import type { Article, ChatSettings, FeedState, OutboxMessage, PendingDigest } from '../core/model.js';
import type { DailyEntry } from '../core/renderDigest.js';
import type { CachedDigest } from '../digests/summarize.js';
import { openKeyvBackend, type Collection, type KeyvBackend } from './keyvStore.js';

/** A seen item key; kept for a bounded time, refreshed while the item is still in its feed. */
export interface SeenMark {
  at: number;
}

export interface Subscription {
  feedId: string;
  chatId: number;
  createdAt: number;
}

export interface Store {
  kind: KeyvBackend['kind'];
  feeds: Collection<FeedState>;
  seen: Collection<SeenMark>;
  subs: Collection<Subscription>;
  chats: Collection<ChatSettings>;
  articles: Collection<Article>;
  pending: Collection<PendingDigest>;
  digests: Collection<CachedDigest>;
  digestsByUrl: Collection<string>;
  outbox: Collection<OutboxMessage>;
  /** Ids of outbox messages Telegram accepted (kept for two weeks): a message is never queued or sent twice. */
  sent: Collection<{ at: number }>;
  daily: Collection<DailyEntry>;
  /** Free-form small facts: provider capabilities, token usage. */
  meta: Collection<unknown>;
  backend: KeyvBackend;
  close(): Promise<void>;
}

export const keys = {
  seen: (feedId: string, itemKey: string) => `${feedId}:${itemKey}`,
  sub: (feedId: string, chatId: number) => `${feedId}:${chatId}`,
  daily: (chatId: number, articleKey: string) => `${chatId}:${articleKey}`,
  push: (chatId: number, articleKey: string) => `p:${chatId}:${articleKey}`,
};

export async function openStore(url: string, onError?: (error: unknown) => void): Promise<Store> {
  const backend = await openKeyvBackend(url, onError);
  return {
    kind: backend.kind,
    feeds: backend.collection<FeedState>('feeds'),
    seen: backend.collection<SeenMark>('seen'),
    subs: backend.collection<Subscription>('subs'),
    chats: backend.collection<ChatSettings>('chats'),
    articles: backend.collection<Article>('articles'),
    pending: backend.collection<PendingDigest>('pending'),
    digests: backend.collection<CachedDigest>('digests'),
    digestsByUrl: backend.collection<string>('digest_urls'),
    outbox: backend.collection<OutboxMessage>('outbox'),
    sent: backend.collection<{ at: number }>('sent'),
    daily: backend.collection<DailyEntry>('daily'),
    meta: backend.collection<unknown>('meta'),
    backend,
    close: () => backend.close(),
  };
}
