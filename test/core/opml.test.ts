// OPML: what /export writes, /import reads back, with nesting, entities and duplicates.
import { describe, expect, it } from 'vitest';
import { parseOpml, renderOpml } from '../../src/core/opml.js';

describe('OPML', () => {
  it('round-trips feeds with awkward titles and URLs', () => {
    const feeds = [
      { url: 'https://a.example/feed?x=1&y=2', title: '科技 & "新闻" <日报>', siteUrl: 'https://a.example/' },
      { url: 'https://b.example/atom.xml', title: undefined, siteUrl: undefined },
    ];
    const back = parseOpml(renderOpml('我的订阅', feeds, 0));
    expect(back).toEqual([
      { url: 'https://a.example/feed?x=1&y=2', title: '科技 & "新闻" <日报>', siteUrl: 'https://a.example/' },
      { url: 'https://b.example/atom.xml', title: 'https://b.example/atom.xml', siteUrl: undefined },
    ]);
  });

  it('reads nested folders as other readers export them, once per feed', () => {
    const text = `<?xml version="1.0"?><opml version="1.0"><body>
      <outline text="Tech"><outline text="A" type="rss" xmlUrl="https://a/rss"/><outline text='B' xmlUrl='https://b/rss'/></outline>
      <outline text="again" xmlUrl="https://a/rss"/></body></opml>`;
    expect(parseOpml(text).map((f) => f.url)).toEqual(['https://a/rss', 'https://b/rss']);
  });

  it('refuses a file that is not OPML', () => {
    expect(() => parseOpml('<rss></rss>')).toThrow(/not an OPML file/);
  });
});
