// Class 4: an Atom <link> without rel is the alternate, the feed's (or the source's) Atom author belongs to entries without one,
// and people written as `email (Name)` or `Name <email>` are their names.
import { describe, expect, it } from 'vitest';
import { itemAt, readFixture } from '../../support/feedFixtures.js';

const cases: Array<{ fixture: string; url: string; author?: string; why?: string }> = [
  { fixture: 'links/atom-link-rels.xml', url: 'https://example.org/l/1', author: 'Feed Author', why: 'rel="self" is not the article; the link without rel is' },
  { fixture: 'links/atom-link-rels.xml', url: 'https://example.org/l/2', author: 'Entry Author' },
  { fixture: 'links/atom-link-rels.xml', url: 'https://example.org/l/3', author: 'Source Author', why: 'RFC 4287 §4.2.1: the source’s author before the feed’s' },
  { fixture: 'links/atom-link-rels.xml', url: 'https://example.org/base/l/4', author: 'Feed Author', why: 'a relative href resolves against its own xml:base' },
  { fixture: 'links/rss-authors.xml', url: 'https://example.org/a/1', author: 'Jane Doe' },
  { fixture: 'links/rss-authors.xml', url: 'https://example.org/a/2', author: 'Jane Doe' },
  { fixture: 'links/rss-authors.xml', url: 'https://example.org/a/3', author: 'editor@example.com' },
  { fixture: 'links/rss-authors.xml', url: 'https://example.org/a/4', author: '张三' },
  { fixture: 'links/rss-dc-itunes-author.xml', url: 'https://example.org/m/1', author: 'Example editor' },
  { fixture: 'links/rss-dc-itunes-author.xml', url: 'https://example.org/m/2', author: 'Podcast Host' },
];

describe('links and authors', () => {
  for (const c of cases) {
    it(`${c.fixture}: ${c.url}${c.author ? ` by ${c.author}` : ''}${c.why ? ` (${c.why})` : ''}`, async () => {
      const item = itemAt(await readFixture(c.fixture), c.url);
      expect(item.author).toBe(c.author);
    });
  }

  it('takes the feed’s site from the link without rel, not rel="self"', async () => {
    expect((await readFixture('links/atom-link-rels.xml')).siteUrl).toBe('https://example.org/');
  });

  it('takes an entry’s HTML alternate as its link, never an enclosure', async () => {
    const feed = await readFixture('links/atom-enclosures.xml');
    expect(feed.items.map((i) => [i.title, i.url])).toEqual([
      ['Enclosure first', 'https://example.org/e/1'],
      ['Only an enclosure', undefined],
      ['Link as text', 'https://example.org/e/3'],
    ]);
  });
});
