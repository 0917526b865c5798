// Which items of a fetched feed are new: unseen keys, not older than the retention window (dates ahead read as now); marks them seen afterwards.
import type { Item } from '../core/model.js';
import type { Logger } from '../log.js';
import { SEEN_REFRESH_MS, SEEN_RETENTION_MS } from '../store/store.js';
import type { SeenQueries } from '../store/seen.js';

export interface NewItemsResult {
  fresh: Item[];
  /** Call once the fresh items are safely handed on. */
  markSeen(): Promise<void>;
}

export async function findNewItems(seen: SeenQueries, feedId: string, items: Item[], now: number, log?: Logger): Promise<NewItemsResult> {
  const last = await seen.lastSeen(feedId, items.map((i) => i.key));
  const fresh: Item[] = [];
  const toMark: string[] = [];
  for (const item of items) {
    if (!item.title && !item.url && !item.contentText) continue; // nothing to read or link to: not an article (yet)
    const at = last.get(item.key);
    if (at === undefined) {
      toMark.push(item.key);
      // An item far older than the window was seen before and forgotten, not published now; one dated ahead is published now.
      if (item.publishedAt === undefined) fresh.push(item);
      else if (item.publishedAt > now) fresh.push({ ...item, publishedAt: now });
      else if (item.publishedAt > now - SEEN_RETENTION_MS) fresh.push(item);
      else log?.info('old item skipped', { feedId, itemKey: item.key, publishedAt: new Date(item.publishedAt).toISOString() });
    } else if (at < now - SEEN_REFRESH_MS) {
      toMark.push(item.key); // still in the feed: remember it for another window
    }
  }
  return { fresh, markSeen: () => seen.mark(feedId, toMark, now) };
}
