// The fan-out's statements over one slice of a feed's subscribers: a push each, or, where the chat got another source of the article's story, an edit of that push.
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Lang, StorySource } from '../core/renderDigest.js';
import { escapeHtml } from '../core/telegramHtml.js';
import { inSlice, type ChatSlice } from './chatSlice.js';
import type { Dialect } from './database.js';
import { effectiveMode, filterConditions } from './filters.js';
import type { Database, StoryMembersTable } from './schema.js';

/** One article to every subscriber of a feed in instant mode: the same message in each chat's language. */
export interface PushFanOut {
  feedId: string;
  /** The article: a chat's push of it is `p:<chat>:<key>`, its edit of another source's push `e:<chat>:<key>`. */
  articleKey: string;
  html: { zh: string; en: string };
  plain: { zh: string; en: string };
  /** Where the feed's name stands in `html` and `plain`: replaced by a subscription's own title, else by the feed's. */
  titleMarker: string;
  feedTitle: string;
  /** The article's link, previewed for subscriptions whose preview is on. */
  previewUrl?: string | undefined;
  /** The article's filter text (feedFilter's `filterTextOf`): subscriptions whose filters reject it get nothing. */
  filterText: string;
  at: number;
  /** Only these subscribers (a large fan-out goes slice by slice, so nothing else waits for all of it). */
  chats?: ChatSlice;
  /** The story the article tells (it is a member already): chats that merge stories and got another member's push get that push edited. */
  story?: StoryPart;
}

/** The article's story, as a fan-out needs it. */
export interface StoryPart {
  id: string;
  /** The line naming a push's other sources (rendered by the caller; empty when none). */
  sourcesLine(sources: readonly StorySource[], lang: Lang): { html: string; plain: string };
}

/** What one slice of a fan-out queued. */
export interface FanOutCount {
  /** New pushes. */
  pushed: number;
  /** Edits of a push a chat got from another source of the story. */
  edited: number;
}

/** A chat already in the index keeps the better (lower) priority class: a reply queued behind pushes jumps them. */
export const betterPriority = sql<number>`CASE WHEN excluded.priority < outbox_chats.priority THEN excluded.priority ELSE outbox_chats.priority END`;

/**
 * The id of a chat's message about an article, as SQL over the subscriber row `s`: `p:<chat>:<article>` its push, `e:<chat>:<article>`
 * its edit of another source's push; fixed, so a rerun never queues one twice.
 */
const outboxIdOf = (kind: 'p' | 'e', articleKey: RawBuilder<unknown>) => sql`CAST(${`${kind}:`} AS TEXT) || CAST(s.chat_id AS TEXT) || ':' || ${articleKey}`;
const pushIdOf = (articleKey: RawBuilder<unknown>) => outboxIdOf('p', articleKey);

/** The chat (subscriber row `s`) got the push of the story member `m`: sent, or queued and not failed. */
const gotPushOf = (m: string) => {
  const id = pushIdOf(sql.ref(`${m}.article_key`));
  return sql`(EXISTS (SELECT 1 FROM sent WHERE sent.id = ${id}) OR EXISTS (SELECT 1 FROM outbox po WHERE po.id = ${id} AND po.failed_at IS NULL))`;
};

/** A text column escaped for HTML, in SQL (a chat's own title for a feed, a feed's name). */
const escapedColumn = (column: string) => sql.raw(`replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`);

/**
 * Puts the chats of messages just queued (ids `id` over subscriber row `s` of the feed) in the sender's index, in chat order: the
 * rows are locked in the order the sender locks them when it records what it sent (PostgreSQL), so neither waits on the other in a circle.
 */
async function indexQueued(tx: Kysely<Database>, id: RawBuilder<unknown>, feedId: string, chats: ChatSlice | undefined, at: number): Promise<void> {
  await sql`
    INSERT INTO outbox_chats (chat_id, priority, ready_at)
    SELECT s.chat_id, 1, CAST(${at} AS BIGINT)
    FROM subscriptions s JOIN outbox o ON o.id = ${id}
    WHERE s.feed_id = ${feedId}${inSlice('s.chat_id', chats)}
    ORDER BY s.chat_id
    ON CONFLICT (chat_id) DO UPDATE SET priority = ${betterPriority}`.execute(tx);
}

