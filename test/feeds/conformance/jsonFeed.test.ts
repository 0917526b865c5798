// Class 5: JSON Feed as written in the wild — authors as an object, plain-text titles, an empty content_text beside content_html,
// and the feed's authors for items that name none (JSON Feed 1.1's `authors`, 1.0's `author`).
import { describe, expect, it } from 'vitest';
import { itemAt, readFixture } from '../../support/feedFixtures.js';

const cases: Array<{ fixture: string; url: string; title: string; author?: string; text: string; categories?: string[] }> = [
  { fixture: 'jsonfeed/authors-and-titles.json', url: 'https://example.org/j/1', title: 'Using </example> in HTML', author: 'Feed Author', text: 'Body one' },
  { fixture: 'jsonfeed/authors-and-titles.json', url: 'https://example.org/j/2', title: 'Authors as an object', author: 'Object Author', text: 'Body two' },
  { fixture: 'jsonfeed/authors-and-titles.json', url: 'https://example.org/j/3', title: 'No author', author: 'Feed Author', text: 'Body three', categories: ['a', 'b'] },
  { fixture: 'jsonfeed/authors-and-titles.json', url: 'https://example.org/j/4', title: '1.0 author', author: 'Single Author', text: 'Summary four' },
  { fixture: 'jsonfeed/feed-author-v1.json', url: 'https://example.org/v1/a', title: 'Inherits', author: 'Top Author', text: 'text' },
  // `http://`, a trailing slash: the version URL as some generators write it.
  { fixture: 'jsonfeed/version-variants.json', url: 'https://example.org/v/7', title: 'Still a JSON Feed', text: 'Body' },
];

describe('JSON Feed', () => {
  for (const c of cases) {
    it(`${c.fixture}: ${c.title}`, async () => {
      const item = itemAt(await readFixture(c.fixture), c.url);
      expect(item.title).toBe(c.title);
      expect(item.author).toBe(c.author);
      expect(item.contentText).toBe(c.text);
      if (c.categories) expect(item.categories).toEqual(c.categories);
    });
  }

  it('keeps every item and reads the feed title as text', async () => {
    const feed = await readFixture('jsonfeed/authors-and-titles.json');
    expect(feed.items).toHaveLength(4);
    expect(feed.title).toBe('JSON & friends');
  });
});
