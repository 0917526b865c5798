// Decoded document → ParsedFeed: RSS 0.9x/1.0/2.0 and Atom read by rss-parser from our XML tree, JSON Feed by our reader.
import Parser from 'rss-parser';
import { absoluteUrl, canonicalUrl } from '../core/canonicalUrl.js';
import { dateReadingFor, parseFeedDate, type DateReading } from '../core/feedDate.js';
import { personName } from '../core/person.js';
import { itemKey } from '../core/itemKey.js';
import type { Item, ParsedFeed } from '../core/model.js';
import { escapeHtml } from '../core/telegramHtml.js';
import { htmlToText, toPlainLine } from '../core/text.js';
import { discoverFeeds, type DiscoveredFeed } from './autodiscovery.js';
import { BODY_FIELDS, shapeForRssParser } from './feedShape.js';
import { readJsonFeed, NotJsonFeedError, type JsonFeedDoc, type JsonFeedItem } from './jsonFeed.js';
import { MalformedXmlError, parseXmlTree, type XmlElement } from './xmlTree.js';

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
type RawFeed = Parser.Output<RawItem> & Record<string, unknown>;

const parser: Parser<Record<string, unknown>, RawItem> = new Parser({
  customFields: {
    feed: ['ttl'],
    item: [
      ['dc:creator', 'dcCreator'],
      ['dc:author', 'dcAuthor'],
      ['itunes:author', 'itunesAuthor'],
      ['dc:date', 'dcDate'],
      ['dcterms:issued', 'dctIssued'],
      ['dcterms:created', 'dctCreated'],
      ['dcterms:modified', 'dctModified'],
      'issued',
      'created',
      'updated',
      'modified',
      'published',
      ['guid', 'guidRaw', { keepArray: true }],
      ['author', 'authorRaw', { keepArray: true }],
      ['category', 'rawCategories', { keepArray: true }],
      ['dc:subject', 'dcSubjects', { keepArray: true }],
      ['media:category', 'mediaCategories', { keepArray: true }],
      [BODY_FIELDS['content:encoded'], 'bodyEncoded'],
      [BODY_FIELDS.content, 'bodyContent'],
      [BODY_FIELDS.description, 'bodyDescription'],
      ['dc:description', 'dcDescription'],
      ['body', 'xhtmlBody'],
      ['media:description', 'mediaDescription'],
      ['media:group', 'mediaGroup'],
    ],
  },
});

/**
 * rss-parser builds the feed from the object its `xmlParser` hands over (xml2js's shape). Each parse gets a view of the shared parser
 * whose `xmlParser` hands over our already shaped document: rss-parser stays the reader of RSS/Atom structure, xml2js is never used.
 */
function readStructure(shaped: Record<string, unknown>): Promise<RawFeed> {
  const xmlParser = { parseString: (_xml: string, done: (error: Error | null, result: unknown) => void) => done(null, shaped) };
  const view = Object.assign(Object.create(parser) as typeof parser, { xmlParser });
  return view.parseString('') as Promise<RawFeed>;
}

function dateOf(candidates: unknown[], reading?: DateReading): number | undefined {
  for (const c of candidates) {
    const t = typeof c === 'string' ? parseFeedDate(c, reading) : undefined;
    if (t !== undefined) return t;
  }
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { _?: unknown })._ === 'string') return (value as { _: string })._;
  return undefined;
}

const firstOf = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

/** A person element's name: Atom's name (else email), or the name in an RSS-style string (`editor@example.com (Name)`). */
function authorOf(value: unknown): string | undefined {
  const v = firstOf(value);
  if (v && typeof v === 'object' && !('_' in v)) {
    const person = v as Record<string, unknown>;
    return authorOf(firstOf(person.name)) ?? authorOf(firstOf(person.email));
  }
  const text = toPlainLine(stringOf(v));
  return text ? personName(text) : undefined;
}

