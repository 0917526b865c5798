// Which items of a fetched feed are new: unseen keys, not older than the retention window; marks them seen afterwards.
import type { Item } from '../core/model.js';
import { keys, type Store } from '../store/store.js';

/** How long a seen key is remembered after it was last seen in its feed. */
export const SEEN_RETENTION_MS = 120 * 24 * 3_600_000;

export interface NewItemsResult {
  fresh: Item[];
  /** Call once the fresh items are safely handed on. */
  markSeen(): Promise<void>;
}

export async function findNewItems(store: Store, feedId: string, items: Item[], now: number): Promise<NewItemsResult> {
  const seenKeys = items.map((i) => keys.seen(feedId, i.key));
  const marks = await store.seen.getMany(seenKeys);
  const fresh: Item[] = [];
  const toWrite: string[] = [];
  items.forEach((item, i) => {
    const mark = marks[i];
    if (!mark) {
      toWrite.push(seenKeys[i]!);
      // An item far older than the window was seen before and forgotten, not published now.
      if (item.publishedAt === undefined || item.publishedAt > now - SEEN_RETENTION_MS) fresh.push(item);
    } else if (mark.at < now - SEEN_RETENTION_MS / 2) {
      toWrite.push(seenKeys[i]!); // still in the feed: remember it for another window
    }
  });
  return {
    fresh,
    markSeen: async () => {
      await Promise.all(toWrite.map((k) => store.seen.set(k, { at: now }, SEEN_RETENTION_MS)));
    },
  };
}
