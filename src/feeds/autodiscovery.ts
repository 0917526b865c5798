// Finds the feeds an HTML page advertises (<link rel="alternate" type="application/rss+xml" …>), as absolute URLs.
import { absoluteUrl } from '../core/canonicalUrl.js';
import { decodeEntities } from '../core/text.js';

const FEED_TYPES = /^application\/(rss|atom|rdf|feed)\+(xml|json)$|^application\/(rss|atom)$|^text\/xml$|^application\/json$/i;

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const v = m?.[2] ?? m?.[3] ?? m?.[4];
  return v === undefined ? undefined : decodeEntities(v);
}

export interface DiscoveredFeed {
  url: string;
  title?: string;
  type: string;
}

/** The feeds a page links to, in page order, without duplicates; `<base href>` respected. */
export function discoverFeeds(html: string, pageUrl: string): DiscoveredFeed[] {
  const head = html.slice(0, 512 * 1024);
  const baseTag = /<base\b[^>]*>/i.exec(head)?.[0];
  const base = absoluteUrl(baseTag ? attr(baseTag, 'href') : undefined, pageUrl) ?? pageUrl;
  const found: DiscoveredFeed[] = [];
  const seen = new Set<string>();
  for (const [tag] of head.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/);
    const type = (attr(tag, 'type') ?? '').toLowerCase();
    if (!rel.includes('alternate') || !FEED_TYPES.test(type)) continue;
    const url = absoluteUrl(attr(tag, 'href'), base);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const title = attr(tag, 'title');
    found.push(title ? { url, title, type } : { url, type });
  }
  return found;
}
