// The seen table: which item keys each feed has shown, by a hash of the key (a 2,000-character link is as good a key as any).
import type { Kysely } from 'kysely';
import { shortHash } from '../core/itemKey.js';
import { chunks } from './claim.js';
import type { Database } from './schema.js';

export interface SeenQueries {
  /** When each of these keys was last seen in the feed (absent: never). */
  lastSeen(feedId: string, itemKeys: string[]): Promise<Map<string, number>>;
  /** Marks keys seen at `at` (new ones, and old ones refreshed while they stay in the feed). */
  mark(feedId: string, itemKeys: string[], at: number): Promise<void>;
  /** Forgets keys not seen since `before`. */
  prune(before: number): Promise<number>;
}

export const seenHash = (itemKey: string) => shortHash(itemKey, 32);

export function createSeenQueries(db: Kysely<Database>): SeenQueries {
  return {
    async lastSeen(feedId, itemKeys) {
      const byHash = new Map(itemKeys.map((k) => [seenHash(k), k]));
      const out = new Map<string, number>();
      for (const part of chunks([...byHash.keys()])) {
        const rows = await db.selectFrom('seen').select(['key_hash', 'at']).where('feed_id', '=', feedId).where('key_hash', 'in', part).execute();
        for (const r of rows) out.set(byHash.get(r.key_hash)!, Number(r.at));
      }
      return out;
    },
    async mark(feedId, itemKeys, at) {
      const hashes = [...new Set(itemKeys.map(seenHash))];
      for (const part of chunks(hashes)) {
        await db
          .insertInto('seen')
          .values(part.map((key_hash) => ({ feed_id: feedId, key_hash, at })))
          .onConflict((oc) => oc.columns(['feed_id', 'key_hash']).doUpdateSet({ at }))
          .execute();
      }
    },
    async prune(before) {
      const r = await db.deleteFrom('seen').where('at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
