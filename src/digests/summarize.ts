// One digest per article, whoever asks: cached by canonical URL + content hash + prompt version + model; concurrent asks share one call.
import { canonicalUrl } from '../core/canonicalUrl.js';
import type { Digest } from '../core/digest.js';
import { repairRequest, unsupportedClaims, withoutClaims } from '../core/faithfulness.js';
import { shortHash } from '../core/itemKey.js';
import { trimToTokens } from '../core/tokens.js';
import { FetchError, type SafeFetch } from '../feeds/safeFetch.js';
import type { Logger } from '../log.js';
import type { Collection } from '../store/cache.js';
import { articleText, fetchArticlePage, type ArticleSource, type ArticleText } from './articleText.js';
import { NotAnArticleError } from './extract.js';
import type { LlmClient } from './llmClient.js';
import { buildMessages, type DigestPrompt } from './prompt.js';
import type { TokenBudget } from './tokenBudget.js';

/** What the cache keeps per article version: a digest, or the model's word that the text was too thin. */
export type CachedDigest =
  | { kind: 'digest'; digest: Digest; title: string; url?: string }
  | { kind: 'insufficient'; title: string; url?: string }
  /** The model's digest stated what the source does not, even after being told, in every sentence of its summary. */
  | { kind: 'unfaithful'; title: string; url?: string };

export type SummaryOutcome =
  | { kind: 'digest'; digest: Digest; title: string; url?: string; cached: boolean }
  | { kind: 'unreadable'; reason: string; title?: string; url?: string; unfaithful?: boolean };

/** How a digest held to its source: revised once told what it got wrong, trimmed of the sentences still wrong, or refused. */
export type FaithfulnessOutcome = 'revised' | 'trimmed' | 'refused';

export interface DigestCache {
  digests: Collection<CachedDigest>;
  /** canonical URL + prompt version + model → the key of the newest digest of that URL. */
  byUrl: Collection<string>;
}

export interface SummarizerDeps {
  cache: DigestCache;
  llm: LlmClient;
  prompt: DigestPrompt;
  fetch: SafeFetch;
  budget: TokenBudget;
  log: Logger;
  now: () => number;
  /** Input kept for the LLM, in estimated tokens. */
  inputTokens?: number;
  /** Counts a digest that did not hold to its source (logged here; counted for /stats and /metrics by the caller). */
  onUnfaithful?: (outcome: FaithfulnessOutcome) => Promise<unknown>;
  /** Called once per new digest (the Hugo archive); its failure is logged, not fatal. */
  onDigest?: (made: NewDigest) => Promise<unknown>;
}

export interface NewDigest {
  digest: Digest;
  title: string;
  url?: string | undefined;
  text: string;
  source?: string | undefined;
  publishedAt?: number | undefined;
}

interface DigestExtra {
  categories?: string[];
  source?: string | undefined;
  publishedAt?: number | undefined;
}

export interface ArticleToSummarize extends ArticleSource {
  canonicalUrl?: string | undefined;
  /** False when the feed that gave the text is not the URL's own site (default true). */
  ownSite?: boolean;
  feedId?: string;
  categories?: string[];
  source?: string | undefined;
  publishedAt?: number | undefined;
}

export interface Summarizer {
  forArticle(article: ArticleToSummarize): Promise<SummaryOutcome>;
  /** `/summary <url>`: throws FetchError for a bad or refused URL, LlmError when the LLM fails. */
  forUrl(url: string): Promise<SummaryOutcome>;
}

const CACHE_TTL_MS = 60 * 24 * 3_600_000;

