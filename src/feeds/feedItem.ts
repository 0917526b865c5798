// Items from a feed's fields, whatever the format: key and canonical URL, optional fields only when filled, the first readable date.
import { canonicalUrl } from '../core/canonicalUrl.js';
import { parseFeedDate, type DateReading } from '../core/feedDate.js';
import { itemKey } from '../core/itemKey.js';
import type { Item } from '../core/model.js';

export type ItemFields = Omit<Item, 'key' | 'canonicalUrl'>;

export function finishItem(partial: ItemFields): Item {
  const canonical = canonicalUrl(partial.url);
  const item: Item = { ...partial, key: '' };
  if (canonical) item.canonicalUrl = canonical;
  item.key = itemKey(item);
  return item;
}

export function setIf<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined && value !== '') obj[key] = value;
}

/** The first of `candidates` that reads as a date. */
export function dateOf(candidates: unknown[], reading?: DateReading): number | undefined {
  for (const c of candidates) {
    const t = typeof c === 'string' ? parseFeedDate(c, reading) : undefined;
    if (t !== undefined) return t;
  }
  return undefined;
}
