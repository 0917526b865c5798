// Bytes → text: charset from the HTTP header, the BOM, the XML prolog or HTML meta, else a guess; GB2312/GBK read as GB18030.
import jschardet from 'jschardet';

export interface Decoded {
  text: string;
  /** The encoding actually used. */
  encoding: string;
  /** Where it came from. */
  source: 'bom' | 'header' | 'prolog' | 'meta' | 'utf8-valid' | 'guess' | 'default';
}

const ALIASES: Record<string, string> = {
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  'csgb2312': 'gb18030',
  'gb_2312-80': 'gb18030',
  big5: 'big5',
  'big5-hkscs': 'big5',
  'x-big5': 'big5',
  'utf8': 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'ascii': 'windows-1252',
  'us-ascii': 'windows-1252',
};

/** Maps a charset label to one TextDecoder knows, or undefined when none does. */
export function normaliseCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  const name = ALIASES[l] ?? l;
  try {
    return new TextDecoder(name).encoding === 'gbk' ? 'gb18030' : new TextDecoder(name).encoding;
  } catch {
    return undefined;
  }
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '');
  return m?.[1];
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** True when the bytes are valid UTF-8 and hold at least one multi-byte sequence. */
function isNonAsciiUtf8(bytes: Uint8Array): boolean {
  if (!bytes.some((b) => b >= 0x80)) return false;
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function decodeWith(bytes: Uint8Array, encoding: string): string {
  return new TextDecoder(encoding).decode(bytes); // strips a matching BOM
}

/**
 * Decodes a document. A declaration is believed unless the bytes contradict it: a declared legacy charset
 * over valid multi-byte UTF-8 loses to UTF-8 (Chinese pages often say gb2312 in a meta tag but are served
 * as UTF-8, and valid UTF-8 by accident is rare), and a declared UTF-8 over invalid UTF-8 loses to the
 * next declaration or a guess.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): Decoded {
  const bom = bomEncoding(bytes);
  if (bom) return { text: decodeWith(bytes, bom), encoding: bom, source: 'bom' };
  const inDoc = declaredInDocument(bytes);
  const declarations = [
    { enc: normaliseCharset(charsetFromContentType(contentType)), source: 'header' as const },
    { enc: normaliseCharset(inDoc?.label), source: inDoc?.source ?? ('meta' as const) },
  ].filter((d): d is { enc: string; source: 'header' | 'prolog' | 'meta' } => d.enc !== undefined);
  const nonAscii = bytes.some((b) => b >= 0x80);
  const validUtf8 = !nonAscii || isNonAsciiUtf8(bytes);
  for (const d of declarations) {
    if (d.enc === 'utf-8' && !validUtf8) continue;
    if (d.enc !== 'utf-8' && !d.enc.startsWith('utf-16') && nonAscii && validUtf8) {
      return { text: decodeWith(bytes, 'utf-8'), encoding: 'utf-8', source: 'utf8-valid' };
    }
    return { text: decodeWith(bytes, d.enc), encoding: d.enc, source: d.source };
  }
  if (validUtf8) return { text: decodeWith(bytes, 'utf-8'), encoding: 'utf-8', source: 'default' };
  const sample = Buffer.from(bytes.subarray(0, 64 * 1024));
  const guess = jschardet.detect(sample);
  const guessed = normaliseCharset(guess.encoding ?? undefined) ?? 'windows-1252';
  return { text: decodeWith(bytes, guessed), encoding: guessed, source: 'guess' };
}
