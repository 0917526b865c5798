// An item's identity within its feed, and an article's identity across feeds.
import { createHash } from 'node:crypto';

export function shortHash(text: string, length = 24): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** guid, else canonical link, else a hash of title and content. */
export function itemKey(item: { guid?: string | undefined; canonicalUrl?: string | undefined; title: string; contentText: string }): string {
  const guid = item.guid?.trim();
  if (guid) return `g:${guid}`;
  if (item.canonicalUrl) return `u:${item.canonicalUrl}`;
  return `h:${shortHash(`${item.title}\n${item.contentText}`)}`;
}

/**
 * The article behind an item: its canonical URL when the feed speaks for that URL's site (so two feeds of one site share it),
 * else the item within its feed — a feed's text about another site's URL never becomes that URL's article for other feeds.
 */
export function articleKey(feedId: string, item: { key: string; canonicalUrl?: string | undefined }, ownSite: boolean): string {
  return item.canonicalUrl && ownSite ? shortHash(`url:${item.canonicalUrl}`) : shortHash(`item:${feedId}:${item.key}`);
}

/** A feed's id from its URL. */
export function feedId(url: string): string {
  return shortHash(`feed:${url}`, 16);
}
