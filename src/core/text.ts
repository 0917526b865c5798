// Plain-text helpers for outside HTML and text: strip markup, decode entities, collapse whitespace, cut at sentence ends.
import { decodeHTML } from 'entities';

const BLOCK = /<\/?(p|div|br|li|ul|ol|h[1-6]|blockquote|pre|tr|table|section|article|header|footer|figure|figcaption|hr)\b[^>]*>/gi;

/** Decodes HTML entities, repeatedly for double-escaped text (`&amp;amp;` → `&`), at most three rounds. */
export function decodeEntities(text: string): string {
  let out = text;
  for (let i = 0; i < 3 && /&(#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i.test(out); i++) out = decodeHTML(out);
  return out;
}

/** HTML → readable text: scripts and styles dropped, blocks on their own lines, entities decoded. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(BLOCK, '\n')
    .replace(/<[^>]*>/g, ' ');
  return decodeEntities(text)
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\v]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

/** One-line text: markup stripped, entities decoded, whitespace collapsed (titles, names). */
export function toPlainLine(html: string | undefined): string {
  if (!html) return '';
  return htmlToText(html).replace(/\s+/g, ' ').trim();
}

const SENTENCE_END = /[。！？!?；;…]|\.(?=\s|$)/g;

/** Cuts text to at most `max` characters, at the last sentence end when there is one, else with an ellipsis. */
export function cutAtSentence(text: string, max: number): string {
  const chars = Array.from(text.trim());
  if (chars.length <= max) return chars.join('');
  const head = chars.slice(0, max).join('');
  let cut = -1;
  for (const m of head.matchAll(SENTENCE_END)) cut = m.index! + m[0].length;
  if (cut >= Math.floor(max * 0.4)) return head.slice(0, cut).trim();
  return Array.from(head).slice(0, max - 1).join('').trimEnd() + '…';
}

/** Counts CJK ideographs and kana/hangul. */
export function countCjk(text: string): number {
  return (text.match(/[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/g) ?? []).length;
}
