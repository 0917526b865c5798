// The feeds table: a feed's polling state, claimed by one poll worker at a time, changed field by field (never a snapshot written back).
import type { Kysely, Selectable } from 'kysely';
import type { FeedState } from '../core/model.js';
import { skipLocked } from './claim.js';
import type { Dialect } from './database.js';
import type { Database, FeedsTable } from './schema.js';

export interface FeedQueries {
  get(id: string): Promise<FeedState | undefined>;
  getMany(ids: string[]): Promise<FeedState[]>;
  /** A feed first fetched by /sub; false when another request created it first. */
  insert(feed: FeedState): Promise<boolean>;
  /**
   * Takes up to `limit` feeds due by the tick at `dueBy` (a little slack absorbs jitter in the feeds' own hints), not yet polled
   * since that tick and held by no other worker, oldest first, holding them until `now + holdMs`.
   */
  claimDue(dueBy: number, now: number, limit: number, holdMs: number): Promise<FeedState[]>;
  /** Takes these feeds, due or not, unless another worker holds them (`poll --once`). */
  claimIds(ids: string[], now: number, holdMs: number): Promise<FeedState[]>;
  /** Every feed id, a page at a time (`poll --once`; never on a hot path). */
  ids(after: string | undefined, limit: number): Promise<string[]>;
  /** After a fetch that worked: validators, title, next poll; the claim is released. */
  recordSuccess(id: string, fields: { nextPollAt: number; at: number; title?: string; siteUrl?: string; etag?: string | undefined; lastModified?: string | undefined; primed?: boolean }): Promise<void>;
  /** After a failed fetch: one more failure, the error, the backoff; the claim is released. */
  recordFailure(id: string, fields: { errorCount: number; error: string; at: number; nextPollAt: number }): Promise<void>;
  /** True for the one caller that marks the notice first (subscribers are told once). */
  markFailureNotice(id: string, at: number): Promise<boolean>;
  /** Deletes the feed if no chat follows it any more; its seen keys go with it. */
  deleteIfUnfollowed(id: string): Promise<boolean>;
  /** Feeds that exist, for counting (tests, bench). */
  count(): Promise<number>;
}

type Row = Selectable<FeedsTable>;

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
    async claimDue(dueBy, now, limit, holdMs) {
      return db.transaction().execute(async (tx) => {
        const pick = tx
          .selectFrom('feeds')
          .select('id')
          .where('next_poll_at', '<=', dueBy + DUE_SLACK_MS)
          .where('last_polled_at', '<', dueBy)
          .where('claimed_until', '<', now)
          .orderBy('next_poll_at')
          .limit(limit);
        const ids = (await skipLocked(dialect, pick).execute()).map((r) => r.id);
        if (ids.length === 0) return [];
        const rows = await tx
          .updateTable('feeds')
          .set({ claimed_until: now + holdMs, last_polled_at: Math.max(now, dueBy) })
          .where('id', 'in', ids)
          .where('claimed_until', '<', now)
          .returningAll()
          .execute();
        return rows.map(feedOf).sort((a, b) => a.nextPollAt - b.nextPollAt);
      });
    },
    async claimIds(ids, now, holdMs) {
      if (ids.length === 0) return [];
      const rows = await db.updateTable('feeds').set({ claimed_until: now + holdMs, last_polled_at: now }).where('id', 'in', ids).where('claimed_until', '<', now).returningAll().execute();
      return rows.map(feedOf);
    },
    async ids(after, limit) {
      let q = db.selectFrom('feeds').select('id');
      if (after !== undefined) q = q.where('id', '>', after);
      return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
    },
    async recordSuccess(id, f) {
      await db
        .updateTable('feeds')
        .set({
          next_poll_at: f.nextPollAt,
          last_success_at: f.at,
          error_count: 0,
          failure_notice_at: null,
          claimed_until: 0,
          ...(f.title !== undefined ? { title: f.title } : {}),
          ...(f.siteUrl !== undefined ? { site_url: f.siteUrl } : {}),
          ...('etag' in f ? { etag: f.etag ?? null } : {}),
          ...('lastModified' in f ? { last_modified: f.lastModified ?? null } : {}),
          ...(f.primed ? { primed: 1 } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    async recordFailure(id, f) {
      await db
        .updateTable('feeds')
        .set({ error_count: f.errorCount, last_error: f.error, last_error_at: f.at, next_poll_at: f.nextPollAt, claimed_until: 0 })
        .where('id', '=', id)
        .execute();
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
