// JSON Feed 1.0 / 1.1 (jsonfeed.org) → ParsedFeed: our own reader, tolerant of what feeds get wrong; other JSON is refused with a reason.
import { z } from 'zod';
import { absoluteUrl } from '../core/canonicalUrl.js';
import { dateReadingFor, type DateReading } from '../core/feedDate.js';
import type { Item, ParsedFeed } from '../core/model.js';
import { escapeHtml } from '../core/telegramHtml.js';
import { htmlToText, toPlainLine } from '../core/text.js';
import { dateOf, finishItem, setIf, type ItemFields } from './feedItem.js';

const author = z.object({ name: z.string().optional(), url: z.string().optional() }).passthrough();
/** Authors as feeds write them: JSON Feed 1.1's array, 1.0's single `author`, or (wrongly) one object in `authors`; bad entries dropped. */
const authors = z
  .unknown()
  .optional()
  .transform((value) =>
    (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).flatMap((a) => {
      const parsed = author.safeParse(a);
      return parsed.success ? [parsed.data] : [];
    }),
  );

const jsonFeedItem = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    url: z.string().optional(),
    external_url: z.string().optional(),
    title: z.string().optional(),
    content_html: z.string().optional(),
    content_text: z.string().optional(),
    summary: z.string().optional(),
    date_published: z.string().optional(),
    date_modified: z.string().optional(),
    author: authors,
    authors,
    tags: z.array(z.unknown()).optional().transform((tags) => tags?.filter((t): t is string => typeof t === 'string')),
  })
  .passthrough()
  .transform(({ author: single, authors: list, ...rest }) => ({ ...rest, authors: list.length ? list : single }));

const jsonFeed = z
  .object({
    // As written in the wild too: http, a trailing slash, 1.x.
    version: z.string().regex(/^\s*https?:\/\/(www\.)?jsonfeed\.org\/version\/1(\.\d+)?\/?\s*$/i),
    title: z.string().optional(),
    home_page_url: z.string().optional(),
    feed_url: z.string().optional(),
    language: z.string().optional(),
    author: authors,
    authors,
    items: z.array(z.unknown()),
  })
  .passthrough();

type JsonFeedItem = z.infer<typeof jsonFeedItem>;
type JsonFeedAuthor = z.infer<typeof author>;
interface JsonFeedDoc {
  title: string;
  homePageUrl?: string;
  /** The feed's authors: the authors of every item that names none. */
  authors: JsonFeedAuthor[];
  language?: string;
  items: JsonFeedItem[];
}

export class NotJsonFeedError extends Error {}

/** Parses a JSON Feed document; items that do not fit the spec are skipped, not fatal. */
function readJsonFeed(text: string): JsonFeedDoc {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new NotJsonFeedError(`malformed JSON: ${(error as Error).message}`);
  }
  const doc = jsonFeed.safeParse(data);
  if (!doc.success) {
    throw new NotJsonFeedError('JSON, but not a JSON Feed (no "version": "https://jsonfeed.org/version/1.x" and "items")');
  }
  const items: JsonFeedItem[] = [];
  for (const raw of doc.data.items) {
    const item = jsonFeedItem.safeParse(raw);
    if (item.success) items.push(item.data);
  }
  const feedAuthors = doc.data.authors.length ? doc.data.authors : doc.data.author;
  const out: JsonFeedDoc = { title: doc.data.title ?? '', authors: feedAuthors, items };
  if (doc.data.home_page_url) out.homePageUrl = doc.data.home_page_url;
  if (doc.data.language) out.language = doc.data.language;
  return out;
}

/** JSON Feed's titles and content_text are plain text: escaped before the HTML-reading helpers see them. */
const plainLine = (text: string | undefined) => toPlainLine(text === undefined ? undefined : escapeHtml(text));

function fromJson(raw: JsonFeedItem, base: string, feed: JsonFeedDoc, dates: DateReading): Item {
  const contentText = raw.content_text?.trim() ? raw.content_text : undefined;
  const html = raw.content_html?.trim() ? raw.content_html : contentText ? undefined : raw.summary;
  const item: ItemFields = {
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

/** A JSON Feed document → ParsedFeed; NotJsonFeedError when it is not one. */
export function readJsonFeedDocument(text: string, feedUrl: string): ParsedFeed {
  const doc = readJsonFeed(text);
  const base = absoluteUrl(doc.homePageUrl, feedUrl) ?? feedUrl;
  const dates = dateReadingFor(doc.language, doc.title);
  const feed: ParsedFeed = { format: 'json', title: plainLine(doc.title), items: doc.items.map((i) => fromJson(i, base, doc, dates)) };
  setIf(feed, 'siteUrl', absoluteUrl(doc.homePageUrl, feedUrl));
  return feed;
}
