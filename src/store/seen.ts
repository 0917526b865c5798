// The seen table: which item keys each feed has shown, by a hash of the key (a 2,000-character link is as good a key as any).
import { sql, type Kysely } from 'kysely';
import { shortHash } from '../core/itemKey.js';
import { chunks } from './claim.js';
import type { Dialect } from './database.js';
import { pruneInBatches } from './prune.js';
import type { Database } from './schema.js';

export interface SeenQueries {
  /** When each of these keys was last seen in the feed (absent: never). */
  lastSeen(feedId: string, itemKeys: string[]): Promise<Map<string, number>>;
  /** Marks keys seen at `at` (new ones, and old ones refreshed while they stay in the feed). */
  mark(feedId: string, itemKeys: string[], at: number): Promise<void>;
  /**
   * Forgets keys not seen since `before` that are gone from their feed: keys still in it are re-marked at least every
   * `refreshMs` while bodies are read, so a key older than the feed's last read by more than that is gone. A feed that answers
   * 304 or fails for months keeps its keys (its items are still there, and must not come back as new).
   */
  prune(before: number, refreshMs: number): Promise<number>;
}

export const seenHash = (itemKey: string) => shortHash(itemKey, 32);

export function createSeenQueries(db: Kysely<Database>, dialect: Dialect): SeenQueries {
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
    async prune(before, refreshMs) {
      return pruneInBatches(db, dialect, 'seen', sql`at < ${before} AND at < (SELECT f.seen_at FROM feeds f WHERE f.id = seen.feed_id) - ${refreshMs}`);
    },
  };
}
