// Bytes → text: charset from the BOM, the byte pattern, the HTTP header, the XML prolog or HTML meta, else a guess; decoded by iconv-lite.
import { lazy } from '../lazy.js';

/** Loaded the first time a body is not plain UTF-8 (most feeds are). */
const iconvLite = lazy<typeof import('iconv-lite')>('iconv-lite');
const chardet = lazy<typeof import('jschardet')>('jschardet');
import { repairMojibake, strictUtf8 } from './mojibake.js';

export interface Decoded {
  text: string;
  /** The encoding actually used. */
  encoding: string;
  /** Where it came from. */
  source: 'bom' | 'pattern' | 'header' | 'prolog' | 'meta' | 'utf8-valid' | 'guess' | 'default';
}

/**
 * Labels read as another charset. ISO-8859-1 and ASCII as windows-1252 (as browsers do: feeds that say latin1 mean 1252's quotes);
 * GB2312/GBK as their superset GB18030; the Windows code page names jschardet answers as the charsets they extend.
 */
const ALIASES: Record<string, string> = {
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  csgb2312: 'gb18030',
  'gb_2312-80': 'gb18030',
  'big5-hkscs': 'big5',
  'x-big5': 'big5',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  ascii: 'windows-1252',
  'us-ascii': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  cp1252: 'windows-1252',
  cp819: 'windows-1252',
  ibm819: 'windows-1252',
  cp949: 'euc-kr',
  'ks_c_5601-1987': 'euc-kr',
  'windows-949': 'euc-kr',
  uhc: 'euc-kr',
  cp932: 'shift_jis',
  'windows-31j': 'shift_jis',
  sjis: 'shift_jis',
  'x-sjis': 'shift_jis',
  cp874: 'windows-874',
  'tis-620': 'windows-874',
  'iso-8859-11': 'windows-874',
  cp_is: 'cp861',
  maccentraleurope: 'maccenteuro',
  maclatin2: 'maccenteuro',
  'x-mac-ce': 'maccenteuro',
  'x-mac-greek': 'macgreek',
  'x-mac-turkish': 'macturkish',
  utf16: 'utf-16',
  utf32: 'utf-32',
  'ucs-4': 'utf-32',
};

/** Maps a charset label to the name we decode with (iconv-lite's, else the WHATWG one), or undefined when nothing knows it. */
export function normaliseCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (!l || l.length > 40) return undefined;
  const name = ALIASES[l] ?? l;
  if (iconvLite().encodingExists(name)) return name;
  try {
    const whatwg = new TextDecoder(name).encoding;
    return whatwg === 'gbk' ? 'gb18030' : whatwg;
  } catch {
    return undefined;
  }
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '');
  return m?.[1];
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
  if (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff) return 'utf-32be';
  if (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) return 'utf-32le'; // before UTF-16LE, whose BOM it starts with
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  return undefined;
}

/**
 * UTF-16 and UTF-32 without a BOM, from where the zero bytes fall in the first character (`<`, `{` or whitespace):
 * no document in an 8-bit charset starts with a NUL.
 */
function patternEncoding(bytes: Uint8Array): string | undefined {
  if (bytes.length < 4) return undefined;
  const z = [bytes[0] === 0, bytes[1] === 0, bytes[2] === 0, bytes[3] === 0].map((x) => (x ? '0' : 'x')).join('');
  return ({ x000: 'utf-32le', '000x': 'utf-32be', x0x0: 'utf-16le', '0x0x': 'utf-16be' } as Record<string, string>)[z];
}

/** The encoding declared inside the document: XML prolog or HTML meta, read from the first bytes as ASCII. */
export function declaredInDocument(bytes: Uint8Array): { label: string; source: 'prolog' | 'meta' } | undefined {
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const prolog = /<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  if (prolog) return { label: prolog[1]!, source: 'prolog' };
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  if (meta) return { label: meta[1]!, source: 'meta' };
  return undefined;
}

const wide = (encoding: string) => /^utf-?(16|32)/.test(encoding);

/** Decodes with iconv-lite (right for windows-1252's 0x80–0x9F, UTF-32, the CJK code pages), else the WHATWG decoder. */
function decodeWith(bytes: Uint8Array, encoding: string): string {
  return iconvLite().encodingExists(encoding) ? iconvLite().decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding) : new TextDecoder(encoding).decode(bytes);
}

/** The result: a BOM dropped, the text's mojibake repaired. */
const result = (text: string, encoding: string, source: Decoded['source']): Decoded => ({ text: repairMojibake(text.replace(/^\uFEFF/, ''), encoding), encoding, source });
const decoded = (bytes: Uint8Array, encoding: string, source: Decoded['source']): Decoded => result(decodeWith(bytes, encoding), encoding, source);

/**
 * Decodes a document. The BOM and the byte pattern of UTF-16/32 are facts; a declaration is believed unless the bytes contradict it:
 * a declared legacy charset over valid multi-byte UTF-8 loses to UTF-8 (Chinese pages often say gb2312 in a meta tag but are served
 * as UTF-8, and valid UTF-8 by accident is rare), a declared UTF-8 over invalid UTF-8 loses to the next declaration or a guess, and a
 * declared UTF-16/32 over 8-bit bytes (the prolog was readable as ASCII) is ignored.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): Decoded {
  const bom = bomEncoding(bytes);
  if (bom) return decoded(bytes, bom, 'bom');
  const pattern = patternEncoding(bytes);
  if (pattern) return decoded(bytes, pattern, 'pattern');
  const inDoc = declaredInDocument(bytes);
  const declarations = [
    { enc: normaliseCharset(charsetFromContentType(contentType)), source: 'header' as const },
    { enc: normaliseCharset(inDoc?.label), source: inDoc?.source ?? ('meta' as const) },
  ].filter((d): d is { enc: string; source: 'header' | 'prolog' | 'meta' } => d.enc !== undefined && !wide(d.enc));
  const nonAscii = bytes.some((b) => b >= 0x80);
  // Checking for valid UTF-8 decodes it: that text is used whenever UTF-8 wins, not decoded a second time.
  const utf8 = strictUtf8(bytes);
  for (const d of declarations) {
    if (d.enc === 'utf-8' && utf8 === undefined) continue;
    if (utf8 !== undefined && (d.enc === 'utf-8' || nonAscii)) return result(utf8, 'utf-8', d.enc === 'utf-8' ? d.source : 'utf8-valid');
    return decoded(bytes, d.enc, d.source);
  }
  if (utf8 !== undefined) return result(utf8, 'utf-8', 'default');
  const guess = chardet().detect(Buffer.from(bytes.subarray(0, 64 * 1024)));
  const guessed = normaliseCharset(guess.encoding ?? undefined);
  return decoded(bytes, guessed && !wide(guessed) ? guessed : 'windows-1252', 'guess');
}
