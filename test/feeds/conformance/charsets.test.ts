// Class 3: character sets — windows-1252's 0x80–0x9F whatever Latin label a feed uses, Korean/Japanese/Thai guesses, UTF-16/32 with and
// without a BOM, and the two repairs: C1 controls in UTF-8 read as 1252 punctuation, doubly-encoded UTF-8 decoded once more.
import { describe, expect, it } from 'vitest';
import { decodeBody, normaliseCharset } from '../../../src/feeds/charset.js';
import { fixtureBytes, readFixture } from '../../support/feedFixtures.js';

const LATIN = { title: '“test” – café', text: 'déjà vu ’s' };
const UNICODE = { title: '统一码 “test”', text: '中文 — 内容' };

const cases: Array<{ fixture: string; contentType?: string; encoding: string; title: string; text?: string; why?: string }> = [
  { fixture: 'charsets/windows-1252-declared.xml', encoding: 'windows-1252', ...LATIN },
  { fixture: 'charsets/iso-8859-1-declared-1252-bytes.xml', encoding: 'windows-1252', ...LATIN, why: 'ISO-8859-1 is read as windows-1252, as browsers do' },
  { fixture: 'charsets/us-ascii-declared-1252-bytes.xml', encoding: 'windows-1252', ...LATIN, why: 'US-ASCII with 8-bit bytes is read as windows-1252' },
  { fixture: 'charsets/latin1-header-1252-bytes.xml', contentType: 'application/rss+xml; charset=latin1', encoding: 'windows-1252', ...LATIN },
  { fixture: 'charsets/cp949-undeclared.xml', encoding: 'euc-kr', title: '한국어 뉴스' },
  { fixture: 'charsets/shift_jis-undeclared.xml', encoding: 'shift_jis', title: '日本語のニュース' },
  { fixture: 'charsets/cp874-undeclared.xml', encoding: 'windows-874', title: 'ข่าวภาษาไทย' },
  { fixture: 'charsets/utf-16le-no-bom.xml', encoding: 'utf-16le', ...UNICODE },
  { fixture: 'charsets/utf-16be-no-bom.xml', encoding: 'utf-16be', ...UNICODE },
  { fixture: 'charsets/utf-32le-bom.xml', encoding: 'utf-32le', ...UNICODE },
  { fixture: 'charsets/utf-32be-bom.xml', encoding: 'utf-32be', ...UNICODE },
  { fixture: 'charsets/utf-32le-no-bom.xml', encoding: 'utf-32le', ...UNICODE },
  { fixture: 'charsets/cp437-declared.xml', encoding: 'cp437', title: 'Ça va, señor' },
  { fixture: 'charsets/koi8-r-declared.xml', encoding: 'koi8-r', title: 'Привет, мир' },
  { fixture: 'charsets/mac-roman-declared.xml', encoding: 'macintosh', title: 'Café “Mac”' },
  { fixture: 'charsets/utf-8-c1-controls.xml', encoding: 'utf-8', title: '“test” – it’s' },
  { fixture: 'charsets/utf-8-double-encoded.xml', encoding: 'utf-8', title: 'déjà vu — café', text: 'CAFÉ’S stays', why: 'only Â/Ã/â sequences are undone: É’ is ordinary text' },
];

describe('character sets', () => {
  for (const c of cases) {
    it(`${c.fixture} → ${c.encoding}${c.why ? ` (${c.why})` : ''}`, async () => {
      expect(decodeBody(fixtureBytes(c.fixture), c.contentType).encoding).toBe(c.encoding);
      const feed = await readFixture(c.fixture, c.contentType);
      expect(feed.items).toHaveLength(1);
      expect(feed.items[0]!.title).toBe(c.title);
      if (c.text) expect(feed.items[0]!.contentText).toBe(c.text);
    });
  }

  it('reads the doubly-encoded feed title too', async () => {
    expect((await readFixture('charsets/utf-8-double-encoded.xml')).title).toBe('café ’quoted’');
  });

  const labels: Array<[label: string, name: string | undefined]> = [
    ['CP949', 'euc-kr'],
    ['CP932', 'shift_jis'],
    ['CP874', 'windows-874'],
    ['ISO-8859-1', 'windows-1252'],
    ['latin1', 'windows-1252'],
    ['us-ascii', 'windows-1252'],
    ['GB2312', 'gb18030'],
    ['UTF-32', 'utf-32'],
    ['koi8-r', 'koi8-r'],
    ['cp_is', 'cp861'],
    ['x-mac-ce', 'maccenteuro'],
    ['csIBM866', 'csibm866'],
    ['x-no-such-charset', undefined],
  ];
  for (const [label, name] of labels) {
    it(`label ${label} → ${name}`, () => expect(normaliseCharset(label)).toBe(name));
  }
});
