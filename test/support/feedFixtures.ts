// Our own feed fixtures (test/fixtures/feeds/…) decoded and parsed as a poll would, from a fixed feed URL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, ParsedFeed } from '../../src/core/model.js';
import { decodeBody } from '../../src/feeds/charset.js';
import { parseFeed } from '../../src/feeds/parseFeed.js';

export const FIXTURE_FEED_URL = 'https://example.org/feed';

export function fixtureBytes(path: string): Buffer {
  return readFileSync(join(import.meta.dirname, '../fixtures/feeds', path));
}

export function readFixture(path: string, contentType?: string): Promise<ParsedFeed> {
  return parseFeed(decodeBody(fixtureBytes(path), contentType).text, FIXTURE_FEED_URL);
}

/** The item of a fixture whose link is `url`. */
export function itemAt(feed: ParsedFeed, url: string): Item {
  const item = feed.items.find((i) => i.url === url);
  if (!item) throw new Error(`no item links to ${url}; links: ${feed.items.map((i) => i.url).join(', ')}`);
  return item;
}
