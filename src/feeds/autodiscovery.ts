// Finds the feeds an HTML page advertises (<link rel="alternate" type="application/rss+xml" …>), as absolute URLs — with a tokenizer, linear in the page.
import { absoluteUrl } from '../core/canonicalUrl.js';
import { readMarkup } from '../core/markup.js';

const FEED_TYPES = /^application\/(rss|atom|rdf|feed)\+(xml|json)$|^application\/(rss|atom)$|^text\/xml$|^application\/json$/i;

export interface DiscoveredFeed {
  url: string;
  title?: string;
  type: string;
}

/** The feeds a page links to, in page order, without duplicates; `<base href>` respected. */
export function discoverFeeds(html: string, pageUrl: string): DiscoveredFeed[] {
  const head = html.slice(0, 512 * 1024);
  let base = pageUrl;
  const links: Array<Record<string, string>> = [];
  readMarkup(head, 'html', {
    open(name, attrs) {
      if (name === 'base' && attrs.href && base === pageUrl) base = absoluteUrl(attrs.href, pageUrl) ?? pageUrl;
      else if (name === 'link') links.push(attrs);
    },
  });
  const found: DiscoveredFeed[] = [];
  const seen = new Set<string>();
  for (const attrs of links) {
    const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
    const type = (attrs.type ?? '').toLowerCase().trim();
    if (!rel.includes('alternate') || !FEED_TYPES.test(type)) continue;
    const url = absoluteUrl(attrs.href, base);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const title = attrs.title?.trim();
    found.push(title ? { url, title, type } : { url, type });
  }
  return found;
}
