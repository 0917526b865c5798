// Hostile markup costs its length: a 5 MB feed, page, OPML file or LLM answer built to make regexes backtrack is read (or refused) and the bot goes on.
// (These tests simply finish; a quadratic path would run for hours. The CPU figures are in `npm run bench -- hostile`.)
import { describe, expect, it } from 'vitest';
import { parseOpml } from '../../src/core/opml.js';
import { htmlToText } from '../../src/core/text.js';
import { extractArticle } from '../../src/digests/extract.js';
import { extractJson } from '../../src/digests/llmClient.js';
import { buildMessages } from '../../src/digests/prompt.js';
import { discoverFeeds } from '../../src/feeds/autodiscovery.js';
import { parseFeed } from '../../src/feeds/parseFeed.js';
import { hostileFeed, unclosed } from '../support/hostile.js';

const MB = 1024 * 1024;

describe('hostile input', () => {
  it('parses a 5 MB feed whose items repeat unclosed <script, <link, <!--, <rss and <?xml', async () => {
    const feed = await parseFeed(hostileFeed(5 * MB), 'https://evil.example/feed.xml');
    expect(feed.items.length).toBeGreaterThan(100);
    expect(feed.items[0]!.url).toBe('https://evil.example/0');
  });

  it('reads an item whose description nests 200,000 elements, keeping its text', async () => {
    const nested = `${'<b>'.repeat(200_000)}deep${'</b>'.repeat(200_000)}`;
    const feed = await parseFeed(`<rss version="2.0"><channel><title>t</title><item><title>n</title><link>https://x.example/1</link><description>${nested}</description></item></channel></rss>`, 'https://x.example/feed');
    expect(feed.items.map((i) => i.contentText)).toEqual(['deep']);
  });

  it('reads unescaped <br> and <img> in a description as HTML does: 50,000 of them nest nothing', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}<br><img src="https://x.example/${i}.png">`).join('');
    const feed = await parseFeed(`<rss version="2.0"><channel><title>t</title><item><title>n</title><link>https://x.example/1</link><description>${lines}</description></item></channel></rss>`, 'https://x.example/feed');
    const text = feed.items[0]!.contentText.split('\n');
    expect([text.length, text[0], text.at(-1)]).toEqual([50_000, 'line 0', 'line 49999']);
  });

  it('expands a document’s own entities within a budget: 100,000 references to a 100 KB entity stay a few MB', async () => {
    const doc = `<!DOCTYPE rss [<!ENTITY big "${'x'.repeat(100_000)}">]><rss version="2.0"><channel><title>t</title><item><title>bomb</title><link>https://x.example/1</link><description>${'&big;'.repeat(100_000)}</description></item></channel></rss>`;
    const feed = await parseFeed(doc, 'https://x.example/feed');
    expect(feed.items[0]!.contentText.length).toBeLessThan(3 * MB);
  });

  it('turns 5 MB of half-open tags, or of tags never closed, into text', () => {
    for (const opening of ['<script ', '<style ', '<!-- ', '<p ', '<![CDATA[ ', '<a href="', '<span>', '<div>x', '<b><i>']) {
      expect(typeof htmlToText(unclosed(opening, (5 * MB) / opening.length))).toBe('string');
    }
  });

  it('looks for feeds in a page of 5 MB of unclosed <link and <base', () => {
    expect(discoverFeeds(unclosed('<link rel="alternate" ', MB / 4) + unclosed('<base ', MB / 8), 'https://x.example/')).toEqual([]);
    expect(discoverFeeds(`${unclosed('<div>', MB / 20)}<link rel="alternate" type="application/rss+xml" href="/f">`, 'https://x.example/')).toEqual([{ url: 'https://x.example/f', type: 'application/rss+xml' }]);
  });

  it('reads an OPML file of unclosed <outline', () => {
    expect(parseOpml(`<opml>${unclosed('<outline xmlUrl="', MB / 8)}`)).toEqual([]);
    expect(parseOpml(`<opml><body>${unclosed('<outline text="group">', MB / 8)}<outline xmlUrl="https://x.example/f"/>`)).toEqual([{ url: 'https://x.example/f', title: undefined, siteUrl: undefined }]);
  });

  it('reads an LLM answer of unclosed <think> and fences', () => {
    expect(() => extractJson(unclosed('<think>', MB / 4) + unclosed('```', MB / 4))).toThrow();
    expect(extractJson(`${unclosed('</think>', MB / 8)}{"a":1}`)).toEqual({ a: 1 });
  });

  it('refuses an article page that nests 1,000,000 elements before building a DOM of it', () => {
    expect(() => extractArticle(`<html><body>${unclosed('<div>x', 1_000_000)}</body></html>`, 'https://x.example/a')).toThrow(/nests too deep/);
  });

  it('quotes an article of unclosed <article tags', () => {
    const messages = buildMessages({ instructions: 'x', version: 'v' }, { title: 't', text: unclosed('<article ', MB / 4) });
    expect(messages[1]!.content).not.toContain('<article ');
  });
});
