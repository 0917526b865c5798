// A reader's filter without regular expressions: terms parsed from what they type, and the folded text an article is searched in (plain substring search).
import { hashtagSafe, simplify } from './digest.js';

/** `+` keeps only articles with one of the `+` terms; `-` drops articles with any `-` term. */
export type FilterSign = '+' | '-';

export interface FilterTerm {
  sign: FilterSign;
  /** A word is searched in the article's titles, summary, tags and categories; a tag only among the digest's tags. */
  kind: 'word' | 'tag';
  /** As the reader typed it (shown back), without its sign. */
  term: string;
  /** What is searched for: the folded word, or the folded tag between tag marks. */
  needle: string;
}

export const FILTER_LIMITS = { terms: 20, termLength: 30 } as const;

/** Separates tags in the searched text, so `#AI` matches the tag AI and not the tag AIGC. Never in folded text. */
const TAG_MARK = '\u001f';

/**
 * The same text however it was typed: full-width folded to half-width (NFKC), Traditional to Simplified, case folded,
 * runs of white space as one space.
 */
export function foldText(text: string): string {
  return simplify(text.normalize('NFKC')).toLowerCase().replace(/[\s\u001f]+/g, ' ').trim();
}

export type FilterProblem = { term: string; why: 'short' | 'long' | 'tag' } | { why: 'many'; max: number };

export interface ParsedFilter {
  terms: FilterTerm[];
  problems: FilterProblem[];
}

const hasCjk = (s: string) => /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(s);

/** One term as typed (`+词`, `-词`, `词`, `#标签`, `+#标签`, `-#标签`, signs full-width too); a problem when it cannot be used. */
export function parseTerm(raw: string): FilterTerm | FilterProblem {
  let text = raw.normalize('NFKC').trim();
  let sign: FilterSign = '+';
  if (text.startsWith('+') || text.startsWith('-')) {
    sign = text[0] as FilterSign;
    text = text.slice(1);
  }
  const isTag = text.startsWith('#');
  if (isTag) text = text.slice(1);
  text = text.replace(/^["“”'‘’「」]+|["“”'‘’「」]+$/g, '').trim();
  if (Array.from(text).length > FILTER_LIMITS.termLength) return { term: raw, why: 'long' };
  if (isTag) {
    const tag = foldText(hashtagSafe(text));
    if (!tag) return { term: raw, why: 'tag' };
    return { sign, kind: 'tag', term: `#${text}`, needle: `${TAG_MARK}${tag}${TAG_MARK}` };
  }
  const needle = foldText(text);
  // One Latin letter or digit matches nearly everything: a word needs two characters, or one Chinese (Japanese, Korean) one.
  if (Array.from(needle).length < (hasCjk(needle) ? 1 : 2)) return { term: raw, why: 'short' };
  return { sign, kind: 'word', term: text, needle };
}

/** Splits what a reader typed into terms: on white space, a quoted phrase (`"machine learning"`) kept whole. */
export function splitTerms(input: string): string[] {
  const out: string[] = [];
  for (const m of input.normalize('NFKC').matchAll(/([+-]?#?)(?:"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+))/gu)) {
    const quoted = m[2] ?? m[3] ?? m[4];
    out.push(quoted !== undefined ? `${m[1]}${quoted}` : `${m[1]}${m[5]}`);
  }
  return out.filter((t) => t.replace(/^[+-]?#?/, '').trim());
}

/** A whole filter from what a reader typed: usable terms (each once) and what was wrong with the others. */
export function parseFilter(input: string): ParsedFilter {
  const terms: FilterTerm[] = [];
  const problems: FilterProblem[] = [];
  const seen = new Set<string>();
  for (const raw of splitTerms(input)) {
    const t = parseTerm(raw);
    if ('why' in t) {
      problems.push(t);
      continue;
    }
    const id = t.sign + t.needle;
    if (seen.has(id)) continue;
    seen.add(id);
    terms.push(t);
  }
  if (terms.length > FILTER_LIMITS.terms) {
    problems.push({ why: 'many', max: FILTER_LIMITS.terms });
    terms.length = FILTER_LIMITS.terms;
  }
  return { terms, problems };
}

/** A filter as the reader reads it back and can type it again: `+AI -广告 +#芯片 -"machine learning"`. */
export function showFilter(terms: ReadonlyArray<Pick<FilterTerm, 'sign' | 'term'>>): string {
  return terms.map((t) => (/\s/.test(t.term) ? `${t.sign}"${t.term}"` : `${t.sign}${t.term}`)).join(' ');
}

/** What an article offers to a filter. */
export interface FilterableArticle {
  title: string;
  digestTitle?: string | undefined;
  summary?: string | undefined;
  tags: readonly string[];
  categories: readonly string[];
}

/**
 * The folded text an article's filters search: its titles, summary, tags and categories for words, then its tags between tag
 * marks for `#` terms. A needle is found in it by plain substring search (linear time, no pattern syntax).
 */
export function filterTextOf(a: FilterableArticle): string {
  const words = [a.title, a.digestTitle ?? '', a.summary ?? '', a.tags.join(' '), a.categories.join(' ')].map(foldText).join('\n');
  const tags = a.tags.map((t) => foldText(hashtagSafe(t))).filter(Boolean);
  return `${words}\n${TAG_MARK}${tags.join(TAG_MARK)}${TAG_MARK}`;
}
