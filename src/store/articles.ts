// The articles and pending_digests tables: what arrived, and which (feed, article) still waits for its digest; workers claim due rows.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Article, PendingDigest } from '../core/model.js';
import { attemptGivenBack, chunks, dbNow, dbNowPlus, skipLocked, type Claimant } from './claim.js';
import { pruneInBatches } from './prune.js';
import type { Dialect } from './database.js';
import type { ArticlesTable, Database, PendingDigestsTable } from './schema.js';

export interface ArticleQueries {
  /** Stores new articles (an article already known keeps its first version) and queues each (feed, article) for its digest once. */
  accept(articles: Article[], pending: PendingDigest[]): Promise<void>;
  get(key: string): Promise<Article | undefined>;
  /**
   * Up to `limit` due pendings no worker holds, in their turns, held by `claim`; each claim counts as an attempt (a digest that
   * kills its process counts like one that fails).
   */
  claimDue(now: number, limit: number, claim: Claimant): Promise<PendingDigest[]>;
  /** The heartbeat: returns the keys `claim.owner` still holds. */
  renew(keys: Array<Pick<PendingDigest, 'feedId' | 'articleKey'>>, claim: Claimant): Promise<number>;
  /** The digest failed: try again at `nextAttemptAt`; the claim is released (by its owner only). */
  retryLater(p: PendingDigest, owner: string, fields: { nextAttemptAt: number; error: string }): Promise<void>;
  /** The LLM answers again: digests waiting for a retry after a failure are due at `now`, but those whose error begins with `unless` (a spent budget). */
  retryWaitingNow(now: number, unless: string): Promise<number>;
  /** Lets go without an outcome (the store failed): the claim's attempt is not counted. */
  release(p: PendingDigest, owner: string): Promise<void>;
  /** Given up: kept with its error under `failureId` for operators, never claimed again until revived. */
  fail(p: PendingDigest, owner: string, fields: { error: string; failureId: string; at: number }): Promise<void>;
  /** Whether some active chat follows the feed (a chat with no settings row yet counts as active). */
  hasActiveReader(feedId: string): Promise<boolean>;
  /** Done (delivered to the next stage). */
  finish(p: Pick<PendingDigest, 'feedId' | 'articleKey'>): Promise<void>;
  /** Waiting, not failed. */
  pendingCount(): Promise<number>;
  /** Forgets articles first seen before `before` that nothing waits for. */
  prune(before: number): Promise<number>;
}

/** How far apart one feed's articles are put in the digest queue's order (not in time: each is due at once). */
const TURN_MS = 60_000;

function articleOf(r: Selectable<ArticlesTable>): Article {
  const a: Article = {
    key: r.key,
    title: r.title,
    categories: JSON.parse(r.categories) as string[],
    contentText: r.content_text,
    feedId: r.feed_id,
    feedTitle: r.feed_title,
    firstSeenAt: Number(r.first_seen_at),
    ownSite: Number(r.own_site) === 1,
  };
  if (r.url !== null) a.url = r.url;
  if (r.canonical_url !== null) a.canonicalUrl = r.canonical_url;
  if (r.author !== null) a.author = r.author;
  if (r.published_at !== null) a.publishedAt = Number(r.published_at);
  return a;
}

function pendingOf(r: Selectable<PendingDigestsTable>): PendingDigest {
  const p: PendingDigest = {
    feedId: r.feed_id,
    feedTitle: r.feed_title,
    articleKey: r.article_key,
    createdAt: Number(r.created_at),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
  };
  if (r.last_error !== null) p.lastError = r.last_error;
  if (r.failure_id !== null) p.failureId = r.failure_id;
  return p;
}

