// JSON Feed 1.0 / 1.1 reader (jsonfeed.org): our own, small; anything else that is JSON is refused with a clear reason.
import { z } from 'zod';

const author = z.object({ name: z.string().optional(), url: z.string().optional() }).passthrough();

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
    author: author.optional(),
    authors: z.array(author).optional(),
    tags: z.array(z.string()).optional(),
  })
  .passthrough();

const jsonFeed = z
  .object({
    version: z.string().regex(/^https:\/\/jsonfeed\.org\/version\/1(\.1)?$/),
    title: z.string().optional(),
    home_page_url: z.string().optional(),
    feed_url: z.string().optional(),
    items: z.array(z.unknown()),
  })
  .passthrough();

export type JsonFeedItem = z.infer<typeof jsonFeedItem>;
export interface JsonFeedDoc {
  title: string;
  homePageUrl?: string;
  items: JsonFeedItem[];
}

export class NotJsonFeedError extends Error {}

/** Parses a JSON Feed document; items that do not fit the spec are skipped, not fatal. */
export function readJsonFeed(text: string): JsonFeedDoc {
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
  const out: JsonFeedDoc = { title: doc.data.title ?? '', items };
  if (doc.data.home_page_url) out.homePageUrl = doc.data.home_page_url;
  return out;
}
