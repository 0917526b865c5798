// The article_tags table: the tags of each digested article of a feed, so a chat sees which topics its feeds wrote about (/tags).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './database.js';
import { pruneInBatches } from './prune.js';
import type { Database } from './schema.js';

export interface ArticleTagQueries {
  /** Records an article's tags once (a rerun adds nothing). */
  record(feedId: string, articleKey: string, tags: readonly string[], at: number): Promise<void>;
  /** The tags of the articles of the chat's feeds since `since`, with how many articles had each, most frequent first. */
  ofChat(chatId: number, since: number, limit: number): Promise<Array<{ tag: string; n: number }>>;
  prune(before: number): Promise<number>;
}

export function createArticleTagQueries(db: Kysely<Database>, dialect: Dialect): ArticleTagQueries {
  return {
    async record(feedId, articleKey, tags, at) {
      if (tags.length === 0) return;
      await db
        .insertInto('article_tags')
        .values([...new Set(tags)].map((tag) => ({ feed_id: feedId, article_key: articleKey, tag, at })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async ofChat(chatId, since, limit) {
      // An article followed through two feeds of the chat counts once.
      const r = await sql<{ tag: string; n: number }>`
        SELECT t.tag AS tag, count(DISTINCT t.article_key) AS n
        FROM subscriptions s JOIN article_tags t ON t.feed_id = s.feed_id AND t.at >= ${since}
        WHERE s.chat_id = ${chatId}
        GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ${limit}`.execute(db);
      return r.rows.map((row) => ({ tag: row.tag, n: Number(row.n) }));
    },
    async prune(before) {
      return pruneInBatches(db, dialect, 'article_tags', sql`at < ${before}`);
    },
  };
}
