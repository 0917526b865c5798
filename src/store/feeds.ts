// The feeds table: a feed's polling state, claimed by one poll worker at a time, changed field by field (never a snapshot written back).
import type { Kysely, Selectable } from 'kysely';
import type { FeedState } from '../core/model.js';
import { attemptGivenBack, dbNow, dbNowPlus, skipLocked, type Claimant } from './claim.js';
import type { Dialect } from './database.js';
import type { Database, FeedsTable } from './schema.js';

export interface FeedQueries {
  get(id: string): Promise<FeedState | undefined>;
  getMany(ids: string[]): Promise<FeedState[]>;
  /** A feed first fetched by /sub; false when another request created it first. */
  insert(feed: FeedState): Promise<boolean>;
  /**
   * Takes up to `limit` feeds due by the tick at `dueBy` (a little slack absorbs jitter in the feeds' own hints), not yet polled
   * since that tick and held by no other worker, oldest first, held by `claim` (each claim counted in `pollAttempts`).
   */
  claimDue(dueBy: number, now: number, limit: number, claim: Claimant, choose?: ChooseFeeds): Promise<FeedState[]>;
  /** Takes these feeds, due or not, unless another worker holds them (`poll --once`). */
  claimIds(ids: string[], now: number, claim: Claimant): Promise<FeedState[]>;
  /** The heartbeat: these feeds stay held by `claim.owner`; returns the ids it still holds. */
  renew(ids: string[], claim: Claimant): Promise<string[]>;
  /** Lets go of a feed without an outcome (the store failed, or the process stops): its claim is not counted. */
  release(id: string, owner: string): Promise<void>;
  /** Every feed id, a page at a time (`poll --once`; never on a hot path). */
  ids(after: string | undefined, limit: number): Promise<string[]>;
  /**
   * After a fetch that worked: validators, title, next poll; the claim is released. Recorded only by the claim's owner (false: the
   * claim was lost, nothing written). `seenAt`: the feed's keys were marked seen at that instant (a body was read).
   */
  recordSuccess(
    id: string,
    owner: string,
    fields: { nextPollAt: number; at: number; title?: string; siteUrl?: string; etag?: string | undefined; lastModified?: string | undefined; primed?: boolean; seenAt?: number },
  ): Promise<boolean>;
  /** After a failed fetch: one more failure, the error, the backoff; the claim is released (by its owner only). */
  recordFailure(id: string, owner: string, fields: { errorCount: number; error: string; at: number; nextPollAt: number }): Promise<boolean>;
  /** True for the one caller that marks the notice first (subscribers are told once). */
  markFailureNotice(id: string, at: number): Promise<boolean>;
  /** Deletes the feed if no chat follows it any more; its seen keys go with it. */
  deleteIfUnfollowed(id: string): Promise<boolean>;
  /** Feeds that exist, for counting (tests, bench). */
  count(): Promise<number>;
}

type Row = Selectable<FeedsTable>;

/**
 * Picks which of the due candidates (oldest first, several times `limit`) to take: the poll stage takes no more of one host than
 * it may fetch at once, so no claimed feed waits for its host while holding a worker.
 */
export type ChooseFeeds = (candidates: Array<{ id: string; url: string }>, limit: number, alreadyTaken: Array<{ id: string; url: string }>) => string[];

/** A feed whose own hints put it this close after a tick is polled at that tick, not one tick later. */
const DUE_SLACK_MS = 30_000;

export function feedOf(row: Row): FeedState {
  const feed: FeedState = {
    id: row.id,
    url: row.url,
    nextPollAt: Number(row.next_poll_at),
    errorCount: Number(row.error_count),
    primed: Number(row.primed) === 1,
    createdAt: Number(row.created_at),
  };
  if (row.title !== null) feed.title = row.title;
  if (row.site_url !== null) feed.siteUrl = row.site_url;
  if (row.etag !== null) feed.etag = row.etag;
  if (row.last_modified !== null) feed.lastModified = row.last_modified;
  if (row.last_error !== null) feed.lastError = row.last_error;
  if (row.last_error_at !== null) feed.lastErrorAt = Number(row.last_error_at);
  if (row.last_success_at !== null) feed.lastSuccessAt = Number(row.last_success_at);
  if (row.failure_notice_at !== null) feed.failureNoticeAt = Number(row.failure_notice_at);
  if (Number(row.poll_attempts) > 0) feed.pollAttempts = Number(row.poll_attempts);
  return feed;
}

