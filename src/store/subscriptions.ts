// Who follows what: subscriptions stored one key each, with an in-memory index both ways, refreshed from the store on demand.
import { keys, type Store, type Subscription } from './store.js';

export interface SubscriptionIndex {
  subscribers(feedId: string): Promise<number[]>;
  subscriptions(chatId: number): Promise<Subscription[]>;
  add(feedId: string, chatId: number, now: number): Promise<boolean>;
  remove(feedId: string, chatId: number): Promise<boolean>;
  /** How many chats follow a feed (0 means the feed can go). */
  count(feedId: string): Promise<number>;
  moveChat(fromChatId: number, toChatId: number, now: number): Promise<void>;
  /** Re-reads the store (other replicas may have changed it). */
  refresh(): Promise<void>;
}

export function createSubscriptionIndex(store: Store): SubscriptionIndex {
  let byFeed: Map<string, Map<number, Subscription>> | undefined;
  let loading: Promise<Map<string, Map<number, Subscription>>> | undefined;

  const load = async () => {
    const map = new Map<string, Map<number, Subscription>>();
    for await (const [, sub] of store.subs.entries()) {
      const chats = map.get(sub.feedId) ?? new Map();
      chats.set(sub.chatId, sub);
      map.set(sub.feedId, chats);
    }
    byFeed = map;
    return map;
  };
  const index = async () => byFeed ?? (loading ??= load().finally(() => (loading = undefined)));

  const api: SubscriptionIndex = {
    async subscribers(feedId) {
      return [...((await index()).get(feedId)?.keys() ?? [])];
    },
    async subscriptions(chatId) {
      const out: Subscription[] = [];
      for (const chats of (await index()).values()) {
        const sub = chats.get(chatId);
        if (sub) out.push(sub);
      }
      return out.sort((a, b) => a.createdAt - b.createdAt);
    },
    async add(feedId, chatId, now) {
      const map = await index();
      if (map.get(feedId)?.has(chatId)) return false;
      const sub: Subscription = { feedId, chatId, createdAt: now };
      await store.subs.set(keys.sub(feedId, chatId), sub);
      const chats = map.get(feedId) ?? new Map();
      chats.set(chatId, sub);
      map.set(feedId, chats);
      return true;
    },
    async remove(feedId, chatId) {
      const map = await index();
      const removed = await store.subs.delete(keys.sub(feedId, chatId));
      map.get(feedId)?.delete(chatId);
      if (map.get(feedId)?.size === 0) map.delete(feedId);
      return removed;
    },
    async count(feedId) {
      return (await index()).get(feedId)?.size ?? 0;
    },
    async moveChat(from, to, now) {
      for (const sub of await api.subscriptions(from)) {
        await api.add(sub.feedId, to, now);
        await api.remove(sub.feedId, from);
      }
    },
    async refresh() {
      await load();
    },
  };
  return api;
}
