// The stories tables: the stories of the last 48 hours, their members (each with its push as rendered), and the tokens a new article finds them by.
import { sql, type Kysely } from 'kysely';
import type { StoryText } from '../core/story.js';
import type { Dialect } from './database.js';
import { pruneInBatches } from './prune.js';
import type { Database } from './schema.js';

/** One source of a story: an article of a feed, with its push as every chat got it (the feed's name a marker). */
export interface StoryMember {
  articleKey: string;
  feedId: string;
  feedTitle: string;
  url?: string | undefined;
  at: number;
}

export interface RenderedMember extends StoryMember {
  html: { zh: string; en: string };
  plain: { zh: string; en: string };
}

export interface StoryCandidate {
  id: string;
  text: StoryText;
  /** What it shares of the looked-up tokens, each weighed by its rarity (1 / the stories read for it). */
  shared: number;
  /** The feeds that told it so far. */
  feeds: Set<string>;
}

export interface StoryQueries {
  /** The story an article joined before (a dispatch run again after a crash keeps its place). */
  storyOf(articleKey: string): Promise<string | undefined>;
  /**
   * Stories since `since` that share tokens with an article, those sharing the most and rarest first, at most `limit`. Bounded
   * whatever the history: each token reads at most its `perToken` newest postings, by index.
   */
  candidates(tokens: readonly string[], since: number, limit: number, perToken?: number): Promise<StoryCandidate[]>;
  /** A new story, the article its first member, found from now on by its tokens (a rerun adds nothing). */
  start(story: { text: StoryText; tokens: readonly string[] }, first: RenderedMember): Promise<void>;
  /** The article joins a story (a rerun adds nothing). */
  join(storyId: string, member: RenderedMember): Promise<void>;
  /** Forgets stories begun before `before`, with their members and tokens. */
  prune(before: number): Promise<number>;
  /**
   * Runs `place` holding the right to place articles in stories (PostgreSQL: a lock for its transaction; SQLite has one writer):
   * two write-ups of one story digested at once on two replicas are placed one after the other, the second finding the first's.
   */
  exclusive<T>(place: (q: Pick<StoryQueries, 'storyOf' | 'candidates' | 'start' | 'join'>) => Promise<T>): Promise<T>;
}

/** Runs `work` in a transaction, or in the caller's when `db` is one already. */
const inTransaction = <T>(db: Kysely<Database>, work: (tx: Kysely<Database>) => Promise<T>): Promise<T> =>
  db.isTransaction ? work(db) : db.transaction().execute(work);

const memberRow = (storyId: string, m: RenderedMember) => ({
  story_id: storyId,
  article_key: m.articleKey,
  feed_id: m.feedId,
  feed_title: m.feedTitle,
  url: m.url ?? null,
  at: m.at,
  html_zh: m.html.zh,
  html_en: m.html.en,
  plain_zh: m.plain.zh,
  plain_en: m.plain.en,
});

export function createStoryQueries(db: Kysely<Database>, dialect: Dialect): StoryQueries {
  return {
    ...placing(db),
    async prune(before) {
      const tokens = await pruneInBatches(db, dialect, 'story_tokens', sql`at < ${before}`);
      // Members of a story go with it (a member joins within 48 hours of its story's start, so it is never older than twice that).
      const members = await pruneInBatches(db, dialect, 'story_members', sql`story_id IN (SELECT id FROM stories WHERE at < ${before})`);
      const stories = await pruneInBatches(db, dialect, 'stories', sql`at < ${before}`);
      return tokens + members + stories;
    },
    async exclusive(place) {
      return db.transaction().execute(async (tx) => {
        if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext('stories:place'))`.execute(tx);
        return place(placing(tx));
      });
    },
  };
}

/** The queries that place an article, on the database or inside the placing transaction. */
function placing(db: Kysely<Database>): Pick<StoryQueries, 'storyOf' | 'candidates' | 'start' | 'join'> {
  return {
    async storyOf(articleKey) {
      const row = await db.selectFrom('story_members').select('story_id').where('article_key', '=', articleKey).orderBy('at').limit(1).executeTakeFirst();
      return row?.story_id;
    },
    async candidates(tokens, since, limit, perToken = 200) {
      if (tokens.length === 0) return [];
      // Each token's newest postings, all in one statement (one round trip): a union of bounded index range scans.
      const scans = [...new Set(tokens)].map(
        (token, i) => sql`SELECT story_id, token FROM (SELECT story_id, token FROM story_tokens WHERE token = ${token} AND at >= ${since} ORDER BY at DESC LIMIT ${perToken}) AS ${sql.raw(`t${i}`)}`,
      );
      const found = (await sql<{ story_id: string; token: string }>`${sql.join(scans, sql` UNION ALL `)}`.execute(db)).rows;
      const postings = new Map<string, number>();
      for (const r of found) postings.set(r.token, (postings.get(r.token) ?? 0) + 1);
      // A rare token says more than a common one: each counts the less, the more stories it was read for.
      const shared = new Map<string, number>();
      for (const r of found) shared.set(r.story_id, (shared.get(r.story_id) ?? 0) + 1 / postings.get(r.token)!);
      const best = [...shared].sort((a, b) => b[1] - a[1]).slice(0, limit);
      if (best.length === 0) return [];
      const ids = best.map(([id]) => id);
      const rows = await db.selectFrom('stories').selectAll().where('id', 'in', ids).execute();
      const feeds = new Map<string, Set<string>>();
      for (const m of await db.selectFrom('story_members').select(['story_id', 'feed_id']).where('story_id', 'in', ids).execute()) {
        feeds.set(m.story_id, (feeds.get(m.story_id) ?? new Set()).add(m.feed_id));
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      return best.flatMap(([id, n]) => {
        const r = byId.get(id);
        const text = r && { title: r.title, tldr: r.tldr, tags: JSON.parse(r.tags) as string[], original: r.original };
        return text ? [{ id, shared: n, text, feeds: feeds.get(id) ?? new Set<string>() }] : [];
      });
    },
    async start(story, first) {
      await inTransaction(db, async (tx) => {
        const created = await tx
          .insertInto('stories')
          .values({ id: first.articleKey, at: first.at, title: story.text.title, tldr: story.text.tldr, tags: JSON.stringify(story.text.tags), original: story.text.original })
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .execute();
        if (created.length === 0) return;
        await tx.insertInto('story_members').values(memberRow(first.articleKey, first)).onConflict((oc) => oc.doNothing()).execute();
        if (story.tokens.length) {
          await tx
            .insertInto('story_tokens')
            .values([...new Set(story.tokens)].map((token) => ({ token, story_id: first.articleKey, at: first.at })))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      });
    },
    async join(storyId, member) {
      await db.insertInto('story_members').values(memberRow(storyId, member)).onConflict((oc) => oc.doNothing()).execute();
    },
  };
}
