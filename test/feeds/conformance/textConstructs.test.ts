// Class 1: Atom text constructs read by their type — text is text, html is markup, xhtml is its div's content in order.
import { describe, expect, it } from 'vitest';
import { itemAt, readFixture } from '../../support/feedFixtures.js';

const cases: Array<{ fixture: string; url?: string; title?: string; feedTitle?: string; text?: string; html?: RegExp }> = [
  { fixture: 'text/atom-xhtml-title.xml', url: 'https://example.org/xhtml/1', feedTitle: 'A feed with an XHTML title', title: 'An emphatic entry', text: 'Summary with bold inside' },
  // type="text" (and no type, which means text): `<blink>` is a word of the title, not a tag to strip.
  { fixture: 'text/atom-text-title.xml', url: 'https://example.org/text/1', feedTitle: 'Markup & tags', title: 'History of the <blink> tag' },
  { fixture: 'text/atom-text-title.xml', url: 'https://example.org/text/2', title: 'Untyped <title> is text too' },
  { fixture: 'text/atom-text-title.xml', url: 'https://example.org/text/3', title: 'History of the bold tag' },
  // A text title holding child elements (invalid Atom) keeps all of its words, as browsers show it.
  { fixture: 'text/atom-title-children.xml', url: 'https://example.org/children/1', title: 'Test: bold and after' },
  {
    fixture: 'text/atom-xhtml-content-order.xml',
    title: 'Order',
    text: 'First a link then text.\nSecond paragraph.',
    html: /^<p>First <a href="https:\/\/example.org\/x">a link<\/a> then text.<\/p><p>Second paragraph.<\/p>$/,
  },
  { fixture: 'text/atom03-base64.xml', url: 'https://example.org/03/1', feedTitle: 'Atom 0.3', title: 'Plain <text> in base64', text: 'Hello from base64 – ünïcode' },
  { fixture: 'text/atom03-base64.xml', url: 'https://example.org/03/2', title: 'Escaped title' },
  // An RSS title without markup is text: decoded once by XML, never again by HTML's legacy rules (`&copy=2` is no ©), while a
  // double-escaped entity (`&amp;amp;`) still reads as its character.
  { fixture: 'text/rss-title-entities.xml', url: 'https://example.org/t/1', feedTitle: '?page=1&copy=2;mode=x & done', title: 'AT&T & Résumé' },
  { fixture: 'text/rss-title-entities.xml', url: 'https://example.org/t/2', title: 'Query ?a=1&copy=2 kept' },
  // RFC 4287 §4.1.3.3: a media type that is neither text nor XML is base64.
  { fixture: 'text/atom10-binary-content.xml', url: 'https://example.org/b/1', title: 'Octet stream', text: 'History of the <blink> tag' },
];

describe('Atom text constructs', () => {
  for (const c of cases) {
    it(`${c.fixture}: ${c.title}`, async () => {
      const feed = await readFixture(c.fixture);
      const item = c.url ? itemAt(feed, c.url) : feed.items[0]!;
      if (c.feedTitle) expect(feed.title).toBe(c.feedTitle);
      if (c.title) expect(item.title).toBe(c.title);
      if (c.text) expect(item.contentText).toBe(c.text);
      if (c.html) expect(item.contentHtml).toMatch(c.html);
    });
  }
});