/** RSS categories, Atom's terms, dc:subject and media:category: each once. */
function categoriesOf(raw: RawItem): string[] {
  const list = [raw.categories, raw.rawCategories, raw.dcSubjects, raw.mediaCategories].flatMap((l) => (Array.isArray(l) ? (l as unknown[]) : []));
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

const firstFilled = (...values: unknown[]): string => (values.find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? '');

/** A guid is the item's link unless it says `isPermaLink="false"` or is not an absolute web address. */
function guidLink(guid: unknown): string | undefined {
  const text = stringOf(guid)?.trim();
  const permaLink = (guid as { $?: { isPermaLink?: string } } | undefined)?.$?.isPermaLink?.trim().toLowerCase();
  return text && permaLink !== 'false' && /^https?:\/\//i.test(text) ? text : undefined;
}

/** Media RSS's description, on the item or in its media:group (YouTube puts it there and nowhere else). */
function mediaDescription(raw: RawItem): unknown {
  const group = raw.mediaGroup as Record<string, unknown[]> | undefined;
  return raw.mediaDescription ?? (group && typeof group === 'object' ? group['media:description']?.[0] : undefined);
}

function fromRss(raw: RawItem, base: string): Item {
  const html = firstFilled(raw.bodyEncoded, raw.xhtmlBody, raw.bodyContent, raw.summary, raw.bodyDescription, raw.dcDescription, mediaDescription(raw));
  const guid = firstOf(raw.guidRaw);
  const item: Omit<Item, 'key' | 'canonicalUrl'> = {
    title: toPlainLine(stringOf(raw.title)),
    categories: categoriesOf(raw),
    contentText: htmlToText(html),
  };
  setIf(item, 'guid', stringOf(guid)?.trim() ?? stringOf(raw.id)?.trim());
  setIf(item, 'url', absoluteUrl(stringOf(raw.link) ?? guidLink(guid), base));
  setIf(item, 'author', authorOf(raw.dcCreator) ?? authorOf(raw.authorRaw) ?? authorOf(raw.dcAuthor) ?? authorOf(raw.itunesAuthor));
  // Dates arrive as ISO strings (or empty) from feedShape, read there with the feed's language in mind.
  setIf(item, 'publishedAt', dateOf([raw.published, raw.pubDate, raw.dcDate, raw.dctIssued, raw.dctCreated, raw.issued, raw.created, raw.updated, raw.modified, raw.dctModified]));
  setIf(item, 'contentHtml', html || undefined);
  return finishItem(item);
}

/** JSON Feed's titles and content_text are plain text: escaped before the HTML-reading helpers see them. */
const plainLine = (text: string | undefined) => toPlainLine(text === undefined ? undefined : escapeHtml(text));

function fromJson(raw: JsonFeedItem, base: string, feed: JsonFeedDoc, dates: DateReading): Item {
  const contentText = raw.content_text?.trim() ? raw.content_text : undefined;
  const html = raw.content_html?.trim() ? raw.content_html : contentText ? undefined : raw.summary;
  const item: Omit<Item, 'key' | 'canonicalUrl'> = {
    title: plainLine(raw.title),
    categories: (raw.tags ?? []).map((t) => t.trim()).filter(Boolean),
    contentText: contentText ?? (html ? htmlToText(html) : ''),
  };
  setIf(item, 'guid', raw.id === undefined ? undefined : String(raw.id).trim());
  setIf(item, 'url', absoluteUrl(raw.url ?? raw.external_url, base));
  const authors = raw.authors.length ? raw.authors : feed.authors;
  setIf(item, 'author', authors.map((a) => a.name?.trim()).find(Boolean));
  setIf(item, 'publishedAt', dateOf([raw.date_published, raw.date_modified], dates));
  setIf(item, 'contentHtml', html);
  return finishItem(item);
}

/**
 * The same key twice in one document is one item; an item with nothing at all (an empty `<item/>`) is none. Items with little to read
 * stay: what to do with them is polling's decision, not the reader's.
 */
function keepUseful(items: Item[]): Item[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    if (!i.title && !i.url && !i.contentText && !i.guid && !i.author && i.publishedAt === undefined && !i.categories.length) return false;
    if (seen.has(i.key)) return false;
    seen.add(i.key);
    return true;
  });
}

function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 4096).toLowerCase();
  return /<!doctype html|<html[\s>]/.test(head) || (/<(head|body|title)[\s>]/.test(head) && !/<(\w+:)?(rss|feed|rdf|channel)[\s>]/.test(head));
}

const FEED_ROOTS: Record<string, ParsedFeed['format']> = { rss: 'rss', channel: 'rss', feed: 'atom', 'rdf:RDF': 'rdf' };

function parseJson(text: string, feedUrl: string): ParsedFeed {
  try {
    const doc = readJsonFeed(text);
    const base = absoluteUrl(doc.homePageUrl, feedUrl) ?? feedUrl;
    const dates = dateReadingFor(doc.language, doc.title);
    const feed: ParsedFeed = { format: 'json', title: plainLine(doc.title), items: keepUseful(doc.items.map((i) => fromJson(i, base, doc, dates))) };
    setIf(feed, 'siteUrl', absoluteUrl(doc.homePageUrl, feedUrl));
    return feed;
  } catch (error) {
    if (error instanceof NotJsonFeedError) throw new NotAFeedError(error.message);
    throw error;
  }
}

/**
 * Parses a feed document fetched from `feedUrl` (for resolving relative links).
 * Throws NotAFeedError for HTML pages (with their advertised feeds) and other non-feeds; a plain Error for XML cut short.
 * Anything odd inside a feed (a date, a text construct, an element) costs that field, never the feed.
 */
export async function parseFeed(text: string, feedUrl: string): Promise<ParsedFeed> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (!trimmed) throw new NotAFeedError('empty document');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(trimmed, feedUrl);
  if (looksLikeHtml(trimmed)) {
    const alternates = discoverFeeds(trimmed, feedUrl);
    throw new NotAFeedError(
      alternates.length ? `an HTML page, not a feed; it links to ${alternates.length} feed(s)` : 'an HTML page, not a feed, and it advertises no feed',
      alternates,
    );
  }
  let root: XmlElement;
  try {
    root = parseXmlTree(trimmed, feedUrl);
  } catch (error) {
    if (error instanceof MalformedXmlError && error.message === 'no root element') throw new NotAFeedError('not RSS, Atom or JSON Feed');
    throw new Error(`malformed feed XML: ${(error as Error).message}`, { cause: error });
  }
  const format = FEED_ROOTS[root.name];
  if (!format) throw new NotAFeedError(`not RSS, Atom or JSON Feed (the document is <${root.name.slice(0, 40)}>)`);
  const out = await readStructure(shapeForRssParser(root));
  const feed: ParsedFeed = {
    format,
    title: toPlainLine(stringOf(out.title)),
    items: keepUseful((out.items ?? []).map((raw) => fromRss(raw, root.base))),
  };
  setIf(feed, 'siteUrl', absoluteUrl(stringOf(out.link), root.base));
  const ttl = Number(stringOf(out.ttl));
  if (Number.isFinite(ttl) && ttl > 0) feed.ttlMinutes = ttl;
  return feed;
}
