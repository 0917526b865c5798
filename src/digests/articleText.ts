// The text to digest: the feed's own content when it holds the article, else the page fetched safely and extracted.
import { decodeBody } from '../feeds/charset.js';
import { FetchError, type SafeFetch } from '../feeds/safeFetch.js';
import { countCjk } from '../core/text.js';
import { extractArticle, isSubstantial, NotAnArticleError } from './extract.js';

export interface ArticleSource {
  url?: string | undefined;
  title: string;
  contentText: string;
}

export interface ArticleText {
  title: string;
  text: string;
  /** The final URL when the page was fetched. */
  url?: string;
  from: 'feed' | 'page';
  /** The page's own title, when the page was fetched. */
  pageTitle?: string;
}

const TEASER_END = /(…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading|阅读全文|阅读更多|查看全文|点击查看|继续阅读|全文链接)\s*[»›>]?\s*$/i;

/** The feed text is the article when it is long enough and does not end like a teaser. */
export function feedHoldsArticle(text: string): boolean {
  if (!isSubstantial(text)) return false;
  return !(TEASER_END.test(text.trim()) && text.length < 1200);
}

const PAGE_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1';

export async function fetchArticlePage(fetch: SafeFetch, url: string): Promise<ArticleText> {
  const res = await fetch(url, { accept: PAGE_ACCEPT });
  if (res.status !== 'ok') throw new NotAnArticleError(url, 'the server sent no page');
  const type = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type && !/html|xml|text\/plain/.test(type)) throw new NotAnArticleError(res.url, `it is ${type}, not a web page`);
  const { text: html } = decodeBody(res.body, res.contentType);
  if (type === 'text/plain') {
    const text = html.trim();
    if (!isSubstantial(text)) throw new NotAnArticleError(res.url, 'too little text');
    return { title: text.split('\n')[0]!.slice(0, 100), text, url: res.url, from: 'page' };
  }
  if (!/<(html|body|p|article|div)[\s>]/i.test(html.slice(0, 200_000))) throw new NotAnArticleError(res.url, 'it is not an HTML page');
  const article = extractArticle(html, res.url);
  return { title: article.title, text: article.text, url: res.url, from: 'page' };
}

/** Enough of the feed's own text to digest when the page cannot be read at all (a few sentences). */
function enoughToDigest(text: string): boolean {
  return countCjk(text) >= 40 || text.split(/\s+/).filter((w) => w.length > 1).length >= 30;
}

/** A page that will not become readable by waiting: gone (4xx), too large, a redirect loop, refused, not a page. */
function unreadableForGood(error: unknown): boolean {
  if (error instanceof NotAnArticleError) return true;
  if (!(error instanceof FetchError)) return false;
  if (error.kind === 'http') return (error.status ?? 500) < 500 && error.status !== 429 && error.status !== 408;
  return error.kind === 'too-large' || error.kind === 'redirects' || error.kind === 'refused' || error.kind === 'bad-url';
}

export async function articleText(fetch: SafeFetch, source: ArticleSource): Promise<ArticleText> {
  const feedText = source.contentText.trim();
  if (feedHoldsArticle(feedText)) return { title: source.title, text: feedText, from: 'feed' };
  if (!source.url) throw new NotAnArticleError(source.title || 'item', 'the feed holds only a teaser and no link');
  try {
    const page = await fetchArticlePage(fetch, source.url);
    return { ...page, title: source.title || page.title, pageTitle: page.title };
  } catch (error) {
    // Retrying cannot help: the feed's own text is what there is — digested when it is enough, else the article goes out marked.
    if (!unreadableForGood(error)) throw error;
    if (enoughToDigest(feedText)) return { title: source.title, text: feedText, from: 'feed' };
    if (error instanceof NotAnArticleError) throw error;
    throw new NotAnArticleError(source.url, (error as Error).message);
  }
}
