// Links as Chinese readers type them: full-width commas, ideographic stops, brackets and quotes around or between them, no scheme.
import { describe, expect, it } from 'vitest';
import { urlsInText } from '../../src/core/urlsInText.js';

describe('urlsInText', () => {
  it.each([
    ['https://a.example/feed.xml，https://b.example/rss', ['https://a.example/feed.xml', 'https://b.example/rss']],
    ['https://c.example/feed.xml。', ['https://c.example/feed.xml']],
    ['https://a.example/1、https://b.example/2；https://c.example/3', ['https://a.example/1', 'https://b.example/2', 'https://c.example/3']],
    ['“https://a.example/feed”', ['https://a.example/feed']],
    ['（https://a.example/feed）', ['https://a.example/feed']],
    ['【https://a.example/feed】', ['https://a.example/feed']],
    ['《https://a.example/feed》', ['https://a.example/feed']],
    ['看看这个：https://a.example/post?id=3&x=1！', ['https://a.example/post?id=3&x=1']],
    ['(see https://a.example/x).', ['https://a.example/x']],
    ['https://zh.wikipedia.org/wiki/RSS_(文件格式)', ['https://zh.wikipedia.org/wiki/RSS_(文件格式)']],
    ['https://a.example/x https://a.example/x', ['https://a.example/x']],
    ['没有链接', []],
  ])('%s', (text, urls) => {
    expect(urlsInText(text)).toEqual(urls);
  });

  it('finds links without a scheme when asked, and nothing that only looks like one', () => {
    expect(urlsInText('ithome.com/rss，www.36kr.com/feed', { bare: true })).toEqual(['ithome.com/rss', 'www.36kr.com/feed']);
    expect(urlsInText('版本 1.2 文件 a.txt 和 example.com', { bare: true })).toEqual(['a.txt', 'example.com']);
    expect(urlsInText('mailto:x@example.com javascript:alert(1)', { bare: true })).toEqual([]);
    expect(urlsInText('example.com/feed')).toEqual([]);
  });
});
