// The jobs table: slow work people asked for, claimed by any replica, never two of one chat's at once (one chat's long import cannot hold up another's /sub).
import type { Kysely, Selectable } from 'kysely';
import { skipLocked } from './claim.js';
import type { Dialect } from './database.js';
import type { Database, JobsTable } from './schema.js';

export interface Job<P = unknown> {
  id: string;
  chatId: number;
  kind: string;
  payload: P;
  createdAt: number;
  attempts: number;
}

export interface JobQueries {
  /** Queues a job; false when one with this id exists (a redelivered update). */
  add(job: Omit<Job, 'attempts'>, runAt: number): Promise<boolean>;
  /** Up to `limit` due jobs, at most one per chat and none of a chat that has one running anywhere, held until `now + holdMs`. */
  claimDue(now: number, limit: number, holdMs: number): Promise<Job[]>;
  done(id: string): Promise<void>;
  retryAt(id: string, runAt: number, attempts: number): Promise<void>;
  /** Jobs waiting or running (health, tests). */
  count(): Promise<number>;
}

function jobOf(r: Selectable<JobsTable>): Job {
  return { id: r.id, chatId: Number(r.chat_id), kind: r.kind, payload: JSON.parse(r.payload) as unknown, createdAt: Number(r.created_at), attempts: Number(r.attempts) };
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
    async claimDue(now, limit, holdMs) {
      return db.transaction().execute(async (tx) => {
        const pick = tx
          .selectFrom('jobs as j')
          .selectAll()
          .where('j.run_at', '<=', now)
          .where('j.claimed_until', '<', now)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('jobs as k').select('k.id').whereRef('k.chat_id', '=', 'j.chat_id').where('k.claimed_until', '>=', now))))
          .orderBy('j.run_at')
          .limit(limit * 4);
        const rows = await skipLocked(dialect, pick).execute();
        const chats = new Set<number>();
        const take = rows.filter((r) => !chats.has(Number(r.chat_id)) && chats.add(Number(r.chat_id))).slice(0, limit);
        if (take.length === 0) return [];
        await tx
          .updateTable('jobs')
          .set({ claimed_until: now + holdMs })
          .where(
            'id',
            'in',
            take.map((r) => r.id),
          )
          .execute();
        return take.map(jobOf);
      });
    },
    async done(id) {
      await db.deleteFrom('jobs').where('id', '=', id).execute();
    },
    async retryAt(id, runAt, attempts) {
      await db.updateTable('jobs').set({ run_at: runAt, attempts, claimed_until: 0 }).where('id', '=', id).execute();
    },
    async count() {
      const row = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
