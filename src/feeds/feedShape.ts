// Element tree → the object rss-parser reads (xml2js's shape), with the feed's meaning settled first: text constructs as HTML by their
// type, dates read by our parser (an unreadable one is empty, never a throw), links absolute with `alternate` as the default rel,
// the feed's Atom author on entries that have none, and article bodies under names rss-parser's snippet regexes never see.
import { dateReadingFor, parseFeedDate, type DateReading } from '../core/feedDate.js';
import { absoluteUrl } from '../core/canonicalUrl.js';
import { escapeHtml } from '../core/telegramHtml.js';
import { elementsOf, innerMarkup, textOf, type XmlElement } from './xmlTree.js';

/** Elements holding a date, whatever the vocabulary. */
const DATES = new Set([
  'pubDate', 'lastBuildDate', 'published', 'updated', 'issued', 'modified', 'created',
  'dc:date', 'dcterms:modified', 'dcterms:issued', 'dcterms:created', 'dcterms:date', 'atom:published', 'atom:updated',
]);

/** Atom text constructs (RFC 4287 §3.1; Atom 0.3's tagline, info, copyright). */
const ATOM_TEXT = new Set(['title', 'subtitle', 'tagline', 'summary', 'content', 'rights', 'copyright', 'info']);

/** RSS fields that hold HTML, escaped or as raw child elements. */
const RSS_HTML = new Set(['description', 'content:encoded', 'dc:description', 'itunes:summary', 'body']);

/** Item bodies, renamed so that rss-parser copies them without stripping them with its quadratic snippet regexes. */
export const BODY_FIELDS = { description: 'fdb:description', 'content:encoded': 'fdb:encoded', content: 'fdb:content' } as const;

/** Tags that make a title's `<` markup rather than text (`History of the <blink> tag` is text). */
const HTML_TAG = /<\/?(a|abbr|acronym|b|big|br|cite|code|del|dfn|em|font|i|img|ins|kbd|mark|q|s|samp|small|span|strike|strong|sub|sup|tt|u|var|p|div|h[1-6]|ul|ol|li|blockquote|pre)\b/i;

const hasElements = (el: XmlElement) => el.children.some((c) => typeof c === 'object' && 'name' in c);
const base64Text = (el: XmlElement) => Buffer.from(textOf(el).replace(/\s+/g, ''), 'base64').toString('utf8');

/** Media RSS text (YouTube's only description lives in `media:group/media:description`): plain unless it says html. */
function mediaText(el: XmlElement): string {
  if (hasElements(el)) return innerMarkup(el);
  return (el.attrs.type ?? '').trim().toLowerCase() === 'html' ? textOf(el) : escapeHtml(textOf(el));
}

/** An Atom text construct as HTML: `text` escaped, `html` as written, `xhtml` its div's markup in order; Atom 0.3's base64 decoded. */
function atomText(el: XmlElement): string {
  if (el.attrs.src) return ''; // out-of-line content: nothing here to read
  const type = (el.attrs.type ?? '').trim().toLowerCase();
  const mode = (el.attrs.mode ?? '').trim().toLowerCase();
  const html = type === 'html' || type === 'text/html' || mode === 'escaped';
  const xhtml = type === 'xhtml' || type === 'application/xhtml+xml';
  // Atom 1.0: a media type that is neither text nor XML means base64 (RFC 4287 §4.1.3.3); what it decodes to is read as markup.
  const binary = type.includes('/') && !type.startsWith('text/') && !/[/+]xml$/.test(type);
  if (binary && mode !== 'escaped') return base64Text(el);
  if (mode === 'base64') return html || xhtml ? base64Text(el) : escapeHtml(base64Text(el));
  if (hasElements(el)) {
    const [only, ...others] = elementsOf(el);
    const wrapper = xhtml && only && others.length === 0 && /(^|:)div$/.test(only.name) ? only : el;
    return innerMarkup(wrapper);
  }
  const text = textOf(el);
  return html || xhtml ? text : escapeHtml(text);
}

/** An RSS field as HTML: raw child elements kept in order as markup, escaped markup decoded once by the XML reader. */
function rssHtml(el: XmlElement): string {
  return hasElements(el) ? innerMarkup(el) : textOf(el);
}

/**
 * An RSS title: HTML when it holds markup, else text — escaped here, so that the XML's own decoding is not followed by HTML's
 * (`?page=1&copy=2` stays as written, `<blink>` in a title is a word, `<b>` is bold; `&amp;amp;` still reads as `&`).
 */
function rssTitle(el: XmlElement): string {
  if (hasElements(el)) return innerMarkup(el);
  const text = textOf(el);
  return HTML_TAG.test(text) ? text : escapeHtml(text);
}

