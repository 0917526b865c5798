// Canonical article URLs and item keys: the rules that decide what counts as the same article.
import { describe, expect, it } from 'vitest';
import { absoluteUrl, canonicalUrl } from '../../src/core/canonicalUrl.js';
import { itemKey } from '../../src/core/itemKey.js';

describe('canonicalUrl', () => {
  it.each([
    ['https://Example.COM:443/a?utm_source=rss&utm_medium=feed#comments', 'https://example.com/a'],
    ['http://example.com:80/a', 'http://example.com/a'],
    ['http://example.com:8080/a', 'http://example.com:8080/a'],
    ['https://example.com/a?b=2&a=1&fbclid=x', 'https://example.com/a?a=1&b=2'],
    ['https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=abc&spm=a.b.c&from=timeline', 'https://mp.weixin.qq.com/s?__biz=MzA&idx=1&mid=1&sn=abc'],
    ['https://example.com/a?', 'https://example.com/a'],
    ['https://user:pw@example.com/a', 'https://example.com/a'],
    ['https://example.com./a', 'https://example.com/a'],
    ['ftp://example.com/a', undefined],
    ['not a url', undefined],
    [undefined, undefined],
  ])('%s → %s', (input, output) => {
    expect(canonicalUrl(input)).toBe(output);
  });

  it('resolves relative links against a base', () => {
    expect(absoluteUrl('../about/', 'http://example.org/archives/x.html')).toBe('http://example.org/about/');
    expect(absoluteUrl('javascript:alert(1)', 'http://example.org/')).toBeUndefined();
  });
});

describe('itemKey', () => {
  it.each([
    [{ guid: ' 50366 ', canonicalUrl: 'https://a/1', title: 't', contentText: 'c' }, 'g:50366'],
    [{ guid: '', canonicalUrl: 'https://a/1', title: 't', contentText: 'c' }, 'u:https://a/1'],
    [{ title: 't', contentText: 'c' }, expect.stringMatching(/^h:[0-9a-f]{24}$/)],
  ])('%o → %s', (item, key) => {
    expect(itemKey(item)).toEqual(key);
  });

  it('hashes title and content, so a changed text is a new item', () => {
    expect(itemKey({ title: 't', contentText: 'a' })).not.toBe(itemKey({ title: 't', contentText: 'b' }));
    expect(itemKey({ title: 't', contentText: 'a' })).toBe(itemKey({ title: 't', contentText: 'a' }));
  });
});
