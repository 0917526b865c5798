// The digest the LLM must return, and the rules enforced in code: Simplified Chinese, one-sentence tldr, one paragraph, 3–5 safe tags.
import { lazy } from '../lazy.js';
import { z } from 'zod';
import { countCjk, cutAtSentence } from './text.js';

/** What the model is asked for (INTERFACE.md), plus a flag for text too thin to digest. */
export const digestAnswerSchema = z.object({
  title: z.string(),
  tldr: z.string(),
  summary: z.string(),
  tags: z.array(z.string()),
  insufficient: z.boolean(),
});
export type DigestAnswer = z.infer<typeof digestAnswerSchema>;

/** A digest as the bot uses it. */
export interface Digest {
  title: string;
  tldr: string;
  summary: string;
  tags: string[];
  model: string;
  promptVersion: string;
  createdAt: number;
}

export const LIMITS = { title: 60, tldr: 90, summary: 320, tagLength: 20, minTags: 3, maxTags: 5 } as const;

/** OpenCC's Traditional → Simplified tables, loaded at the first conversion. */
const opencc = lazy<typeof import('opencc-js/t2cn')>('opencc-js/t2cn');
let converter: ((text: string) => string) | undefined;
const toSimplified = (text: string) => (converter ??= opencc().Converter({ from: 'twp', to: 'cn' }))(text);

/** Traditional → Simplified, phrase-aware (軟體 → 软件); harmless on text already simplified. */
export function simplify(text: string): string {
  return toSimplified(text);
}

/** A tag that works as a Telegram hashtag: letters, digits and underscores only, not all digits. */
export function hashtagSafe(tag: string): string {
  const cleaned = simplify(tag)
    .normalize('NFKC')
    .trim()
    .replace(/^#+/, '')
    .replace(/[\s\-·・/.&+|:：,，、]+/gu, '_')
    .replace(/[^\p{L}\p{N}_]/gu, '')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  const short = Array.from(cleaned).slice(0, LIMITS.tagLength).join('');
  return /^\d*$/.test(short) ? '' : short;
}

/** Tags trimmed, made hashtag-safe, de-duplicated (case-insensitively), at most five; topped up from `fallback` to three. */
export function normaliseTags(tags: readonly string[], fallback: readonly string[] = []): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of [...tags, ...(tags.length < LIMITS.minTags ? fallback : [])]) {
    const tag = hashtagSafe(raw);
    const id = tag.toLowerCase();
    if (!tag || seen.has(id)) continue;
    seen.add(id);
    out.push(tag);
    if (out.length === LIMITS.maxTags) break;
  }
  return out;
}

/** The first sentence, within the tldr limit. */
export function oneSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^.+?[。！？!?](?=\s|$|[^。！？!?”」』"])/u.exec(flat);
  return cutAtSentence(m ? m[0] : flat, LIMITS.tldr);
}

/** One paragraph within the summary limit, cut at a sentence end. */
export function oneParagraph(text: string): string {
  return cutAtSentence(text.replace(/\s*\n+\s*/g, ' ').replace(/\s+/g, ' ').trim(), LIMITS.summary);
}

export type DigestCheck = { ok: true; digest: Omit<Digest, 'model' | 'promptVersion' | 'createdAt'> } | { ok: false; problem: string };

/** Applies every rule to a validated answer; says what is wrong when it cannot be used. */
export function finishDigest(answer: DigestAnswer, categories: readonly string[] = []): DigestCheck {
  const title = cutAtSentence(simplify(answer.title).replace(/\s+/g, ' ').trim(), LIMITS.title);
  const summary = oneParagraph(simplify(answer.summary));
  const tldr = oneSentence(simplify(answer.tldr));
  if (!summary || !tldr) return { ok: false, problem: 'empty tldr or summary' };
  if (countCjk(summary) < 10 || countCjk(tldr) < 4) return { ok: false, problem: 'the answer is not in Chinese' };
  const tags = normaliseTags(answer.tags, categories);
  if (tags.length === 0) return { ok: false, problem: 'no usable tags' };
  return { ok: true, digest: { title: title || tldr, tldr, summary, tags } };
}