export function createArticleQueries(db: Kysely<Database>, dialect: Dialect): ArticleQueries {
  return {
    async accept(articles, pending) {
      await db.transaction().execute(async (tx) => {
        for (const part of chunks(articles, 200)) {
          await tx
            .insertInto('articles')
            .values(
              part.map((a) => ({
                key: a.key,
                url: a.url ?? null,
                canonical_url: a.canonicalUrl ?? null,
                title: a.title,
                author: a.author ?? null,
                published_at: a.publishedAt ?? null,
                categories: JSON.stringify(a.categories),
                content_text: a.contentText,
                feed_id: a.feedId,
                feed_title: a.feedTitle,
                first_seen_at: a.firstSeenAt,
                own_site: a.ownSite ? 1 : 0,
              })),
            )
            .onConflict((oc) => oc.column('key').doNothing())
            .execute();
        }
        // Each feed's new articles take turns after its articles already waiting, TURN_MS apart: an article of a quiet feed
        // gets a turn at once, ahead of a flooding feed's thousandth.
        const lastTurn = new Map<string, number>();
        for (const feedId of new Set(pending.map((p) => p.feedId))) {
          const row = await tx.selectFrom('pending_digests').select('turn_at').where('feed_id', '=', feedId).orderBy('turn_at', 'desc').limit(1).executeTakeFirst();
          if (row) lastTurn.set(feedId, Number(row.turn_at));
        }
        const turnOf = (p: PendingDigest) => {
          const turn = Math.max(p.nextAttemptAt, (lastTurn.get(p.feedId) ?? -Infinity) + TURN_MS);
          lastTurn.set(p.feedId, turn);
          return turn;
        };
        for (const part of chunks(pending)) {
          await tx
            .insertInto('pending_digests')
            .values(
              part.map((p) => ({
                feed_id: p.feedId,
                article_key: p.articleKey,
                feed_title: p.feedTitle,
                created_at: p.createdAt,
                attempts: 0,
                next_attempt_at: p.nextAttemptAt,
                turn_at: turnOf(p),
                last_error: null,
              })),
            )
            .onConflict((oc) => oc.columns(['feed_id', 'article_key']).doNothing())
            .execute();
        }
      });
    },
    async get(key) {
      const row = await db.selectFrom('articles').selectAll().where('key', '=', key).executeTakeFirst();
      return row ? articleOf(row) : undefined;
    },
    async claimDue(now, limit, claim) {
      return db.transaction().execute(async (tx) => {
        const pick = tx
          .selectFrom('pending_digests')
          .select(['feed_id', 'article_key'])
          .where('next_attempt_at', '<=', now)
          .where('claimed_until', '<', dbNow(dialect))
          .where('failed_at', 'is', null)
          .orderBy('turn_at')
          .limit(limit);
        const keys = await skipLocked(dialect, pick).execute();
        const out: PendingDigest[] = [];
        for (const k of keys) {
          const row = await tx
            .updateTable('pending_digests')
            .set((eb) => ({ claimed_until: dbNowPlus(dialect, claim.holdMs), claimed_by: claim.owner, attempts: eb('attempts', '+', 1) }))
            .where('feed_id', '=', k.feed_id)
            .where('article_key', '=', k.article_key)
            .returningAll()
            .executeTakeFirst();
          if (row) out.push(pendingOf(row));
        }
        return out;
      });
    },
    async renew(keys, claim) {
      let held = 0;
      for (const k of keys) {
        const r = await db
          .updateTable('pending_digests')
          .set({ claimed_until: dbNowPlus(dialect, claim.holdMs) })
          .where('feed_id', '=', k.feedId)
          .where('article_key', '=', k.articleKey)
          .where('claimed_by', '=', claim.owner)
          .executeTakeFirst();
        held += Number(r.numUpdatedRows);
      }
      return held;
    },
    async retryLater(p, owner, f) {
      await db
        .updateTable('pending_digests')
        .set({ next_attempt_at: f.nextAttemptAt, last_error: f.error, claimed_until: 0, claimed_by: null })
        .where('feed_id', '=', p.feedId)
        .where('article_key', '=', p.articleKey)
        .where('claimed_by', '=', owner)
        .execute();
    },
    async retryWaitingNow(now, unless) {
      const r = await db
        .updateTable('pending_digests')
        .set({ next_attempt_at: now })
        .where('next_attempt_at', '>', now)
        .where('attempts', '>', 0)
        .where('failed_at', 'is', null)
        .where('claimed_until', '<', dbNow(dialect))
        .where((eb) => eb.or([eb('last_error', 'is', null), eb('last_error', 'not like', `${unless.replace(/[%_\\]/g, '')}%`)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async release(p, owner) {
      await db
        .updateTable('pending_digests')
        .set({ claimed_until: 0, claimed_by: null, attempts: attemptGivenBack('attempts') })
        .where('feed_id', '=', p.feedId)
        .where('article_key', '=', p.articleKey)
        .where('claimed_by', '=', owner)
        .execute();
    },
    async hasActiveReader(feedId) {
      const row = await db
        .selectFrom('subscriptions as s')
        .leftJoin('chats as c', 'c.id', 's.chat_id')
        .select('s.chat_id')
        .where('s.feed_id', '=', feedId)
        .where((w) => w.or([w('c.id', 'is', null), w('c.active', '=', 1)]))
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    async fail(p, owner, f) {
      await db
        .updateTable('pending_digests')
        .set({ failed_at: f.at, failure_id: f.failureId, last_error: f.error, claimed_until: 0, claimed_by: null })
        .where('feed_id', '=', p.feedId)
        .where('article_key', '=', p.articleKey)
        .where('claimed_by', '=', owner)
        .execute();
    },
    async finish(p) {
      await db.deleteFrom('pending_digests').where('feed_id', '=', p.feedId).where('article_key', '=', p.articleKey).execute();
    },
    async pendingCount() {
      const row = await db.selectFrom('pending_digests').select((eb) => eb.fn.countAll<number>().as('n')).where('failed_at', 'is', null).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async prune(before) {
      return pruneInBatches(
        db,
        dialect,
        'articles',
        sql`first_seen_at < ${before} AND NOT EXISTS (SELECT 1 FROM pending_digests p WHERE p.article_key = articles.key)`,
      );
    },
  };
}
