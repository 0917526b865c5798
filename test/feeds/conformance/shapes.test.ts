// Class 6: odd shapes — <rss> without a channel, dcterms dates, dc:subject and media:category, guid-only items, inline markup joined,
// namespaces under unusual prefixes, RDF without a channel.
import { describe, expect, it } from 'vitest';
import { itemAt, readFixture } from '../../support/feedFixtures.js';

describe('feed shapes', () => {
  it('reads <rss> without <channel> as an empty feed', async () => {
    expect(await readFixture('shapes/rss-no-channel.xml')).toMatchObject({ format: 'rss', items: [] });
  });

  const dated: Array<[url: string, date: string, categories: string[]]> = [
    ['https://example.org/s/1', '2020-02-03T04:05:06.000Z', ['Science', 'Space']],
    ['https://example.org/s/2', '2020-02-04T00:00:00.000Z', []], // issued is the publication; modified only a revision
    ['https://example.org/s/3', '2020-02-05T00:00:00.000Z', []],
  ];
  for (const [url, date, categories] of dated) {
    it(`reads dcterms dates and dc:subject/media:category: ${url}`, async () => {
      const item = itemAt(await readFixture('shapes/rss-dcterms-categories.xml'), url);
      expect(new Date(item.publishedAt!).toISOString()).toBe(date);
      expect(item.categories).toEqual(categories);
    });
  }

  it('takes a permalink guid as the link of an item that has nothing else, and not a guid marked isPermaLink="false"', async () => {
    const feed = await readFixture('shapes/rss-guid-only.xml');
    expect(feed.items.map((i) => [i.guid, i.url, i.title])).toEqual([
      ['https://example.org/g/1', 'https://example.org/g/1', ''],
      ['https://example.org/g/2', undefined, 'Not a permalink'],
      // Read as the feed says it; polling passes over it, as it has nothing to read or link to.
      ['abc-123', undefined, ''],
    ]);
  });

  const inline: Array<[url: string, title: string, text: string]> = [
    ['https://example.org/i/1', 'Area in ft2', 'H2O is water.'],
    ['https://example.org/i/2', 'Raw children', 'Before bold after,\nand a link.'],
  ];
  for (const [url, title, text] of inline) {
    it(`joins inline elements without spaces: ${title}`, async () => {
      const item = itemAt(await readFixture('shapes/rss-inline-markup.xml'), url);
      expect(item.title).toBe(title);
      expect(item.contentText).toBe(text);
    });
  }

  it('reads Atom and Dublin Core under unusual prefixes', async () => {
    const feed = await readFixture('shapes/odd-prefixes.xml');
    expect(feed).toMatchObject({ format: 'atom', title: 'Prefixed Atom' });
    expect(feed.items.map((i) => [i.title, i.url, i.categories, new Date(i.publishedAt!).toISOString()])).toEqual([
      ['Prefixed entry', 'https://example.org/p/1', ['Prefixed'], '2021-01-01T00:00:00.000Z'],
    ]);
  });

  it('reads RSS 1.0 items without a channel', async () => {
    const feed = await readFixture('shapes/rss-no-version-rdf.xml');
    expect(feed.items.map((i) => [i.title, i.url])).toEqual([['RDF without a channel', 'https://example.org/r/1']]);
  });

  it('reads a YouTube channel feed: the description lives only in media:group', async () => {
    const feed = await readFixture('shapes/youtube-media-group.xml');
    expect(feed.siteUrl).toBe('https://www.youtube.com/channel/UCfixture');
    expect(feed.items.map((i) => [i.title, i.url, i.author, i.contentText, new Date(i.publishedAt!).toISOString()])).toEqual([
      ['A video & its <description>', 'https://www.youtube.com/watch?v=abc123', 'A Channel', 'Line one about 1 < 2.\nLine two.', '2024-05-01T12:00:00.000Z'],
      ['Only a media title', 'https://www.youtube.com/watch?v=def456', 'A Channel', 'Second video.', '2024-05-03T12:00:00.000Z'],
    ]);
  });

  const vocabularies: Array<[fixture: string, format: string, feedTitle: string, item: [title: string, url: string, text: string]]> = [
    ['shapes/rss10-prefixed-clash.xml', 'rdf', 'Prefixed RSS 1.0', ['Namespaced item', 'https://example.org/n/1', "the item's own description"]],
    ['shapes/rss20-userland-namespace.xml', 'rss', 'RSS 2.0 in a namespace', ['Userland item', 'https://example.org/u/1', '']],
    ['shapes/rss091-netscape-entities.xml', 'rss', 'Café & crème', ['Résumé — déjà vu', 'https://example.org/e/1', '© 2004']],
    ['shapes/channel-root.xml', 'rss', 'A bare channel', ['Bare', 'https://example.org/b/1', '']],
    // Entities the document declares are expanded (one level, within a budget); HTML's (&eacute;) are read as HTML.
    ['shapes/rss-doctype-entities.xml', 'rss', "Jane & John's example feed", ['By Jane & John, été', 'https://example.org/d/1', '']],
    ['shapes/php-warning-before-root.xml', 'rss', 'After a PHP warning', ['Still read', 'https://example.org/w/1', '']],
    ['shapes/items-outside-channel.xml', 'rss', 'Outside', ['Beside the channel', 'https://example.org/o/1', '']],
    ['shapes/rss10-items-in-channel.xml', 'rdf', 'Inside', ['Inside the channel', 'https://example.org/i/1', '']],
  ];
  for (const [fixture, format, feedTitle, [title, url, text]] of vocabularies) {
    it(`reads elements by namespace, not by prefix or DTD: ${fixture}`, async () => {
      const feed = await readFixture(fixture);
      expect([feed.format, feed.title]).toEqual([format, feedTitle]);
      expect(feed.items.map((i) => [i.title, i.url, i.contentText])).toEqual([[title, url, text]]);
    });
  }
});
