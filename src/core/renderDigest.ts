// Pushed digests and daily digests as Telegram HTML (and a plain-text twin), escaped, within 4096 characters.
import type { Digest } from './digest.js';
import type { Article, Dispatch } from './model.js';
import { escapeHtml, link, packMessages, truncate, visibleText, SAFE_MESSAGE } from './telegramHtml.js';

export type Lang = 'zh' | 'en';

export interface Rendered {
  html: string;
  /** Sent instead when Telegram refuses the HTML. */
  plain: string;
}

const NO_DIGEST: Record<NonNullable<Dispatch['noDigest']>, Record<Lang, string>> = {
  unreadable: { zh: '（无法读取正文，未生成摘要）', en: '(the article could not be read; no digest)' },
  'llm-failed': { zh: '（摘要服务暂时不可用，未生成摘要）', en: '(the digest service was unavailable; no digest)' },
  budget: { zh: '（今日摘要额度已用完，未生成摘要）', en: "(today's digest budget is spent; no digest)" },
  unfaithful: { zh: '（生成的摘要与原文的数字或名称不符，未采用）', en: '(the digest did not match the article’s numbers or names; not used)' },
};

export const hashtags = (tags: readonly string[]) => tags.map((t) => `#${t}`).join(' ');

function excerpt(article: Article, max = 280): string {
  return truncate(article.contentText.replace(/\s+/g, ' ').trim(), max);
}

/** One new article, as pushed in instant mode. */
export function renderPush(d: Dispatch, lang: Lang): Rendered {
  const title = truncate(d.digest?.title || d.article.title, 200);
  const feed = truncate(d.feedTitle, 100);
  const lines: string[] = [`<b>${link(title, d.article.url)}</b>`, `<i>${escapeHtml(feed)}</i>`];
  const plain: string[] = [title, feed];
  if (d.digest) {
    const summary = truncate(d.digest.summary, 1500);
    lines.push(summary.length > 160 ? `<blockquote expandable>${escapeHtml(summary)}</blockquote>` : `<blockquote>${escapeHtml(summary)}</blockquote>`);
    plain.push(summary);
    if (d.digest.tags.length) {
      lines.push(escapeHtml(hashtags(d.digest.tags)));
      plain.push(hashtags(d.digest.tags));
    }
  } else {
    const text = excerpt(d.article);
    if (text) {
      lines.push(escapeHtml(text));
      plain.push(text);
    }
    const note = NO_DIGEST[d.noDigest ?? 'llm-failed'][lang];
    lines.push(`<i>${escapeHtml(note)}</i>`);
    plain.push(note);
  }
  if (d.article.url) plain.push(d.article.url);
  return { html: lines.join('\n'), plain: truncate(plain.join('\n\n'), SAFE_MESSAGE) };
}

/** A source of one story, as "also in" names it. */
export interface StorySource {
  feedTitle: string;
  url?: string | undefined;
}

/** Sources named before "and N more". */
const SOURCES_SHOWN = 5;

/**
 * The line that names a story's other sources under its push or its daily line: `也见于：<a>来源</a>、…` (five, then a count);
 * empty when there are none. Each source's name is cut short and a long link is left off, so the line stays small.
 */
export function renderSources(sources: readonly StorySource[], lang: Lang): Rendered {
  if (sources.length === 0) return { html: '', plain: '' };
  const shown = sources.slice(0, SOURCES_SHOWN);
  const names = shown.map((s) => truncate(s.feedTitle, 40));
  const more = sources.length - shown.length;
  const html = shown.map((s, i) => link(names[i]!, s.url && s.url.length <= 512 ? s.url : undefined));
  if (lang === 'en') {
    const tail = more > 0 ? ` and ${more} more` : '';
    return { html: `Also in: ${html.join(', ')}${tail}`, plain: `Also in: ${names.join(', ')}${tail}` };
  }
  const tail = more > 0 ? ` 等 ${sources.length} 个来源` : '';
  return { html: `也见于：${html.join('、')}${tail}`, plain: `也见于：${names.join('、')}${tail}` };
}

/** One line of a daily digest. */
export interface DailyEntry {
  chatId: number;
  articleKey: string;
  feedId: string;
  feedTitle: string;
  title: string;
  url?: string | undefined;
  tldr?: string | undefined;
  tags: string[];
  publishedAt?: number | undefined;
  at: number;
  /** The forum topic its feed goes to: a forum group gets a digest in each topic, of that topic's feeds. */
  threadId?: number | undefined;
  /** The story it tells (stories.id): a chat that merges stories gets one line per story, naming its other sources. */
  storyId?: string | undefined;
}

export function dailyEntryOf(chatId: number, d: Dispatch, at: number): DailyEntry {
  const digest: Digest | undefined = d.digest;
  return {
    chatId,
    articleKey: d.article.key,
    feedId: d.feedId,
    feedTitle: d.feedTitle,
    title: digest?.title || d.article.title,
    url: d.article.url,
    tldr: digest?.tldr,
    tags: digest?.tags ?? [],
    publishedAt: d.article.publishedAt,
    at,
  };
}

