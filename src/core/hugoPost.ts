// A digest as a Hugo post, the way this product's ancestor archived them: front matter, digest block, article, link.
import type { Digest } from './digest.js';
import { shortHash } from './itemKey.js';

export interface ArchivedArticle {
  digest: Digest;
  title: string;
  url?: string | undefined;
  /** The feed's title (Hugo category); the site's host for a page asked for with /summary. */
  source: string;
  text: string;
  publishedAt?: number | undefined;
}

const yamlString = (s: string) => JSON.stringify(s);

function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Stable file name: the date and a hash of the article's URL (or title), so rewriting replaces, never duplicates. */
export function hugoFileName(a: ArchivedArticle, offsetMinutes = 480): string {
  const date = isoWithOffset(a.publishedAt ?? a.digest.createdAt, offsetMinutes).slice(0, 10);
  return `${date}-${shortHash(a.url ?? a.title, 12)}.md`;
}

export function renderHugoPost(a: ArchivedArticle, offsetMinutes = 480): string {
  const d = a.digest;
  const front = [
    '---',
    `title: ${yamlString(d.title || a.title)}`,
    `date: ${isoWithOffset(a.publishedAt ?? d.createdAt, offsetMinutes)}`,
    `categories: [${yamlString(a.source)}]`,
    `tags: [${d.tags.map(yamlString).join(', ')}]`,
    ...(a.url ? [`source: ${yamlString(a.url)}`] : []),
    `original_title: ${yamlString(a.title)}`,
    '---',
  ];
  const block = [`> 关键词: ${d.tags.map((t) => `#${t}`).join(' ')}`, '>', `> ${d.summary}`, '>', `> 总结: ${d.tldr}`];
  const body = a.text.split('\n').map((l) => l.trim()).filter(Boolean).join('\n\n');
  return [...front, '', ...block, '', body, '', ...(a.url ? [`[原文](${a.url})`, ''] : [])].join('\n');
}
