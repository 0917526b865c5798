// Decoded document → ParsedFeed: RSS 0.9x/1.0/2.0 and Atom through rss-parser's parseString, JSON Feed through our reader.
import { createRequire } from 'node:module';
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

/**
 * rss-parser fills `contentSnippet` by stripping HTML with `<(?:.|\n)*?>` regexes, quadratic on hostile markup (100 KB of `<p `
 * took 4 s, 400 KB 78 s). We never read the snippet: its helper is made a no-op, once, before the first parse.
 */
let snippetsDisarmed = false;
function disarmSnippets(): void {
  if (snippetsDisarmed) return;
  const utils = createRequire(import.meta.url)('rss-parser/lib/utils.js') as { getSnippet: (s: string) => string };
  utils.getSnippet = () => '';
  snippetsDisarmed = true;
}

const parser: Parser<Record<string, unknown>, RawItem> = new Parser({
  customFields: {
    feed: ['ttl'],
    item: [['dc:creator', 'dcCreator'], ['dc:date', 'dcDate'], 'issued', 'modified', 'created', 'updated', 'published', ['category', 'rawCategories', { keepArray: true }], ['description', 'description']],
  },
});

/** The first tag named `name` (case-insensitive), up to its `>`: found with indexOf, never a regex over markup. */
function firstTag(xml: string, names: string[]): { start: number; end: number; tag: string } | undefined {
  const lower = xml.slice(0, 64 * 1024).toLowerCase();
  let best: { start: number; end: number; tag: string } | undefined;
  for (const name of names) {
    let from = 0;
    for (;;) {
      const start = lower.indexOf(`<${name}`, from);
      if (start < 0) break;
      const next = lower[start + name.length + 1];
      if (next !== undefined && !/[\s>/]/.test(next)) {
        from = start + 1;
        continue;
      }
      const end = xml.indexOf('>', start);
      if (end >= 0 && (!best || start < best.start)) best = { start, end, tag: xml.slice(start, end + 1) };
      break;
    }
  }
  return best;
}

/** Removes what strict XML parsers choke on before the root: BOM, blank lines, prologs that are not first, bogus PIs. */
function cleanXml(text: string): string {
  // The prolog sits at the start: only the head is looked at, so a hostile document costs nothing more.
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '').replace(/<\?(xml|phpxml)\b[^?]{0,1024}\?>/i, '').replace(/^\s+/, '');
  let xml = head + text.slice(4096);
  const rss = firstTag(xml, ['rss']);
  if (rss && !/\bversion\s*=/.test(rss.tag)) xml = `${xml.slice(0, rss.start)}<rss version="2.0"${xml.slice(rss.start + 4)}`;
  return xml;
}

const attrValue = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];

/**
 * Applies xml:base on entries and links (rss-parser ignores it): relative link hrefs become absolute.
 * One pass over the tags with indexOf (CDATA and comments skipped whole): linear in the document.
 */
function applyXmlBase(xml: string, rootBase: string): string {
  if (!/\sxml:base\s*=/.test(xml)) return xml;
  const out: string[] = [];
  let copied = 0;
  let pos = 0;
  let entryBase: string | undefined;
  for (;;) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) break;
    if (xml.startsWith('<![CDATA[', lt) || xml.startsWith('<!--', lt)) {
      const close = xml.indexOf(xml[lt + 2] === '[' ? ']]>' : '-->', lt);
      pos = close < 0 ? xml.length : close + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt < 0) break;
    const tag = xml.slice(lt, gt + 1);
    const closing = tag[1] === '/';
    const name = /^<\/?([\w:.-]{1,64})/.exec(tag)?.[1]?.toLowerCase();
    if (name === 'entry' || name === 'item') entryBase = closing ? undefined : (absoluteUrl(attrValue(tag, 'xml:base'), rootBase) ?? rootBase);
    else if (name === 'link' && !closing && entryBase !== undefined) {
      const href = attrValue(tag, 'href');
      const abs = href === undefined ? undefined : absoluteUrl(href, absoluteUrl(attrValue(tag, 'xml:base'), entryBase) ?? entryBase);
      if (abs) {
        out.push(xml.slice(copied, lt), tag.replace(/\bhref\s*=\s*["'][^"']*["']/, `href="${abs.replace(/&(?!amp;)/g, '&amp;').replace(/"/g, '&quot;')}"`));
        copied = gt + 1;
      }
    }
    pos = gt + 1;
  }
  out.push(xml.slice(copied));
  return out.join('');
}

/** Escapes bare ampersands and drops characters XML forbids: the usual damage in hand-made feeds. */
function repairXml(text: string): string {
  return text
    .replace(/&(?!(#\d{1,7}|#x[\da-f]{1,6}|[a-z][\w.-]{0,31});)/gi, '&amp;')
    .replace(/&#(\d{1,7})(?=[^\d;])/g, '&amp;#$1')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

function rootXmlBase(xml: string, feedUrl: string): string {
  const root = firstTag(xml, ['rss', 'feed', 'rdf:rdf', 'rdf'])?.tag ?? '';
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
  disarmSnippets();
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
