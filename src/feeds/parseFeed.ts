// Decoded document → ParsedFeed: RSS 0.9x/1.0/2.0 and Atom through rss-parser's parseString, JSON Feed through our reader.
import Parser from 'rss-parser';
import { absoluteUrl, canonicalUrl } from '../core/canonicalUrl.js';
import { itemKey } from '../core/itemKey.js';
import type { Item, ParsedFeed } from '../core/model.js';
import { decodeEntities, htmlToText, toPlainLine } from '../core/text.js';
import { discoverFeeds, type DiscoveredFeed } from './autodiscovery.js';
import { readJsonFeed, NotJsonFeedError, type JsonFeedItem } from './jsonFeed.js';

/** The document is not a feed; when it is an HTML page, the feeds it advertises come along. */
export class NotAFeedError extends Error {
  constructor(
    message: string,
    readonly alternates: DiscoveredFeed[] = [],
  ) {
    super(message);
    this.name = 'NotAFeedError';
  }
}

type RawItem = Parser.Item & Record<string, unknown>;

const parser: Parser<Record<string, unknown>, RawItem> = new Parser({
  customFields: {
    feed: ['ttl'],
    item: [['dc:creator', 'dcCreator'], ['dc:date', 'dcDate'], 'issued', 'modified', 'created', 'updated', 'published', ['category', 'rawCategories', { keepArray: true }], ['description', 'description']],
  },
});

/** Removes what strict XML parsers choke on before the root: BOM, blank lines, prologs that are not first, bogus PIs. */
function cleanXml(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/<\?(xml|phpxml)\b[^?]*\?>/i, '')
    .replace(/^\s+/, '')
    .replace(/<rss(?![^>]*\bversion=)(?=[\s>])/, '<rss version="2.0"');
}

const attrValue = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];

/** Applies xml:base on entries and links (rss-parser ignores it): relative link hrefs become absolute. */
function applyXmlBase(xml: string, rootBase: string): string {
  if (!/\sxml:base\s*=/.test(xml)) return xml;
  return xml.replace(/<(entry|item)\b([^>]*)>([\s\S]*?)<\/\1>/g, (whole, name: string, attrs: string, body: string) => {
    const entryBase = absoluteUrl(attrValue(attrs, 'xml:base'), rootBase) ?? rootBase;
    const fixed = body.replace(/<link\b[^>]*>/g, (tag) => {
      const href = attrValue(tag, 'href');
      if (href === undefined) return tag;
      const base = absoluteUrl(attrValue(tag, 'xml:base'), entryBase) ?? entryBase;
      const abs = absoluteUrl(href, base);
      return abs ? tag.replace(/\bhref\s*=\s*["'][^"']*["']/, `href="${abs.replace(/&(?!amp;)/g, '&amp;').replace(/"/g, '&quot;')}"`) : tag;
    });
    return fixed === body ? whole : `<${name}${attrs}>${fixed}</${name}>`;
  });
}

/** Escapes bare ampersands and drops characters XML forbids: the usual damage in hand-made feeds. */
function repairXml(text: string): string {
  return text
    .replace(/&(?!(#\d{1,7}|#x[\da-f]{1,6}|[a-z][\w.-]{0,31});)/gi, '&amp;')
    .replace(/&#(\d{1,7})(?=[^\d;])/g, '&amp;#$1')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

function rootXmlBase(xml: string, feedUrl: string): string {
  const root = /<(rss|feed|rdf:RDF|RDF)\b[^>]*>/i.exec(xml)?.[0] ?? '';
  const base = /\bxml:base\s*=\s*["']([^"']+)["']/i.exec(root)?.[1];
  return absoluteUrl(base, feedUrl) ?? feedUrl;
}

function dateOf(...candidates: Array<string | undefined>): number | undefined {
  for (const c of candidates) {
    if (!c) continue;
    const t = Date.parse(c.trim());
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v._ === 'string') return v._;
    if (typeof v.name === 'string') return v.name;
  }
  return undefined;
}

function categoriesOf(raw: RawItem): string[] {
  const list = [...((raw.categories as unknown[]) ?? []), ...((raw.rawCategories as unknown[]) ?? [])];
  const out = new Set<string>();
  for (const c of list) {
    const s = toPlainLine(stringOf(c) ?? (c as { $?: { term?: string } })?.$?.term);
    if (s) out.add(s);
  }
  return [...out];
}

function finishItem(partial: Omit<Item, 'key' | 'canonicalUrl'>): Item {
  const canonical = canonicalUrl(partial.url);
  const item: Item = { ...partial, key: '' };
  if (canonical) item.canonicalUrl = canonical;
  item.key = itemKey(item);
  return item;
}

function setIf<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined && value !== '') obj[key] = value;
}

function fromRss(raw: RawItem, base: string): Item {
  const html =
    (raw['content:encoded'] as string | undefined) ?? (raw.content as string | undefined) ?? (raw.summary as string | undefined) ?? (raw.description as string | undefined) ?? '';
  const link = raw.link ?? (typeof raw.guid === 'string' && /^https?:\/\//.test(raw.guid) ? raw.guid : undefined);
  const item: Omit<Item, 'key' | 'canonicalUrl'> = {
    title: toPlainLine(raw.title),
    categories: categoriesOf(raw),
    contentText: htmlToText(html),
  };
  setIf(item, 'guid', stringOf(raw.guid)?.trim() ?? stringOf(raw.id)?.trim());
  setIf(item, 'url', absoluteUrl(link, base));
  setIf(item, 'author', toPlainLine(stringOf(raw.creator) ?? stringOf(raw.dcCreator) ?? stringOf(raw.author)));
  setIf(item, 'publishedAt', dateOf(raw.isoDate, raw.pubDate, ...(['dcDate', 'published', 'issued', 'created', 'updated', 'modified'] as const).map((k) => stringOf(raw[k]))));
  setIf(item, 'contentHtml', html || undefined);
  return finishItem(item);
}

function fromJson(raw: JsonFeedItem, base: string): Item {
  const html = raw.content_html ?? (raw.content_text ? undefined : raw.summary);
  const text = raw.content_text ?? (html ? htmlToText(html) : '');
  const item: Omit<Item, 'key' | 'canonicalUrl'> = {
    title: toPlainLine(raw.title),
    categories: (raw.tags ?? []).map((t) => t.trim()).filter(Boolean),
    contentText: text,
  };
  setIf(item, 'guid', raw.id === undefined ? undefined : String(raw.id).trim());
  setIf(item, 'url', absoluteUrl(raw.url ?? raw.external_url, base));
  setIf(item, 'author', raw.authors?.[0]?.name ?? raw.author?.name);
  setIf(item, 'publishedAt', dateOf(raw.date_published, raw.date_modified));
  setIf(item, 'contentHtml', html);
  return finishItem(item);
}

/** Items without a title, link and text carry nothing to read; the same key twice in one document is one item. */
function keepUseful(items: Item[]): Item[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    if (!i.title && !i.url && !i.contentText) return false;
    if (seen.has(i.key)) return false;
    seen.add(i.key);
    return true;
  });
}

function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 4096).toLowerCase();
  return /<!doctype html|<html[\s>]/.test(head) || (/<(head|body|title)[\s>]/.test(head) && !/<(rss|feed|rdf:rdf|channel)[\s>]/.test(head));
}

