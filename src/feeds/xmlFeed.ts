// An RSS/Atom/RDF document's tree → ParsedFeed: rss-parser reads the structure from the shaped tree (see feedShape), we map its items.
import type Parser from 'rss-parser';
import { lazy } from '../lazy.js';
import { absoluteUrl } from '../core/canonicalUrl.js';
import type { Item, ParsedFeed } from '../core/model.js';
import { personName } from '../core/person.js';
import { htmlToText, toPlainLine } from '../core/text.js';
import { escapeHtml } from '../core/telegramHtml.js';
import { dateOf, finishItem, setIf, type ItemFields } from './feedItem.js';
import { BODY_FIELDS, shapeForRssParser } from './feedShape.js';
import type { XmlElement } from './xmlTree.js';

type RawItem = Parser.Item & Record<string, unknown>;
type RawFeed = Parser.Output<RawItem> & Record<string, unknown>;

/** rss-parser, made at the first feed read (a command that reads none never loads it). */
const RssParser = lazy<typeof import('rss-parser')>('rss-parser');
let made: Parser<Record<string, unknown>, RawItem> | undefined;
const parser = () =>
  (made ??= new (RssParser())({
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
      ['media:title', 'mediaTitle'],
      ['media:group', 'mediaGroup'],
      ['feedburner:origLink', 'origLink'],
      ['atom:link', 'atomLinks', { keepArray: true }],
      ['itunes:summary', 'itunesSummary'],
      ['itunes:subtitle', 'itunesSubtitle'],
      ['itunes:category', 'itunesCategories', { keepArray: true }],
      ['$', 'itemAttrs', { keepArray: true }],
    ],
  },
  }));

/**
 * rss-parser builds the feed from the object its `xmlParser` hands over (xml2js's shape). Each parse gets a view of the shared parser
 * whose `xmlParser` hands over our already shaped document: rss-parser stays the reader of RSS/Atom structure, xml2js is never used.
 */
