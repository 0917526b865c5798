// Decoded document → ParsedFeed: RSS 0.9x/1.0/2.0 and Atom read from our XML tree (xmlFeed), JSON Feed by jsonFeed; pages and other
// documents refused with the reason, and the feeds an HTML page advertises.
import type { Item, ParsedFeed } from '../core/model.js';
import { discoverFeeds, type DiscoveredFeed } from './autodiscovery.js';
import { NotJsonFeedError, readJsonFeedDocument } from './jsonFeed.js';
import { readXmlFeed } from './xmlFeed.js';
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

/** A page, not a feed: HTML before any feed root (a feed a server prefixed with an HTML DOCTYPE is still a feed). */
function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 4096).toLowerCase();
  const feedRoot = head.search(/<(\w+:)?(rss|feed|rdf|channel)[\s>]/);
  const page = head.search(/<(html|head|body)[\s>]/);
  if (feedRoot >= 0 && (page < 0 || feedRoot < page)) return false;
  return /<!doctype html|<html[\s>]/.test(head) || (/<(head|body|title)[\s>]/.test(head) && feedRoot < 0);
}

const FEED_ROOTS: Record<string, ParsedFeed['format']> = { rss: 'rss', channel: 'rss', feed: 'atom', 'rdf:RDF': 'rdf' };

function parseJson(text: string, feedUrl: string): ParsedFeed {
  try {
    const feed = readJsonFeedDocument(text, feedUrl);
    return { ...feed, items: keepUseful(feed.items) };
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
    root = parseXmlTree(trimmed, feedUrl, (name) => name in FEED_ROOTS);
  } catch (error) {
    if (error instanceof MalformedXmlError && error.message === 'no root element') throw new NotAFeedError('not RSS, Atom or JSON Feed');
    throw new Error(`malformed feed XML: ${(error as Error).message}`, { cause: error });
  }
  const format = FEED_ROOTS[root.name];
  if (!format) throw new NotAFeedError(`not RSS, Atom or JSON Feed (the document is <${root.name.slice(0, 40)}>)`);
  const feed = await readXmlFeed(root, format);
  return { ...feed, items: keepUseful(feed.items) };
}