export function createSummarizer(deps: SummarizerDeps): Summarizer {
  const inFlight = new Map<string, Promise<SummaryOutcome>>();
  /** Digests being made, by their words: the same text under several URLs at once waits for the one call. */
  const sameWords = new Map<string, Promise<CachedDigest>>();
  const model = deps.llm.model;

  /** Concurrent callers with the same key share one promise. */
  const once = (key: string, work: () => Promise<SummaryOutcome>): Promise<SummaryOutcome> => {
    const running = inFlight.get(key);
    if (running) return running;
    const p = work().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };

  const urlKey = (canonical: string) => shortHash(`${canonical}|${deps.prompt.version}|${model}`);

  const fromCache = (entry: CachedDigest): SummaryOutcome => {
    const base = entry.url ? { url: entry.url } : {};
    if (entry.kind === 'digest') return { kind: 'digest', digest: entry.digest, title: entry.title, cached: true, ...base };
    if (entry.kind === 'unfaithful') return { kind: 'unreadable', reason: 'the digest stated what its source does not', title: entry.title, unfaithful: true, ...base };
    return { kind: 'unreadable', reason: 'the text is too thin for a digest', title: entry.title, ...base };
  };

  async function cachedByUrl(canonical: string | undefined): Promise<CachedDigest | undefined> {
    if (!canonical) return undefined;
    const key = await deps.cache.byUrl.get(urlKey(canonical));
    return key ? deps.cache.digests.get(key) : undefined;
  }

  /**
   * Asks the model for a digest of this text (one repair when it states what the text does not), checks it against the text, and
   * logs and counts what did not hold; the entry carries this caller's title and URL.
   */
  async function askModel(canonical: string | undefined, text: ArticleText, input: { text: string; trimmed: boolean }, extra: DigestExtra): Promise<CachedDigest> {
    await deps.budget.check(deps.now());
    const started = deps.now();
    const messages = buildMessages(deps.prompt, { title: text.title, url: text.url ?? canonical, source: extra.source, text: input.text });
    // Numbers and Latin-script names the digest states must be in what the model was given.
    const source = `${text.title}\n${extra.source ?? ''}\n${input.text}`;
    const verify = (d: { title: string; tldr: string; summary: string }) => {
      const claims = unsupportedClaims(d, source);
      return claims.length ? repairRequest(claims) : undefined;
    };
    const reply = await deps.llm.digest(messages, extra.categories ?? [], verify);
    await deps.budget.record(reply.tokens, deps.now());
    const url = text.url ?? canonical;
    const at = url ? { url } : {};
    let entry: CachedDigest;
    if (reply.kind === 'digest') {
      const claims = unsupportedClaims(reply.digest, source);
      const kept = claims.length ? withoutClaims(reply.digest, claims, text.title) : reply.digest;
      if (reply.revised) {
        const outcome: FaithfulnessOutcome = claims.length === 0 ? 'revised' : kept ? 'trimmed' : 'refused';
        deps.log.warn('digest did not hold to its source', { url, outcome, unsupported: claims.map((c) => c.text) });
        await deps.onUnfaithful?.(outcome).catch(() => {});
      }
      entry = kept
        ? { kind: 'digest', digest: { ...kept, model, promptVersion: deps.prompt.version, createdAt: deps.now() }, title: text.title, ...at }
        : { kind: 'unfaithful', title: text.title, ...at };
    } else entry = { kind: 'insufficient', title: text.title, ...at };
    deps.log.info('digest made', { url, model, tokens: reply.tokens, trimmed: input.trimmed, kind: entry.kind, durationMs: deps.now() - started });
    return entry;
  }

  async function digestText(canonical: string | undefined, text: ArticleText, extra: DigestExtra): Promise<SummaryOutcome> {
    const input = trimToTokens(text.text, deps.inputTokens ?? 6000);
    const fullKey = shortHash(`${canonical ?? ''}|${shortHash(input.text)}|${deps.prompt.version}|${model}`);
    // The same words under another URL (a press release republished, a syndicated story): one digest made from them serves all.
    const wordsKey = shortHash(`words|${shortHash(input.text.replace(/\s+/g, ' ').trim())}|${deps.prompt.version}|${model}`);
    return once(`text:${fullKey}`, async () => {
      const hit = await deps.cache.digests.get(fullKey);
      if (hit) return fromCache(hit);
      let fresh = false;
      let made = sameWords.get(wordsKey);
      if (!made) {
        made = (async () => {
          const same = await deps.cache.digests.get(wordsKey);
          if (same?.kind === 'digest') return same;
          fresh = true;
          const entry = await askModel(canonical, text, input, extra);
          if (entry.kind === 'digest') await deps.cache.digests.set(wordsKey, entry, CACHE_TTL_MS);
          return entry;
        })().finally(() => sameWords.delete(wordsKey));
        sameWords.set(wordsKey, made);
      }
      const content = await made;
      const url = text.url ?? canonical;
      const { url: _theirs, ...rest } = content;
      const entry: CachedDigest = { ...rest, title: text.title, ...(url ? { url } : {}) };
      await deps.cache.digests.set(fullKey, entry, CACHE_TTL_MS);
      if (canonical) await deps.cache.byUrl.set(urlKey(canonical), fullKey, CACHE_TTL_MS);
      if (!fresh) deps.log.info('digest reused for the same words under another URL', { url });
      if (fresh && entry.kind === 'digest' && deps.onDigest) {
        await deps.onDigest({ digest: entry.digest, title: text.title, url, text: text.text, source: extra.source, publishedAt: extra.publishedAt }).catch((error: unknown) =>
          deps.log.error('archiving a digest failed', { url, error }),
        );
      }
      const outcome = fromCache(entry);
      return fresh && outcome.kind === 'digest' ? { ...outcome, cached: false } : outcome;
    });
  }

  /** The article behind a canonical URL: from the cache when any ask made it before, else read and digested, once for all concurrent asks. */
  /**
   * The article behind a canonical URL: from the URL's digest when any trusted ask made it, else read and digested, once for all
   * concurrent asks. Untrusted text (a feed speaking for another site's URL) is digested by its content alone and never becomes
   * the URL's digest; a page fetched from the URL itself is trusted whoever asked.
   */
  const summarizeOnce = (
    canonical: string | undefined,
    key: string,
    read: () => Promise<ArticleText>,
    extra: Parameters<typeof digestText>[2],
    title?: string,
    trusted = true,
  ): Promise<SummaryOutcome> =>
    once(`${trusted ? 'article' : 'foreign'}:${key}`, async () => {
      const hit = await cachedByUrl(canonical);
      if (hit) return fromCache(hit);
      let text: ArticleText;
      try {
        text = await read();
      } catch (error) {
        if (error instanceof NotAnArticleError) return { kind: 'unreadable', reason: error.reason, url: error.url, ...(title ? { title } : {}) };
        throw error;
      }
      if (trusted) return digestText(canonical, text, extra);
      if (text.from === 'page') return digestText(canonical, { ...text, title: text.pageTitle || text.title }, extra);
      return digestText(undefined, { ...text, url: text.url ?? canonical }, extra);
    });

  return {
    forArticle(article) {
      const canonical = article.canonicalUrl ?? canonicalUrl(article.url);
      const extra = { categories: article.categories ?? [], source: article.source, publishedAt: article.publishedAt };
      const trusted = article.ownSite !== false;
      const key = trusted ? (canonical ?? shortHash(article.title + article.contentText)) : `${article.feedId ?? ''}:${canonical ?? ''}:${shortHash(article.title + article.contentText)}`;
      return summarizeOnce(canonical, key, () => articleText(deps.fetch, article), extra, article.title, trusted);
    },

    async forUrl(url) {
      const canonical = canonicalUrl(url);
      if (!canonical) throw new FetchError('bad-url', url, 'not an http(s) URL');
      return summarizeOnce(canonical, canonical, () => fetchArticlePage(deps.fetch, url), {});
    },
  };
}
