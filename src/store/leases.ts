// Named leases in one table: taken, renewed and released each in one statement on the database's clock, so two replicas can never both hold one.
import type { Kysely } from 'kysely';
import { dbNow, dbNowPlus } from './claim.js';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

export interface Leases {
  /**
   * Takes the lease for `ttlMs` if it is free, expired or already ours; true when we hold it afterwards. Expiry is the database's
   * clock (a replica whose own clock runs ahead takes nothing early); `now` replaces it in tests.
   */
  acquire(name: string, owner: string, ttlMs: number, now?: number): Promise<boolean>;
  /** Gives it up if we hold it. */
  release(name: string, owner: string): Promise<void>;
  /** Who holds it now, if anyone (operators' figures). */
  holder(name: string): Promise<string | undefined>;
}

export function createLeases(db: Kysely<Database>, dialect: Dialect): Leases {
  return {
    async acquire(name, owner, ttlMs, now) {
      const until = now === undefined ? dbNowPlus(dialect, ttlMs) : now + ttlMs;
      const current = now === undefined ? dbNow(dialect) : now;
      const row = await db
        .insertInto('leases')
        .values({ name, owner, until })
        .onConflict((oc) => oc.column('name').doUpdateSet({ owner, until }).where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.until', '<', current)])))
        .returning('owner')
        .executeTakeFirst();
      return row?.owner === owner;
    },
    async holder(name) {
      const row = await db.selectFrom('leases').select('owner').where('name', '=', name).where('until', '>=', dbNow(dialect)).executeTakeFirst();
      return row?.owner;
    },
    async release(name, owner) {
      await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
    },
  };
}
