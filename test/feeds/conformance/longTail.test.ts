// The reader's long tail: whole feeds not lost to a byte or a server's prolog, links as aggregators write them (FeedBurner,
// Atom links in RSS items, Atom links without href), RSS 1.0's ids and authors, podcast elements in any case.
import { describe, expect, it } from 'vitest';
import type { ParsedFeed } from '../../../src/core/model.js';
import { itemAt, readFixture } from '../../support/feedFixtures.js';

const byTitle = (feed: ParsedFeed, title: string) => {
  const item = feed.items.find((i) => i.title === title);
  if (!item) throw new Error(`no item titled ${title}; titles: ${feed.items.map((i) => i.title).join(', ')}`);
  return item;
};

describe('whole feeds', () => {
  it('reads a feed whose root end tag is cut at its last byte (`</rss` and nothing after): everything before it is whole', async () => {
    const feed = await readFixture('whole/root-end-cut.xml');
    expect(feed.items.map((i) => i.url)).toEqual(['https://example.org/w/1', 'https://example.org/w/2']);
  });

  it('reads a feed after an HTML DOCTYPE a server put before it', async () => {
    const feed = await readFixture('whole/html-doctype-prolog.xml');
    expect(feed.title).toBe('A server added a DOCTYPE');
    expect(feed.items.map((i) => i.url)).toEqual(['https://example.org/d/1']);
  });

  it('still refuses a document really cut short (elements left open)', async () => {
    await expect(readFixture('whole/cut-short.xml')).rejects.toThrow(/cut short/);
  });
});

describe('links as aggregators write them', () => {
  const cases: Array<{ fixture: string; urls: string[]; why: string }> = [
    {
      fixture: 'aggregators/feedburner-origlink.xml',
      urls: ['https://example.org/2009/05/the-article/', 'https://example.org/2009/05/plain/'],
      why: 'feedburner:origLink is the article, not the feedproxy redirect',
    },
    {
      fixture: 'aggregators/rss-item-atom-link.xml',
      urls: ['https://example.org/al/1', 'https://example.org/al/2', 'https://example.org/al/3', 'https://example.org/al/4'],
      why: 'an atom:link (alternate, or without rel) is an RSS item’s link when it has no <link>; an enclosure never is',
    },
    {
      fixture: 'aggregators/atom-links-without-href.xml',
      urls: ['https://example.org/h/1', 'https://example.org/h/2', 'https://example.org/h/3'],
      why: 'a link without href (or an empty one) is passed over for the next alternate, in every entry',
    },
  ];
  for (const c of cases) {
    it(`${c.fixture} (${c.why})`, async () => {
      expect((await readFixture(c.fixture)).items.map((i) => i.url)).toEqual(c.urls);
    });
  }
});

describe('RSS 1.0 (RDF)', () => {
  it('takes rdf:about as the item’s id, keeps a mailto: creator as written, and gives items without one the channel’s', async () => {
    const feed = await readFixture('rdf/rdf-about.xml');
    const first = byTitle(feed, 'With a creator');
    expect(first.guid).toBe('https://example.org/r/1');
    expect(first.author).toBe('mailto:jane@example.org');
    const second = byTitle(feed, 'Without one');
    expect(second.guid).toBe('https://example.org/r/2');
    expect(second.author).toBe('Channel Editor');
  });
});

describe('podcast and iTunes elements', () => {
  it('reads iTunes elements whatever their case (and Apple’s own namespace spelling), categories nested or not, and summaries as text', async () => {
    const feed = await readFixture('podcasts/itunes-any-case.xml');
    expect(feed.title).toBe('Shouting Podcast');
    const one = itemAt(feed, 'https://example.org/pod/1');
    expect(one.author).toBe('Loud Host');
    expect(one.categories).toEqual(expect.arrayContaining(['Technology', 'Gadgets', 'Audio']));
    expect(one.contentText).toContain('All about microphones');
    expect(itemAt(feed, 'https://example.org/pod/2').contentText).toContain('A short one about cables');
    expect(itemAt(feed, 'https://example.org/pod/3').contentText).toBe('The description wins.');
  });
});

describe('Channel Definition Format', () => {
  it('reads a CDF channel as a feed: items by HREF, ABSTRACT as text, LASTMOD as the date, sub-channels’ items too', async () => {
    const feed = await readFixture('cdf/channel.xml');
    expect(feed.title).toBe('Channel Definition Format');
    expect(feed.siteUrl).toBe('https://example.org/index.html');
    expect(feed.items.map((i) => [i.title, i.url])).toEqual([
      ['First item', 'https://example.org/cdf/1.html'],
      ['Second item, relative', 'https://example.org/cdf/2.html'],
    ]);
    const first = feed.items[0]!;
    expect(first.contentText).toBe("The first item's abstract.");
    expect(new Date(first.publishedAt!).toISOString()).toBe('2004-01-02T08:30:00.000Z');
  });
});

describe('markup as the feed meant it', () => {
  it('keeps the text of inline MathML and SVG, and reads a DOCTYPE written in escaped text as text', async () => {
    const feed = await readFixture('markup/math-svg-doctype.xml');
    expect(itemAt(feed, 'https://example.org/m/1').contentText).toBe('Area: πr2 and a labelled circle');
    expect(itemAt(feed, 'https://example.org/m/2').contentText).toBe('Write <!DOCTYPE html> first, then the rest');
  });

  it('reads an item’s full text from xhtml:body (prefixed or in the default namespace), content:encoded first when both are there', async () => {
    const feed = await readFixture('markup/xhtml-body.xml');
    expect(itemAt(feed, 'https://full.example/1').contentText).toBe('The whole first article, as XHTML.\nIts second paragraph.');
    expect(itemAt(feed, 'https://full.example/2').contentText).toBe('The second article in HTML, longer: it has a second paragraph.\nHere it is.');
    expect(itemAt(feed, 'https://full.example/3').contentText).toBe('The third article, its body in the default namespace.');
  });
});
