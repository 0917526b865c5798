// The jobs table: slow work people asked for, claimed by any replica that knows its kind, never two of one chat's at once; failed jobs are kept.
import { sql, type Kysely, type Selectable } from 'kysely';
import { attemptGivenBack, dbNow, dbNowPlus, skipLocked, type Claimant } from './claim.js';
import type { Dialect } from './database.js';
import type { Database, JobsTable } from './schema.js';

export interface Job<P = unknown> {
  id: string;
  chatId: number;
  kind: string;
  payload: P;
  createdAt: number;
  /** Claims so far, this one included (a crash counts like an error). */
  attempts: number;
  lastError?: string;
}

export interface JobQueries {
  /** Queues a job; false when one with this id exists (a redelivered update). */
  add(job: Omit<Job, 'attempts'>, runAt: number): Promise<boolean>;
  /**
   * Up to `limit` due jobs of the given kinds (a replica that does not know a kind leaves it for one that does), at most one per
   * chat and none of a chat that has one held anywhere, held by `claim`; each claim counts as an attempt.
   */
  claimDue(now: number, limit: number, claim: Claimant, kinds: string[]): Promise<Job[]>;
  /** The heartbeat: returns the ids `claim.owner` still holds. */
  renew(ids: string[], claim: Claimant): Promise<string[]>;
  /** Finished: removed, if `owner` still holds it (false: the claim was lost). */
  done(id: string, owner: string): Promise<boolean>;
  /** Failed this time: due again at `runAt`, released. */
  retryAt(id: string, owner: string, runAt: number, error: string): Promise<void>;
  /** Lets go without an outcome (shutdown, the store failed): due at once, the claim's attempt not counted. */
  release(id: string, owner: string): Promise<void>;
  /** Given up: kept with its error under `failureId`, never claimed again until revived. */
  fail(id: string, owner: string, fields: { error: string; failureId: string; at: number }): Promise<void>;
  /**
   * Lets go of every hold (their attempts stay counted): at the start of the one bot process an SQLite file serves, any hold is
   * a dead run's, and a person's request should not wait for it to lapse.
   */
  releaseAll(): Promise<number>;
  /** Jobs waiting or running, failed ones not counted (health, tests); of one chat when given (what a new request queues behind). */
  count(chatId?: number): Promise<number>;
}

function jobOf(r: Selectable<JobsTable>): Job {
  const job: Job = { id: r.id, chatId: Number(r.chat_id), kind: r.kind, payload: JSON.parse(r.payload) as unknown, createdAt: Number(r.created_at), attempts: Number(r.attempts) };
  if (r.last_error !== null) job.lastError = r.last_error;
  return job;
}

export function createJobQueries(db: Kysely<Database>, dialect: Dialect): JobQueries {
  return {
    async add(job, runAt) {
      const r = await db
        .insertInto('jobs')
        .values({ id: job.id, chat_id: job.chatId, kind: job.kind, payload: JSON.stringify(job.payload), created_at: job.createdAt, run_at: runAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async claimDue(now, limit, claim, kinds) {
      if (kinds.length === 0) return [];
      return db.transaction().execute(async (tx) => {
        // "None of a chat that has one held" reads other transactions' claims: on PostgreSQL at READ COMMITTED two claimers
        // would each miss the other's uncommitted one, so job claims take turns (they are few and short).
        if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext('fdb:jobs:claim'))`.execute(tx);
        const pick = tx
          .selectFrom('jobs as j')
          .selectAll()
          .where('j.run_at', '<=', now)
          .where('j.claimed_until', '<', dbNow(dialect))
          .where('j.failed_at', 'is', null)
          .where('j.kind', 'in', kinds)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('jobs as k').select('k.id').whereRef('k.chat_id', '=', 'j.chat_id').where('k.claimed_until', '>=', dbNow(dialect)))))
          .orderBy('j.run_at')
          .limit(limit * 4);
        const rows = await skipLocked(dialect, pick).execute();
        const chats = new Set<number>();
        const take = rows.filter((r) => !chats.has(Number(r.chat_id)) && chats.add(Number(r.chat_id))).slice(0, limit);
        if (take.length === 0) return [];
        const claimed = await tx
          .updateTable('jobs')
          .set((eb) => ({ claimed_until: dbNowPlus(dialect, claim.holdMs), claimed_by: claim.owner, attempts: eb('attempts', '+', 1) }))
          .where(
            'id',
            'in',
            take.map((r) => r.id),
          )
          .returningAll()
          .execute();
        return claimed.map(jobOf);
      });
    },
    async renew(ids, claim) {
      if (ids.length === 0) return [];
      const rows = await db.updateTable('jobs').set({ claimed_until: dbNowPlus(dialect, claim.holdMs) }).where('id', 'in', ids).where('claimed_by', '=', claim.owner).returning('id').execute();
      return rows.map((r) => r.id);
    },
    async done(id, owner) {
      const r = await db.deleteFrom('jobs').where('id', '=', id).where('claimed_by', '=', owner).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async retryAt(id, owner, runAt, error) {
      await db.updateTable('jobs').set({ run_at: runAt, last_error: error, claimed_until: 0, claimed_by: null }).where('id', '=', id).where('claimed_by', '=', owner).execute();
    },
    async release(id, owner) {
      await db.updateTable('jobs').set({ attempts: attemptGivenBack('attempts'), claimed_until: 0, claimed_by: null }).where('id', '=', id).where('claimed_by', '=', owner).execute();
    },
    async fail(id, owner, f) {
      await db
        .updateTable('jobs')
        .set({ failed_at: f.at, failure_id: f.failureId, last_error: f.error, claimed_until: 0, claimed_by: null })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .execute();
    },
    async releaseAll() {
      const r = await db.updateTable('jobs').set({ claimed_until: 0, claimed_by: null }).where('claimed_until', '>', 0).where('failed_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async count(chatId) {
      let q = db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('failed_at', 'is', null);
      if (chatId !== undefined) q = q.where('chat_id', '=', chatId);
      const row = await q.executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