const isoDate = (el: XmlElement, reading: DateReading) => {
  const t = parseFeedDate(textOf(el), reading);
  return t === undefined ? '' : new Date(t).toISOString();
};

interface Context {
  /** The document is Atom: unprefixed text constructs and links are Atom's. */
  atom: boolean;
  /** How the feed's dates are read (its language decides). */
  dates: DateReading;
}

/** xml2js's reading of an element: a string when it has only text, else `$` for attributes, `_` for text, arrays per child name. */
function generic(el: XmlElement, ctx: Context): unknown {
  const attrs = Object.keys(el.attrs).length ? el.attrs : undefined;
  if (!hasElements(el)) {
    const text = textOf(el);
    if (!attrs) return text;
    return text.trim() ? { _: text, $: attrs } : { $: attrs };
  }
  const obj: Record<string, unknown[]> & { $?: Record<string, string>; _?: string } = {};
  if (attrs) obj.$ = attrs;
  for (const child of elementsOf(el)) (obj[child.name] ??= []).push(shape(child, ctx));
  return obj;
}

function atomLink(el: XmlElement): unknown {
  // A link without href (or with an empty one) points nowhere: it must not resolve to the document's own base.
  const written = (el.attrs.href ?? textOf(el)).trim();
  const href = written ? (absoluteUrl(written, el.base) ?? written) : '';
  return { $: { ...el.attrs, rel: el.attrs.rel?.trim() || 'alternate', href } };
}

function shape(el: XmlElement, ctx: Context): unknown {
  const { name } = el;
  if (DATES.has(name)) return isoDate(el, ctx.dates);
  if (name === 'media:description' || name === 'media:title') return mediaText(el);
  if (ctx.atom ? ATOM_TEXT.has(name) : name.startsWith('atom:') && ATOM_TEXT.has(name.slice(5))) return atomText(el);
  if ((ctx.atom && name === 'link') || name === 'atom:link') return atomLink(el);
  if (!ctx.atom) {
    if (name === 'title' || name === 'dc:title') return rssTitle(el);
    if (RSS_HTML.has(name)) return rssHtml(el);
    if (name === 'link' && !hasElements(el)) {
      const text = (el.attrs.href ?? textOf(el)).trim();
      return absoluteUrl(text, el.base) ?? text;
    }
  }
  if (name === 'entry' || name === 'item') return shapeItem(el, ctx);
  return generic(el, ctx);
}

/** An item or entry: its bodies renamed (see BODY_FIELDS); for Atom, the inherited authors and only its alternate links. */
function shapeItem(el: XmlElement, ctx: Context, inheritedAuthors: XmlElement[] = []): unknown {
  const obj = generic(el, ctx);
  if (typeof obj !== 'object' || obj === null) return {}; // an empty `<item/>` (some feeds nest one in every item)
  const item = obj as Record<string, unknown>;
  for (const [from, to] of Object.entries(BODY_FIELDS)) {
    if (from in item) {
      item[to] = item[from];
      delete item[from];
    }
  }
  if (ctx.atom && !item.author && inheritedAuthors.length) item.author = inheritedAuthors.map((a) => generic(a, ctx));
  if (ctx.atom && Array.isArray(item.link)) item.link = articleLinks(item.link as AtomLink[]);
  return item;
}

type AtomLink = { $: { rel: string; href: string; type?: string } };

/**
 * An entry's link is its alternate (HTML first when there are several); rss-parser would otherwise fall back to the first link of any
 * rel, making an enclosure or the entry's own Atom document the article.
 */
function articleLinks(links: AtomLink[]): AtomLink[] {
  const alternates = links.filter((l) => l.$.rel === 'alternate' && l.$.href);
  const html = (l: AtomLink) => !l.$.type || /html/i.test(l.$.type);
  return [...alternates.filter(html), ...alternates.filter((l) => !html(l))];
}

/** RFC 4287 §4.2.1: an entry without an author has its source's, else the feed's. */
function atomEntries(feed: XmlElement, ctx: Context): unknown[] {
  const feedAuthors = elementsOf(feed).filter((c) => c.name === 'author');
  return elementsOf(feed)
    .filter((c) => c.name === 'entry')
    .map((entry) => {
      const source = elementsOf(entry).find((c) => c.name === 'source');
      const sourceAuthors = source ? elementsOf(source).filter((c) => c.name === 'author') : [];
      return shapeItem(entry, ctx, sourceAuthors.length ? sourceAuthors : feedAuthors);
    });
}

function dateReadingOf(root: XmlElement): DateReading {
  const channel = root.name === 'feed' || root.name === 'channel' ? root : elementsOf(root).find((c) => c.name === 'channel');
  const child = (names: string[]) => (channel ? elementsOf(channel).find((c) => names.includes(c.name)) : undefined);
  const languageEl = child(['language', 'dc:language']);
  const language = root.attrs['xml:lang'] ?? channel?.attrs['xml:lang'] ?? (languageEl ? textOf(languageEl) : undefined);
  const title = child(['title']);
  return dateReadingFor(language, title ? textOf(title) : '');
}

