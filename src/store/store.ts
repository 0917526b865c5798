// The bot's state as typed collections over keyv, one key per fact; keys are built here and nowhere else.
import type { FeedState } from '../core/model.js';
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
  /** Free-form small facts: provider capabilities, token usage, schema version. */
  meta: Collection<unknown>;
  backend: KeyvBackend;
  close(): Promise<void>;
}

export const keys = {
  seen: (feedId: string, itemKey: string) => `${feedId}:${itemKey}`,
  sub: (feedId: string, chatId: number) => `${feedId}:${chatId}`,
};

export async function openStore(url: string, onError?: (error: unknown) => void): Promise<Store> {
  const backend = await openKeyvBackend(url, onError);
  return {
    kind: backend.kind,
    feeds: backend.collection<FeedState>('feeds'),
    seen: backend.collection<SeenMark>('seen'),
    subs: backend.collection<Subscription>('subs'),
    meta: backend.collection<unknown>('meta'),
    backend,
    close: () => backend.close(),
  };
}
