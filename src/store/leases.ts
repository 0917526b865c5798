// Named leases in one table: taken, renewed and released each in one statement, so two replicas can never both hold one.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Leases {
  /** Takes the lease for `ttlMs` if it is free, expired or already ours; true when we hold it afterwards. */
  acquire(name: string, owner: string, ttlMs: number, now?: number): Promise<boolean>;
  /** Gives it up if we hold it. */
  release(name: string, owner: string): Promise<void>;
}

export function createLeases(db: Kysely<Database>): Leases {
  return {
    async acquire(name, owner, ttlMs, now = Date.now()) {
      const row = await db
        .insertInto('leases')
        .values({ name, owner, until: now + ttlMs })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ owner, until: now + ttlMs }).where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.until', '<', now)])),
        )
        .returning('owner')
        .executeTakeFirst();
      return row?.owner === owner;
    },
    async release(name, owner) {
      await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
    },
  };
}