const DAILY_HEADER: Record<Lang, (day: string, n: number) => string> = {
  zh: (day, n) => `📰 <b>每日摘要 ${escapeHtml(day)}</b>（${n} 篇）`,
  en: (day, n) => `📰 <b>Daily digest ${escapeHtml(day)}</b> (${n === 1 ? '1 article' : `${n} articles`})`,
};

/**
 * The daily digest: grouped by feed, in published order within each, one line per article (its title and one-sentence summary),
 * the feed's commonest tags once under its block; split into as many messages as it needs. With `merge`, a story several feeds
 * told is one line, under the feed that told it first, naming the others.
 */
export function renderDaily(entries: DailyEntry[], day: string, lang: Lang, merge = false): Rendered[] {
  const sorted = [...entries].sort((a, b) => (a.publishedAt ?? a.at) - (b.publishedAt ?? b.at) || a.at - b.at);
  const alsoIn = new Map<DailyEntry, DailyEntry[]>();
  const lines: DailyEntry[] = [];
  const firstOfStory = new Map<string, DailyEntry>();
  for (const e of sorted) {
    const first = merge && e.storyId ? firstOfStory.get(e.storyId) : undefined;
    if (first) {
      alsoIn.get(first)!.push(e);
      continue;
    }
    if (merge && e.storyId) firstOfStory.set(e.storyId, e);
    alsoIn.set(e, []);
    lines.push(e);
  }
  const byFeed = new Map<string, DailyEntry[]>();
  for (const e of lines) {
    const list = byFeed.get(e.feedId) ?? [];
    list.push(e);
    byFeed.set(e.feedId, list);
  }
  const blocks: string[] = [DAILY_HEADER[lang](day, lines.length)];
  const separator = lang === 'en' ? ': ' : '：';
  for (const list of byFeed.values()) {
    blocks.push(`\n<b>${escapeHtml(truncate(list[0]!.feedTitle, 100))}</b>`);
    for (const e of list) {
      const title = truncate(e.title, 120);
      const tldr = e.tldr && e.tldr !== e.title ? separator + escapeHtml(truncate(e.tldr, 200)) : '';
      const sources = renderSources(alsoIn.get(e)!, lang).html;
      blocks.push(`• ${link(title, e.url)}${tldr}${sources ? `\n  ${sources}` : ''}`);
    }
    const tags = commonestTags(list, 5);
    if (tags.length) blocks.push(escapeHtml(hashtags(tags)));
  }
  return packMessages(blocks).map((html) => ({ html, plain: visibleText(html) }));
}

/** The tags most articles of a block share, most frequent first. */
function commonestTags(entries: DailyEntry[], max: number): string[] {
  const counts = new Map<string, number>();
  for (const e of entries) for (const t of new Set(e.tags)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, max).map(([t]) => t);
}

/** Told (at most once a day) to a feed's subscribers when it published more at once than one poll takes. */
export function renderFeedFlood(title: string, url: string, total: number, kept: number, lang: Lang): string {
  const name = `<b>${link(truncate(title, 100), url)}</b>`;
  return lang === 'en'
    ? `⚠️ The feed ${name} published ${total} new items at once; only the newest ${kept} are sent. (Sites do this when they move or rebuild their feed.)`
    : `⚠️ 订阅源 ${name} 一次出现了 ${total} 篇新文章，只推送其中最新的 ${kept} 篇（网站迁移或重建订阅源时常会这样）。`;
}

/** Told once to a feed's subscribers when it has failed for days. */
export function renderFeedFailing(title: string, url: string, days: number, error: string, lang: Lang): string {
  const name = `<b>${link(truncate(title, 100), url)}</b>`;
  const why = escapeHtml(truncate(error, 300));
  return lang === 'en'
    ? `⚠️ The feed ${name} has failed for ${days} days: ${why}\nIt will resume by itself when the site recovers; /unsub if you no longer want it.`
    : `⚠️ 订阅源 ${name} 已经 ${days} 天无法抓取：${why}\n网站恢复后会自动继续推送；不再需要可发送 /unsub。`;
}

/** Told once to a forum group when a topic its feeds went to was deleted or closed. */
export function renderTopicGone(feeds: number, lang: Lang): string {
  return lang === 'en'
    ? `⚠️ A topic this group's feeds were sent to was deleted or closed: ${feeds === 1 ? 'its feed now goes' : `its ${feeds} feeds now go`} to the General topic. Nothing was lost. To send a feed to another topic, send /sub with its address inside that topic.`
    : `⚠️ 订阅源发送到的一个话题已被删除或关闭，原本发到那里的 ${feeds} 个订阅源今后发到 General 话题，没有遗漏任何文章。要改发到别的话题，在那个话题里再发送一次 /sub 和订阅源地址即可。`;
}