const attrOf = (el: XmlElement, name: string) => el.attrs[name] ?? el.attrs[name.toLowerCase()];
const childNamed = (el: XmlElement, name: string) => elementsOf(el).find((c) => c.name.toLowerCase() === name);
const textElement = (name: string, text: string, base: string): XmlElement => ({ name, attrs: {}, children: [text], base });

/** Microsoft's Channel Definition Format (1997): a `<CHANNEL HREF=…>` of `<ITEM HREF=…>`s, sub-channels nested. */
const isCdf = (root: XmlElement) => root.name === 'channel' && attrOf(root, 'HREF') !== undefined;

/**
 * A CDF channel as the RSS it amounts to: items (sub-channels' too) linked by HREF against the channel's BASE, ABSTRACT as their
 * text, LASTMOD as their date.
 */
function cdfAsRss(root: XmlElement): XmlElement {
  const fields = (el: XmlElement, base: string, name: string): XmlElement => {
    const children: XmlElement[] = [];
    const title = childNamed(el, 'title');
    if (title) children.push(title);
    const href = attrOf(el, 'HREF');
    if (href) children.push(textElement('link', absoluteUrl(href, base) ?? href, base));
    const abstract = childNamed(el, 'abstract');
    if (abstract) children.push(textElement('description', escapeHtml(textOf(abstract).trim()), base));
    const modified = attrOf(el, 'LASTMOD');
    if (modified) children.push(textElement('pubDate', modified, base));
    return { name, attrs: {}, children, base };
  };
  const items: XmlElement[] = [];
  const walk = (channel: XmlElement, inherited: string) => {
    const base = absoluteUrl(attrOf(channel, 'BASE') ?? '', inherited) ?? inherited;
    for (const child of elementsOf(channel)) {
      if (child.name === 'item') items.push(fields(child, base, 'item'));
      else if (child.name === 'channel') walk(child, base);
    }
  };
  walk(root, root.base);
  const channel = fields(root, root.base, 'channel');
  channel.children.push(...items);
  return { name: 'rss', attrs: {}, children: [channel], base: root.base };
}

/**
 * The document as rss-parser's builders expect it. RSS without `version` (or with one they do not know) is read as 2.0, `<rss>` or
 * RDF without a channel as an empty one, a bare `<channel>` root as RSS, a CDF channel as the RSS it amounts to.
 */
export function shapeForRssParser(root: XmlElement): Record<string, unknown> {
  if (root.name === 'feed') {
    const ctx = { atom: true, dates: dateReadingOf(root) };
    const feed = generic({ ...root, children: root.children.filter((c) => typeof c !== 'object' || !('name' in c) || c.name !== 'entry') }, ctx) as Record<string, unknown>;
    return { feed: { ...(typeof feed === 'object' ? feed : {}), entry: atomEntries(root, ctx) } };
  }
  const ctx = { atom: false, dates: dateReadingOf(root) };
  const wrapped: XmlElement = isCdf(root) ? cdfAsRss(root) : root.name === 'channel' ? { name: 'rss', attrs: {}, children: [root], base: root.base } : root;
  const doc = generic(wrapped, ctx);
  const obj: Record<string, unknown> = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  if (!Array.isArray(obj.channel) || typeof obj.channel[0] !== 'object') obj.channel = [{}];
  // Items where the other flavour puts them: RSS 0.9x/2.0 read them in the channel, RSS 1.0 beside it; feeds get this wrong both ways.
  const channel = (obj.channel as unknown[])[0] as Record<string, unknown[]>;
  const outside = Array.isArray(obj.item) ? (obj.item as unknown[]) : [];
  const inside = Array.isArray(channel.item) ? channel.item : [];
  if (wrapped.name === 'rss') channel.item = [...inside, ...outside];
  else {
    obj.item = [...outside, ...inside];
    // RSS 1.0: the channel's dc:creator is the author of items that name none.
    const creator = channel['dc:creator'];
    if (creator) for (const item of obj.item as Array<Record<string, unknown>>) if (item && !item['dc:creator'] && !item.author) item['dc:creator'] = creator;
  }
  if (wrapped.name === 'rss') {
    const version = obj.$ && typeof obj.$ === 'object' ? (obj.$ as Record<string, string>).version : undefined;
    obj.$ = { ...(obj.$ as object | undefined), version: version && /^(2|0\.9)/.test(version.trim()) ? version.trim() : '2.0' };
    return { rss: obj };
  }
  return { [wrapped.name]: obj };
}
