// Article extraction on real pages from ../shared/corpus/articles: Chinese text decoded and found, non-articles refused.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/core/text.js';
import { extractArticle, NotAnArticleError } from '../../src/digests/extract.js';
import { decodeBody } from '../../src/feeds/charset.js';

const dir = join(import.meta.dirname, '../../../shared/corpus/articles');
const present = existsSync(dir);
if (!present) console.warn(`SKIPPING the real-article corpus tests: ${dir} is absent`);

const read = (name: string) => decodeBody(readFileSync(join(dir, name, 'source.html')), 'text/html').text;

describe.skipIf(!present)('extraction on real pages', () => {
  it.each([
    ['readability-qq-zh-meta-gb2312-but-utf8', 'DeepMind', '人工智能'],
    ['gne-people-1-zh-meta-gb2312-but-utf8', '郑板桥', '父亲的教诲像一盏灯'],
    ['gne-thepaper-1-zh', '共享充电宝', '吴翔宇'],
    ['gne-wechat-1-zh', 'Galaxy S20', '三星在美国旧金山举行发布会'],
    ['gne-xinhuanet-1-zh', '法国', '新华社巴黎12月9日电'],
    ['readability-gmw-zh', '宇航员', '翱翔于距地球数千公里的太空中'],
    ['readability-youth-zh', '留学生', '出国前后关注点大不同'],
    ['readability-pixnet-zh-tw', '新竹尖石', '嫣紅的彩衣'],
    ['readability-nytimes-1-en', 'Sudan', 'United Nations peacekeepers'],
  ])('%s: title has "%s", text has "%s"', (name, inTitle, inText) => {
    const article = extractArticle(read(name), 'https://example.com/a');
    expect(article.title).toContain(inTitle);
    expect(article.text).toContain(inText);
    expect(article.text).not.toContain('\ufffd');
    expect(article.text).not.toMatch(/<\/?(p|div|script)\b/);
  });

  it.each([
    ['readability-aktualne-cs'],
    ['readability-medium-1-en'],
    ['readability-wikipedia-en'],
    ['readability-base-url-base-element-relative'],
  ])('%s: finds the text readability expects', (name) => {
    const expectedText = htmlToText(decodeBody(readFileSync(join(dir, name, 'expected.html')), 'text/html').text).replace(/\s+/g, ' ');
    const firstWords = expectedText.trim().split(' ').slice(0, 6).join(' ');
    const article = extractArticle(read(name), 'https://example.com/a');
    expect(article.text.replace(/\s+/g, ' ')).toContain(firstWords);
  });

  it.each([['gne-163-list-page-non-article-zh'], ['readability-mozilla-2-non-article']])('%s is refused as not an article', (name) => {
    expect(() => extractArticle(read(name), 'https://example.com/a')).toThrow(NotAnArticleError);
  });
});

describe('extraction on pages written for the tests', () => {
  it('refuses a page with almost no text', () => {
    expect(() => extractArticle('<html><body><p>短短一句话。</p></body></html>', 'https://e.com/x')).toThrow(/no article text/);
  });
});