async function parseXml(text: string, base: string): Promise<Parser.Output<RawItem> & Record<string, unknown>> {
  const clean = applyXmlBase(cleanXml(text), base);
  try {
    return await parser.parseString(clean);
  } catch (first) {
    const repaired = repairXml(clean);
    if (repaired === clean) throw first;
    try {
      return await parser.parseString(repaired);
    } catch {
      throw first;
    }
  }
}

/**
 * Parses a feed document fetched from `feedUrl` (for resolving relative links).
 * Throws NotAFeedError for HTML pages (with their advertised feeds) and other non-feeds; a plain Error for broken XML.
 */
export async function parseFeed(text: string, feedUrl: string): Promise<ParsedFeed> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (!trimmed) throw new NotAFeedError('empty document');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const doc = readJsonFeed(trimmed);
      const base = absoluteUrl(doc.homePageUrl, feedUrl) ?? feedUrl;
      const feed: ParsedFeed = { format: 'json', title: toPlainLine(doc.title), items: keepUseful(doc.items.map((i) => fromJson(i, base))) };
      setIf(feed, 'siteUrl', absoluteUrl(doc.homePageUrl, feedUrl));
      return feed;
    } catch (error) {
      if (error instanceof NotJsonFeedError) throw new NotAFeedError(error.message);
      throw error;
    }
  }
  if (looksLikeHtml(trimmed)) {
    const alternates = discoverFeeds(trimmed, feedUrl);
    throw new NotAFeedError(
      alternates.length ? `an HTML page, not a feed; it links to ${alternates.length} feed(s)` : 'an HTML page, not a feed, and it advertises no feed',
      alternates,
    );
  }
  if (!/<(rss|feed|rdf:RDF|RDF|channel)\b/i.test(trimmed.slice(0, 64 * 1024))) {
    throw new NotAFeedError('not RSS, Atom or JSON Feed');
  }
  const base = rootXmlBase(trimmed, feedUrl);
  let out: Parser.Output<RawItem> & Record<string, unknown>;
  try {
    out = await parseXml(trimmed, base);
  } catch (error) {
    const msg = (error as Error).message.replace(/\s+/g, ' ').trim();
    if (/not recognized as RSS/i.test(msg)) throw new NotAFeedError('not RSS, Atom or JSON Feed');
    throw new Error(`malformed feed XML: ${msg}`, { cause: error });
  }
  const format = /<feed\b/i.test(trimmed.slice(0, 8192)) ? 'atom' : /<(rdf:)?RDF\b/.test(trimmed.slice(0, 8192)) ? 'rdf' : 'rss';
  const feed: ParsedFeed = {
    format,
    title: toPlainLine(decodeEntities(out.title ?? '')),
    items: keepUseful((out.items ?? []).map((raw) => fromRss(raw, base))),
  };
  setIf(feed, 'siteUrl', absoluteUrl(out.link, base));
  const ttl = Number(stringOf(out.ttl));
  if (Number.isFinite(ttl) && ttl > 0) feed.ttlMinutes = ttl;
  return feed;
}