export function createFeedQueries(db: Kysely<Database>, dialect: Dialect): FeedQueries {
  return {
    async get(id) {
      const row = await db.selectFrom('feeds').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? feedOf(row) : undefined;
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('feeds').selectAll().where('id', 'in', ids).execute();
      const byId = new Map(rows.map((r) => [r.id, feedOf(r)]));
      return ids.map((id) => byId.get(id)).filter((f): f is FeedState => !!f);
    },
    async insert(feed) {
      const r = await db
        .insertInto('feeds')
        .values({
          id: feed.id,
          url: feed.url,
          title: feed.title ?? null,
          site_url: feed.siteUrl ?? null,
          etag: feed.etag ?? null,
          last_modified: feed.lastModified ?? null,
          next_poll_at: feed.nextPollAt,
          error_count: feed.errorCount,
          last_error: null,
          last_error_at: null,
          last_success_at: feed.lastSuccessAt ?? null,
          primed: feed.primed ? 1 : 0,
          failure_notice_at: null,
          created_at: feed.createdAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async claimDue(dueBy, now, limit, claim, choose) {
      if (limit <= 0) return [];
      return db.transaction().execute(async (tx) => {
        const due = () =>
          tx
            .selectFrom('feeds')
            .select(['id', 'url'])
            .where('next_poll_at', '<=', dueBy + DUE_SLACK_MS)
            .where('last_polled_at', '<', dueBy)
            .where('claimed_until', '<', dbNow(dialect));
        let ids: string[];
        if (!choose) ids = (await skipLocked(dialect, due().orderBy('next_poll_at').limit(limit)).execute()).map((r) => r.id);
        else {
          // Candidates are read without locks (locking them all would starve the other replicas' claims); only the chosen are
          // locked, and those another replica holds are replaced from the rest, a few rounds at most.
          let pool = await due().orderBy('next_poll_at').limit(Math.min(500, limit * 8)).execute();
          const taken: Array<{ id: string; url: string }> = [];
          for (let round = 0; round < 4 && taken.length < limit && pool.length > 0; round++) {
            const want = new Set(choose(pool, limit - taken.length, taken));
            if (want.size === 0) break;
            const locked = new Set((await skipLocked(dialect, due().where('id', 'in', [...want])).execute()).map((r) => r.id));
            taken.push(...pool.filter((c) => locked.has(c.id)));
            pool = pool.filter((c) => !want.has(c.id));
          }
          ids = taken.map((c) => c.id);
        }
        if (ids.length === 0) return [];
        const rows = await tx
          .updateTable('feeds')
          .set((eb) => ({
            claimed_until: dbNowPlus(dialect, claim.holdMs),
            claimed_by: claim.owner,
            last_polled_at: Math.max(now, dueBy),
            poll_attempts: eb('poll_attempts', '+', 1),
          }))
          .where('id', 'in', ids)
          .where('claimed_until', '<', dbNow(dialect))
          .returningAll()
          .execute();
        return rows.map(feedOf).sort((a, b) => a.nextPollAt - b.nextPollAt);
      });
    },
    async claimIds(ids, now, claim) {
      if (ids.length === 0) return [];
      const rows = await db
        .updateTable('feeds')
        .set((eb) => ({ claimed_until: dbNowPlus(dialect, claim.holdMs), claimed_by: claim.owner, last_polled_at: now, poll_attempts: eb('poll_attempts', '+', 1) }))
        .where('id', 'in', ids)
        .where('claimed_until', '<', dbNow(dialect))
        .returningAll()
        .execute();
      return rows.map(feedOf);
    },
    async renew(ids, claim) {
      if (ids.length === 0) return [];
      const rows = await db
        .updateTable('feeds')
        .set({ claimed_until: dbNowPlus(dialect, claim.holdMs) })
        .where('id', 'in', ids)
        .where('claimed_by', '=', claim.owner)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },
    async release(id, owner) {
      await db
        .updateTable('feeds')
        .set({ claimed_until: 0, claimed_by: null, poll_attempts: attemptGivenBack('poll_attempts') })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .execute();
    },
    async ids(after, limit) {
      let q = db.selectFrom('feeds').select('id');
      if (after !== undefined) q = q.where('id', '>', after);
      return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
    },
    async recordSuccess(id, owner, f) {
      const r = await db
        .updateTable('feeds')
        .set({
          next_poll_at: f.nextPollAt,
          last_success_at: f.at,
          error_count: 0,
          failure_notice_at: null,
          claimed_until: 0,
          claimed_by: null,
          poll_attempts: 0,
          ...(f.seenAt !== undefined ? { seen_at: f.seenAt } : {}),
          ...(f.title !== undefined ? { title: f.title } : {}),
          ...(f.siteUrl !== undefined ? { site_url: f.siteUrl } : {}),
          ...('etag' in f ? { etag: f.etag ?? null } : {}),
          ...('lastModified' in f ? { last_modified: f.lastModified ?? null } : {}),
          ...(f.primed ? { primed: 1 } : {}),
        })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async recordFailure(id, owner, f) {
      const r = await db
        .updateTable('feeds')
        .set({ error_count: f.errorCount, last_error: f.error, last_error_at: f.at, next_poll_at: f.nextPollAt, claimed_until: 0, claimed_by: null, poll_attempts: 0 })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async markFailureNotice(id, at) {
      const r = await db.updateTable('feeds').set({ failure_notice_at: at }).where('id', '=', id).where('failure_notice_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deleteIfUnfollowed(id) {
      return db.transaction().execute(async (tx) => {
        // Lock the feed row first: a /sub of this feed at the same moment waits, then finds it gone and creates it again.
        if (dialect === 'postgres') await tx.selectFrom('feeds').select('id').where('id', '=', id).forUpdate().execute();
        const r = await tx
          .deleteFrom('feeds')
          .where('id', '=', id)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('subscriptions').select('chat_id').where('feed_id', '=', id))))
          .executeTakeFirst();
        const deleted = Number(r.numDeletedRows) > 0;
        if (deleted) await tx.deleteFrom('seen').where('feed_id', '=', id).execute();
        return deleted;
      });
    },
    async count() {
      const row = await db.selectFrom('feeds').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
