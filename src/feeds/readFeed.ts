// One feed URL → a parsed feed (or "not modified"): safe fetch, charset decoding, parsing; errors say which feed and why.
import type { ParsedFeed } from '../core/model.js';
import { decodeBody } from './charset.js';
import { parseFeed } from './parseFeed.js';
import type { CacheHints, SafeFetch, Validators } from './safeFetch.js';

export type FeedRead =
  | { status: 'not-modified'; hints: CacheHints }
  | { status: 'ok'; url: string; feed: ParsedFeed; validators: Validators; hints: CacheHints; encoding: string };

export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1';

export async function readFeed(fetch: SafeFetch, url: string, validators: Validators = {}): Promise<FeedRead> {
  const res = await fetch(url, { ...validators, accept: FEED_ACCEPT });
  if (res.status === 'not-modified') return { status: 'not-modified', hints: res.hints };
  if (res.body.length === 0) throw new Error(`${url}: empty response body`);
  const decoded = decodeBody(res.body, res.contentType);
  let feed: ParsedFeed;
  try {
    feed = await parseFeed(decoded.text, res.url);
  } catch (error) {
    (error as Error).message = `${res.url}: ${(error as Error).message}`;
    throw error;
  }
  return { status: 'ok', url: res.url, feed, validators: res.validators, hints: res.hints, encoding: decoded.encoding };
}
