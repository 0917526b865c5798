// Charset detection: header, BOM, prolog, meta, the UTF-8 check, and a guess; GB2312/GBK read as GB18030.
import { describe, expect, it } from 'vitest';
import { decodeBody, normaliseCharset } from '../../src/feeds/charset.js';

const gb18030 = (s: string) => {
  // TextEncoder only writes UTF-8, so these are the GB18030 bytes as Python encodes them.
  const table: Record<string, number[]> = { 中文: [0xd6, 0xd0, 0xce, 0xc4], '𠮷': [0x95, 0x34, 0xb2, 0x35] };
  return Buffer.from(table[s]!);
};

describe('decodeBody', () => {
  it('reads GB2312 declared in the prolog as GB18030', () => {
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="gb2312"?><t>'), gb18030('中文'), Buffer.from('</t>')]);
    const d = decodeBody(bytes);
    expect(d.text).toContain('中文');
    expect(d.encoding).toBe('gb18030');
    expect(d.source).toBe('prolog');
  });

  it('decodes GB18030 four-byte characters that GBK decoders garble', () => {
    const bytes = Buffer.concat([Buffer.from('<meta charset="gbk">'), gb18030('𠮷')]);
    expect(decodeBody(bytes).text).toContain('𠮷');
  });

  it('lets the HTTP header win over the document', () => {
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="big5"?>'), gb18030('中文')]);
    expect(decodeBody(bytes, 'text/xml; charset=GBK').text).toContain('中文');
  });

  it('prefers valid UTF-8 over a meta tag claiming gb2312', () => {
    const d = decodeBody(Buffer.from('<meta charset="gb2312"><p>腾讯科技</p>'));
    expect(d.text).toContain('腾讯科技');
    expect(d.source).toBe('utf8-valid');
  });

  it('does not believe a UTF-8 header over bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="gbk"?><t>'), gb18030('中文'), Buffer.from('</t>')]);
    const d = decodeBody(bytes, 'application/xml; charset=utf-8');
    expect(d.text).toContain('中文');
    expect(d.source).toBe('prolog');
  });

  it('honours a BOM', () => {
    const d = decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss>中</rss>')]));
    expect(d.text).toBe('<rss>中</rss>');
    expect(d.source).toBe('bom');
  });

  it('guesses undeclared legacy bytes', () => {
    const d = decodeBody(Buffer.concat([Buffer.from('<rss><title>'), gb18030('中文'), gb18030('中文'), gb18030('中文'), Buffer.from('</title></rss>')]));
    expect(d.source).toBe('guess');
    expect(d.text).toContain('中文');
  });

  it.each([
    ['gb2312', 'gb18030'], ['GBK', 'gb18030'], ['x-gbk', 'gb18030'], ['Big5', 'big5'], ['UTF8', 'utf-8'], ['iso-8859-1', 'windows-1252'], ['klingon', undefined],
  ])('normalises %s to %s', (label, name) => {
    expect(normaliseCharset(label)).toBe(name);
  });
});
