// Work given up after its attempts: jobs, digests and messages kept as failed rows, listed for operators and revived by id.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A short id a user can quote and an operator can look up (`failed`). */
export const newFailureId = () => randomBytes(4).toString('hex');

export interface FailedWork {
  id: string;
  kind: 'job' | 'digest' | 'message';
  /** What it was: a job's kind and chat, an article key, a message's id and chat. */
  what: string;
  /** When it was first queued. */
  since: number;
  failedAt: number;
  attempts: number;
  lastError: string;
}

export interface FailedQueries {
  /** Every failed row, newest first. */
  list(limit?: number): Promise<FailedWork[]>;
  /** Failed rows by table (for /stats and /metrics). */
  counts(): Promise<Record<FailedWork['kind'], number>>;
  /** Queues the row with this id (or every failed row, for `all`) again with fresh attempts; returns how many. */
  retry(id: string | 'all', now: number): Promise<number>;
}

export function createFailedQueries(db: Kysely<Database>): FailedQueries {
  return {
    async list(limit = 500) {
      const [jobs, digests, messages] = await Promise.all([
        db.selectFrom('jobs').select(['failure_id', 'kind', 'chat_id', 'created_at', 'failed_at', 'attempts', 'last_error']).where('failed_at', 'is not', null).orderBy('failed_at', 'desc').limit(limit).execute(),
        db
          .selectFrom('pending_digests')
          .select(['failure_id', 'feed_id', 'article_key', 'created_at', 'failed_at', 'attempts', 'last_error'])
          .where('failed_at', 'is not', null)
          .orderBy('failed_at', 'desc')
          .limit(limit)
          .execute(),
        db.selectFrom('outbox').select(['failure_id', 'id', 'chat_id', 'created_at', 'failed_at', 'attempts', 'last_error']).where('failed_at', 'is not', null).orderBy('failed_at', 'desc').limit(limit).execute(),
      ]);
      const out: FailedWork[] = [
        ...jobs.map((r) => ({ id: r.failure_id ?? '?', kind: 'job' as const, what: `${r.kind} for chat ${r.chat_id}`, since: Number(r.created_at), failedAt: Number(r.failed_at), attempts: Number(r.attempts), lastError: r.last_error ?? '' })),
        ...digests.map((r) => ({ id: r.failure_id ?? '?', kind: 'digest' as const, what: `article ${r.article_key} of feed ${r.feed_id}`, since: Number(r.created_at), failedAt: Number(r.failed_at), attempts: Number(r.attempts), lastError: r.last_error ?? '' })),
        ...messages.map((r) => ({ id: r.failure_id ?? '?', kind: 'message' as const, what: `message ${r.id} to chat ${r.chat_id}`, since: Number(r.created_at), failedAt: Number(r.failed_at), attempts: Number(r.attempts), lastError: r.last_error ?? '' })),
      ];
      return out.sort((a, b) => b.failedAt - a.failedAt).slice(0, limit);
    },
    async counts() {
      const count = async (table: 'jobs' | 'pending_digests' | 'outbox') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('failed_at', 'is not', null).executeTakeFirstOrThrow()).n);
      const [job, digest, message] = await Promise.all([count('jobs'), count('pending_digests'), count('outbox')]);
      return { job, digest, message };
    },
    async retry(id, now) {
      return db.transaction().execute(async (tx) => {
        const failed = id === 'all' ? sql<boolean>`failed_at IS NOT NULL` : sql<boolean>`failed_at IS NOT NULL AND failure_id = ${id}`;
        const revive = { failed_at: null, failure_id: null, attempts: 0, claimed_until: 0 };
        const jobs = await tx.updateTable('jobs').set({ ...revive, run_at: now, claimed_by: null }).where(failed).executeTakeFirst();
        // A revived article gets its full time for a digest again.
        const digests = await tx.updateTable('pending_digests').set({ ...revive, next_attempt_at: now, created_at: now, claimed_by: null }).where(failed).executeTakeFirst();
        const revived = await tx.updateTable('outbox').set(revive).where(failed).returning('chat_id').execute();
        if (revived.length > 0) {
          // Their chats' index rows: the sender picks by them.
          for (const chatId of new Set(revived.map((r) => Number(r.chat_id)))) {
            await tx
              .insertInto('outbox_chats')
              .values({ chat_id: chatId, priority: 1, ready_at: now })
              .onConflict((oc) => oc.column('chat_id').doUpdateSet({ ready_at: now }))
              .execute();
          }
        }
        return Number(jobs.numUpdatedRows) + Number(digests.numUpdatedRows) + revived.length;
      });
    },
  };
}
