// Cache-shaped facts (digests by content, provider capabilities) in keyv, stored in the `cache` table beside the facts: losing one costs an LLM call, never a user's data.
import { EventEmitter } from 'node:events';
import Keyv from 'keyv';
import type { Kysely } from 'kysely';
import { StoreError } from './database.js';
import type { Database } from './schema.js';

/** One kind of cached value, one key each; keys are hashes or short names, never raw URLs. */
export interface Collection<T> {
  get(key: string): Promise<T | undefined>;
  getMany(keys: string[]): Promise<Array<T | undefined>>;
  set(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** keyv's storage adapter over the `cache` table (keyv serialises values and checks expiry itself). */
class TableStore extends EventEmitter {
  opts = { dialect: 'table' };
  namespace?: string;
  constructor(private readonly db: Kysely<Database>) {
    super();
  }
  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('cache').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }
  async getMany(keys: string[]): Promise<Array<string | undefined>> {
    if (keys.length === 0) return [];
    const rows = await this.db.selectFrom('cache').select(['key', 'value']).where('key', 'in', keys).execute();
    const byKey = new Map(rows.map((r) => [r.key, r.value]));
    return keys.map((k) => byKey.get(k));
  }
  async set(key: string, value: string, ttl?: number): Promise<void> {
    const expires_at = typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl : null;
    await this.db
      .insertInto('cache')
      .values({ key, value, expires_at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, expires_at }))
      .execute();
  }
  async delete(key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('cache').where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
  async clear(): Promise<void> {
    if (this.namespace) await this.db.deleteFrom('cache').where('key', 'like', `${this.namespace}:%`).execute();
  }
}

export interface Cache {
  collection<T>(namespace: string): Collection<T>;
  /** Deletes entries whose time is up. */
  prune(now: number): Promise<number>;
}

export function createCache(db: Kysely<Database>, onError: (error: unknown) => void): Cache {
  return {
    collection<T>(namespace: string): Collection<T> {
      const keyv = new Keyv<T>({ store: new TableStore(db), namespace, throwOnErrors: true });
      keyv.on('error', onError);
      const wrap = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
        try {
          return await fn();
        } catch (cause) {
          throw new StoreError(`cache ${what} in "${namespace}" failed: ${(cause as Error)?.message ?? cause}`, { cause });
        }
      };
      return {
        get: (key) => wrap('get', async () => (await keyv.get(key)) as T | undefined),
        getMany: (keys) => wrap('getMany', async () => (keys.length ? ((await keyv.get(keys)) as Array<T | undefined>) : [])),
        set: (key, value, ttlMs) =>
          wrap('set', async () => {
            await keyv.set(key, value, ttlMs);
          }),
        delete: (key) => wrap('delete', () => keyv.delete(key)),
      };
    },
    async prune(now) {
      const r = await db.deleteFrom('cache').where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