function readStructure(shaped: Record<string, unknown>): Promise<RawFeed> {
  const xmlParser = { parseString: (_xml: string, done: (error: Error | null, result: unknown) => void) => done(null, shaped) };
  const shared = parser();
  const view = Object.assign(Object.create(shared) as typeof shared, { xmlParser });
  return view.parseString('') as Promise<RawFeed>;
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

/** iTunes categories, nested ones too (`Technology` › `Podcasting`): each `text` in order. */
function itunesCategories(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((c) => {
    const el = c as { $?: { text?: string }; 'itunes:category'?: unknown };
    return [...(el?.$?.text ? [el.$.text] : []), ...itunesCategories(el?.['itunes:category'])];
  });
}

/** dc:creator: a person like any author, but a bare `mailto:` address stays as the feed wrote it (RSS 1.0 feeds do that). */
function creatorOf(value: unknown): string | undefined {
  const text = toPlainLine(stringOf(firstOf(value)));
  return /^mailto:\S+$/i.test(text) ? text : authorOf(value);
}

/** RSS categories, Atom's terms, dc:subject, media:category and iTunes categories: each once. */
function categoriesOf(raw: RawItem): string[] {
  const list = [raw.categories, raw.rawCategories, raw.dcSubjects, raw.mediaCategories].flatMap((l) => (Array.isArray(l) ? (l as unknown[]) : []));
  if (raw.itunesCategories) list.push(...itunesCategories(raw.itunesCategories));
  const out = new Set<string>();
  for (const c of list) {
    const s = toPlainLine(stringOf(c) ?? (c as { $?: { term?: string } })?.$?.term);
    if (s) out.add(s);
  }
  return [...out];
}

/** An RSS item's atom:link to its article: the first alternate (a link without rel is one) with an address, HTML first. */
function atomAlternate(links: unknown): string | undefined {
  if (!Array.isArray(links)) return undefined;
  const alternates = links.map((l) => (l as { $?: { rel?: string; href?: string; type?: string } })?.$).filter((a) => a?.rel === 'alternate' && a.href);
  return (alternates.find((a) => !a!.type || /html/i.test(a!.type)) ?? alternates[0])?.href;
}

const firstFilled = (...values: unknown[]): string => (values.find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? '');

/** A guid is the item's link unless it says `isPermaLink="false"` or is not an absolute web address. */
function guidLink(guid: unknown): string | undefined {
  const text = stringOf(guid)?.trim();
  const permaLink = (guid as { $?: { isPermaLink?: string } } | undefined)?.$?.isPermaLink?.trim().toLowerCase();
  return text && permaLink !== 'false' && /^https?:\/\//i.test(text) ? text : undefined;
}

/** A Media RSS field, on the item or in its media:group (YouTube puts its description there and nowhere else). */
function mediaField(raw: RawItem, name: 'media:description' | 'media:title'): unknown {
  const group = raw.mediaGroup as Record<string, unknown[]> | undefined;
  return raw[name === 'media:title' ? 'mediaTitle' : 'mediaDescription'] ?? (group && typeof group === 'object' ? group[name]?.[0] : undefined);
}

function fromRss(raw: RawItem, base: string): Item {
  const html = firstFilled(
    raw.bodyEncoded,
    raw.xhtmlBody,
    raw.bodyContent,
    raw.summary,
    raw.bodyDescription,
    raw.dcDescription,
    mediaField(raw, 'media:description'),
    raw.itunesSummary,
    typeof raw.itunesSubtitle === 'string' ? escapeHtml(raw.itunesSubtitle) : undefined,
  );
  const guid = firstOf(raw.guidRaw);
  const item: ItemFields = {
    title: toPlainLine(stringOf(raw.title)) || toPlainLine(stringOf(mediaField(raw, 'media:title'))),
    categories: categoriesOf(raw),
    contentText: htmlToText(html),
  };
  // RSS 1.0 names its items by rdf:about.
  setIf(item, 'guid', stringOf(guid)?.trim() ?? stringOf(raw.id)?.trim() ?? (raw.itemAttrs as Record<string, string> | undefined)?.['rdf:about']?.trim());
  // FeedBurner's origLink is the article (its <link> a feedproxy redirect); an atom:link stands in for a missing <link>.
  setIf(item, 'url', absoluteUrl(stringOf(raw.origLink)?.trim(), base) ?? absoluteUrl(stringOf(raw.link) ?? atomAlternate(raw.atomLinks) ?? guidLink(guid), base));
  setIf(item, 'author', creatorOf(raw.dcCreator) ?? authorOf(raw.authorRaw) ?? authorOf(raw.dcAuthor) ?? authorOf(raw.itunesAuthor));
  // Dates arrive as ISO strings (or empty) from feedShape, read there with the feed's language in mind.
  setIf(item, 'publishedAt', dateOf([raw.published, raw.pubDate, raw.dcDate, raw.dctIssued, raw.dctCreated, raw.issued, raw.created, raw.updated, raw.modified, raw.dctModified]));
  setIf(item, 'contentHtml', html || undefined);
  return finishItem(item);
}

/** Reads a feed whose root is RSS, Atom or RDF; relative links resolve against the root's xml:base (or the document's URL). */
export async function readXmlFeed(root: XmlElement, format: ParsedFeed['format']): Promise<ParsedFeed> {
  const out = await readStructure(shapeForRssParser(root));
  const feed: ParsedFeed = { format, title: toPlainLine(stringOf(out.title)), items: (out.items ?? []).map((raw) => fromRss(raw, root.base)) };
  setIf(feed, 'siteUrl', absoluteUrl(stringOf(out.link), root.base));
  const ttl = Number(stringOf(out.ttl));
  if (Number.isFinite(ttl) && ttl > 0) feed.ttlMinutes = ttl;
  return feed;
}