/** A SQL CASE over the story member `m` picking each earlier member's own text. */
function byMember(keys: readonly string[], values: readonly string[]): RawBuilder<string> {
  const arms = keys.map((k, i) => sql`WHEN ${k} THEN CAST(${values[i]!} AS TEXT)`);
  return sql<string>`CASE m.article_key ${sql.join(arms, sql` `)} ELSE '' END`;
}

type StoryMemberRow = Pick<Selectable<StoryMembersTable>, 'article_key' | 'feed_title' | 'url'>;
const sourceOf = (m: StoryMemberRow): StorySource => ({ feedTitle: m.feed_title, url: m.url ?? undefined });

/** Sources of a story a fan-out looks at (the newest): pushes of older ones are not edited again. */
const MAX_SOURCES = 30;

/**
 * A story's members in the order they came, read holding the story (PostgreSQL: a lock for the transaction; SQLite has one
 * writer): a source fanned out at the same time on another replica has its pushes committed before this one reads.
 */
async function storyMembersIn(tx: Kysely<Database>, dialect: Dialect, storyId: string): Promise<StoryMemberRow[]> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${`story:${storyId}`}))`.execute(tx);
  const rows = await tx.selectFrom('story_members').select(['article_key', 'feed_title', 'url', 'at']).where('story_id', '=', storyId).orderBy('at').orderBy('article_key').execute();
  return rows.slice(-MAX_SOURCES);
}

/**
 * Every subscriber of the fan-out's feed that would get its push, merges stories and got the push of another source of the story:
 * one message editing that push to name every source but its own, in one statement; returns how many.
 */
async function storyEdits(
  tx: Kysely<Database>,
  dialect: Dialect,
  p: PushFanOut,
  members: readonly StoryMemberRow[],
  others: readonly StoryMemberRow[],
  line: (sources: readonly StoryMemberRow[], lang: Lang) => { html: string; plain: string },
): Promise<number> {
  const keys = others.map((m) => m.article_key);
  const lines = others.map((m) => {
    const rest = members.filter((x) => x !== m);
    return { zh: line(rest, 'zh'), en: line(rest, 'en') };
  });
  const pick = (f: (i: number) => string) => byMember(keys, keys.map((_, i) => f(i)));
  const id = outboxIdOf('e', sql`CAST(${p.articleKey} AS TEXT)`);
  const marker = sql`CAST(${p.titleMarker} AS TEXT)`;
  // What the chat's push of that source asked for: its link previewed when the chat's subscription to that feed says so.
  const previews = others.map((m) => (m.url ? `,"preview":${JSON.stringify({ url: m.url })}` : ',"noPreview":true'));
  const extra = sql`'{"replaces":"' || ${pushIdOf(sql`m.article_key`)} || '","editOnly":true' ||
                    CASE WHEN sj.preview = 1 THEN ${pick((i) => previews[i]!)} ELSE ',"noPreview":true' END || '}'`;
  const inserted = await sql<{ chat_id: number }>`
    INSERT INTO outbox (id, chat_id, priority, created_at, html, plain, extra, thread_id, attempts, claimed_until)
    SELECT ${id}, s.chat_id, 1, CAST(${p.at} AS BIGINT),
           replace(CASE WHEN c.lang = 'en' THEN m.html_en ELSE m.html_zh END, ${marker}, COALESCE(${escapedColumn('sj.title')}, ${escapedColumn('m.feed_title')}))
             || CAST(${'\n'} AS TEXT) || CASE WHEN c.lang = 'en' THEN ${pick((i) => lines[i]!.en.html)} ELSE ${pick((i) => lines[i]!.zh.html)} END,
           replace(CASE WHEN c.lang = 'en' THEN m.plain_en ELSE m.plain_zh END, ${marker}, COALESCE(sj.title, m.feed_title))
             || CAST(${'\n\n'} AS TEXT) || CASE WHEN c.lang = 'en' THEN ${pick((i) => lines[i]!.en.plain)} ELSE ${pick((i) => lines[i]!.zh.plain)} END,
           ${extra},
           CASE WHEN sj.chat_id IS NULL THEN s.thread_id ELSE sj.thread_id END, 0, 0
    FROM subscriptions s JOIN chats c ON c.id = s.chat_id
         JOIN story_members m ON m.story_id = ${p.story!.id} AND m.article_key IN (${sql.join(keys)})
         LEFT JOIN subscriptions sj ON sj.chat_id = s.chat_id AND sj.feed_id = m.feed_id
    WHERE s.feed_id = ${p.feedId}${inSlice('s.chat_id', p.chats)}
      AND c.active = 1 AND c.merge = 1 AND ${effectiveMode} IN ('instant', 'both')
      AND ${filterConditions(dialect, p.filterText).passes}
      AND ${gotPushOf('m')}
      AND NOT EXISTS (SELECT 1 FROM sent WHERE sent.id = ${id})
    ON CONFLICT (id) DO NOTHING
    RETURNING chat_id`.execute(tx);
  if (inserted.rows.length > 0) await indexQueued(tx, id, p.feedId, p.chats, p.at);
  return inserted.rows.length;
}

/**
 * Queues one push per active subscriber of the slice whose mode (its own, else the chat's) is instant or both and whose filters let
 * the article through, and the story's edits (see PushFanOut.story), inside the caller's transaction.
 */
export async function queuePushes(tx: Kysely<Database>, dialect: Dialect, p: PushFanOut): Promise<FanOutCount> {
  const members = p.story ? await storyMembersIn(tx, dialect, p.story.id) : [];
  const others = members.filter((m) => m.article_key !== p.articleKey);
  const line = (sources: readonly StoryMemberRow[], lang: Lang) => p.story!.sourcesLine(sources.map(sourceOf), lang);
  const edited = others.length ? await storyEdits(tx, dialect, p, members, others, line) : 0;
  const id = pushIdOf(sql`CAST(${p.articleKey} AS TEXT)`);
  // A push names the story's other sources.
  const withLine = (lang: Lang) => {
    const l = others.length ? line(others, lang) : { html: '', plain: '' };
    return { html: l.html ? `${p.html[lang]}\n${l.html}` : p.html[lang], plain: l.plain ? `${p.plain[lang]}\n\n${l.plain}` : p.plain[lang] };
  };
  const [zh, en] = [withLine('zh'), withLine('en')];
  const byLang = (pick: (r: { html: string; plain: string }) => string) => sql`CASE WHEN c.lang = 'en' THEN CAST(${pick(en)} AS TEXT) ELSE CAST(${pick(zh)} AS TEXT) END`;
  const marker = sql`CAST(${p.titleMarker} AS TEXT)`;
  const preview = p.previewUrl ? JSON.stringify({ preview: { url: p.previewUrl } }) : JSON.stringify({ noPreview: true });
  // A chat that merges stories and got another source's push was just given an edit of it instead.
  const gotAnother = others.length
    ? sql` AND NOT (COALESCE(c.merge, 1) = 1 AND EXISTS (SELECT 1 FROM story_members m WHERE m.story_id = ${p.story!.id} AND m.article_key IN (${sql.join(others.map((m) => m.article_key))}) AND ${gotPushOf('m')}))`
    : sql``;
  const inserted = await sql<{ id: string }>`
    INSERT INTO outbox (id, chat_id, priority, created_at, html, plain, extra, thread_id, attempts, claimed_until)
    SELECT ${id}, s.chat_id, 1, CAST(${p.at} AS BIGINT),
           replace(${byLang((r) => r.html)}, ${marker}, COALESCE(${escapedColumn('s.title')}, CAST(${escapeHtml(p.feedTitle)} AS TEXT))),
           replace(${byLang((r) => r.plain)}, ${marker}, COALESCE(s.title, CAST(${p.feedTitle} AS TEXT))),
           CASE WHEN s.preview = 1 THEN CAST(${preview} AS TEXT) ELSE CAST(${JSON.stringify({ noPreview: true })} AS TEXT) END,
           s.thread_id, 0, 0
    FROM subscriptions s LEFT JOIN chats c ON c.id = s.chat_id
    WHERE s.feed_id = ${p.feedId}${inSlice('s.chat_id', p.chats)}
      AND (c.id IS NULL OR c.active = 1) AND ${effectiveMode} IN ('instant', 'both')
      AND ${filterConditions(dialect, p.filterText).passes}${gotAnother}
      AND NOT EXISTS (SELECT 1 FROM sent WHERE sent.id = ${id})
    ON CONFLICT (id) DO NOTHING
    RETURNING chat_id`.execute(tx);
  if (inserted.rows.length > 0) await indexQueued(tx, id, p.feedId, p.chats, p.at);
  return { pushed: inserted.rows.length, edited };
}
