// Repairs the two encoding mistakes feeds make most: windows-1252 punctuation stored as C1 controls, and UTF-8 encoded twice.

/** windows-1252's 0x80–0x9F (where ISO-8859-1 has C1 controls); the five holes stay as they are. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** A character as the windows-1252 (or Latin-1) byte it was decoded from, or -1. */
function byteOf(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code >= 0x80 && code <= 0xff) return code;
  const i = CP1252_HIGH.indexOf(ch);
  return i >= 0 ? 0x80 + i : -1;
}

const CONT = `[\\u0080-\\u00bf${CP1252_HIGH.replace(/[\u0080-\u009f]/g, '')}]`;
/**
 * The telltale double encodings only: Â/Ã + one continuation (Latin-1 letters and signs), â + two (curly quotes, dashes, €).
 * Other lead letters followed by a sign are ordinary text too often (`CAFÉ’S`) to rewrite.
 */
const DOUBLE = new RegExp(`[\\u00c2\\u00c3]${CONT}|\\u00e2${CONT}{2}`, 'g');
const C1 = /[\u0080-\u009f]/g;
const HAS_C1 = /[\u0080-\u009f]/;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as UTF-8, or undefined when they are not valid UTF-8. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const undoDouble = (seq: string): string => strictUtf8(Uint8Array.from(Array.from(seq, byteOf))) ?? seq;

/**
 * Text decoded as UTF-8 may hold UTF-8 that was decoded as windows-1252 and encoded again (`Ã©` for `é`, `â€™` for `’`): such
 * sequences are decoded once more when their bytes are valid UTF-8. In any text, C1 control characters (U+0080–U+009F, never meant
 * in a feed) are read as the windows-1252 punctuation they were written as (`\x93test\x94` → `“test”`).
 */
export function repairMojibake(text: string, encoding: string): string {
  let out = text;
  if (encoding === 'utf-8' && /[\u00c2\u00c3\u00e2]/.test(out)) out = out.replace(DOUBLE, undoDouble);
  if (HAS_C1.test(out)) out = out.replace(C1, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!);
  return out;
}
