// Plain-text helpers for outside HTML and text: strip markup (a tokenizer, linear in its input), decode entities, collapse whitespace, cut at sentence ends.
import { decodeHTMLStrict } from 'entities';
import { readMarkup } from './markup.js';

const BLOCK = new Set(['p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'tr', 'table', 'section', 'article', 'header', 'footer', 'figure', 'figcaption', 'hr', 'dt', 'dd', 'dl', 'main', 'nav', 'aside', 'address', 'details', 'summary']);
const CELL = new Set(['td', 'th']);
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'head', 'title']);

/** Decodes HTML entities, repeatedly for double-escaped text (`&amp;amp;` → `&`), at most three rounds. */
export function decodeEntities(text: string): string {
  let out = text;
  for (let i = 0; i < 3 && /&(#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i.test(out); i++) out = decodeHTMLStrict(out);
  return out;
}

/**
 * HTML → readable text: scripts and styles dropped, blocks on their own lines, inline elements joined as a browser shows them
 * (`ft<sup>2</sup>` → `ft2`), entities decoded. One pass of an HTML tokenizer: linear whatever the markup, hostile or not.
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let hidden = 0;
  readMarkup(html, 'html', {
    open(name, _attrs, selfClosing) {
      if (HIDDEN.has(name)) hidden += selfClosing ? 0 : 1;
      else if (BLOCK.has(name)) parts.push('\n');
      else if (CELL.has(name)) parts.push(' ');
    },
    close(name) {
      if (HIDDEN.has(name)) hidden = Math.max(0, hidden - 1);
      else if (BLOCK.has(name)) parts.push('\n');
    },
    text(text) {
      if (hidden === 0) parts.push(text);
    },
  });
  return decodeEntities(parts.join(''))
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
