// Counters per name and period (a user's /summary per day, the LLM's tokens per day), each change one atomic statement.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Quotas {
  /** Takes one unit if fewer than `limit` are used; false when the quota is spent. */
  take(name: string, period: string, limit: number, expiresAt: number): Promise<boolean>;
  /** Adds `amount` (tokens spent). */
  add(name: string, period: string, amount: number, expiresAt: number): Promise<void>;
  used(name: string, period: string): Promise<number>;
  /** Forgets periods that are over. */
  prune(now: number): Promise<number>;
}

export function createQuotas(db: Kysely<Database>): Quotas {
  return {
    async take(name, period, limit, expiresAt) {
      if (limit <= 0) return false;
      const row = await db
        .insertInto('quotas')
        .values({ name, period, used: 1, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['name', 'period']).doUpdateSet((eb) => ({ used: eb('quotas.used', '+', 1) })).where('quotas.used', '<', limit))
        .returning('used')
        .executeTakeFirst();
      return row !== undefined;
    },
    async add(name, period, amount, expiresAt) {
      await db
        .insertInto('quotas')
        .values({ name, period, used: amount, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['name', 'period']).doUpdateSet((eb) => ({ used: eb('quotas.used', '+', amount) })))
        .execute();
    },
    async used(name, period) {
      const row = await db.selectFrom('quotas').select('used').where('name', '=', name).where('period', '=', period).executeTakeFirst();
      return Number(row?.used ?? 0);
    },
    async prune(now) {
      const r = await db.deleteFrom('quotas').where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
