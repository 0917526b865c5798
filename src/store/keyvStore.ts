// keyv chosen by STORE_URL (sqlite://, redis://, postgres://): one adapter per namespace, typed collections, store-native leases.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Keyv from 'keyv';
import KeyvPostgres from '@keyv/postgres';
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';

/** One kind of fact, one key per fact. */
export interface Collection<T> {
  get(key: string): Promise<T | undefined>;
  getMany(keys: string[]): Promise<Array<T | undefined>>;
  set(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Every live entry; do not use on collections written with a TTL (the SQLite iterator skips rows next to expired ones). */
  entries(): AsyncGenerator<[string, T]>;
}

export type StoreKind = 'sqlite' | 'redis' | 'postgres';

export interface KeyvBackend {
  kind: StoreKind;
  collection<T>(namespace: string): Collection<T>;
  /** Takes the named lease for `ttlMs` if free or already ours; true when we hold it. Atomic across processes on Redis and PostgreSQL. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  /** Deletes rows whose TTL has passed (SQLite and PostgreSQL keep them until read; Redis expires them itself). */
  pruneExpired(now?: number): Promise<number>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

function kindOf(url: string): StoreKind {
  if (url.startsWith('sqlite://')) return 'sqlite';
  if (/^rediss?:\/\//.test(url)) return 'redis';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  throw new StoreError(`STORE_URL must start with sqlite://, redis:// or postgres://`);
}

interface Adapter {
  disconnect?(): Promise<void>;
  query?: (sql: string, ...params: unknown[]) => Promise<unknown>;
}

/** Opens the store named by `url`; `onError` hears adapter errors that keyv would otherwise only emit. */
export async function openKeyvBackend(url: string, onError: (error: unknown) => void = () => {}): Promise<KeyvBackend> {
  const kind = kindOf(url);
  const adapters: Adapter[] = [];
  const keyvs: Keyv[] = [];
  let sqlitePath: string | undefined;
  if (kind === 'sqlite') {
    sqlitePath = url.slice('sqlite://'.length);
    if (sqlitePath !== ':memory:') {
      sqlitePath = resolve(sqlitePath);
      mkdirSync(dirname(sqlitePath), { recursive: true });
    }
  }

  function makeAdapter(namespace: string): Adapter {
    if (kind === 'sqlite') {
      const adapter = new KeyvSqlite({ uri: `sqlite://${sqlitePath}`, table: 'keyv', busyTimeout: 10_000, iterationLimit: 1000 });
      // WAL + NORMAL: durable across process crashes, and thousands of small writes a second instead of dozens.
      void adapter.query('PRAGMA journal_mode=WAL').then(() => adapter.query('PRAGMA synchronous=NORMAL')).catch(onError);
      return adapter as unknown as Adapter;
    }
    if (kind === 'redis') return new KeyvRedis(url, { namespace, throwOnConnectError: true }) as unknown as Adapter;
    return new KeyvPostgres({ uri: url.replace(/^postgres:/, 'postgresql:'), table: 'keyv', iterationLimit: 1000 }) as unknown as Adapter;
  }

  const leases = kind === 'sqlite' ? new Map<string, { owner: string; until: number }>() : undefined;
  /** A connection of our own for what keyv does not offer: leases and pruning. */
  let rawClient: Adapter | undefined;
  function rawAdapter(): Adapter {
    rawClient ??= makeAdapter('lease');
    if (!adapters.includes(rawClient)) adapters.push(rawClient);
    return rawClient;
  }
  let leaseTableReady: Promise<unknown> | undefined;

  const backend: KeyvBackend = {
    kind,
    collection<T>(namespace: string): Collection<T> {
      const store = makeAdapter(namespace);
      adapters.push(store);
      const keyv = new Keyv<T>({ store: store as never, namespace, throwOnErrors: true, ...(kind === 'redis' ? { useKeyPrefix: false } : {}) });
      keyv.on('error', onError);
      keyvs.push(keyv as Keyv);
      const wrap = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
        try {
          return await fn();
        } catch (cause) {
          throw new StoreError(`store ${kind} ${what} in "${namespace}" failed: ${(cause as Error)?.message ?? cause}`, { cause });
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
        async *entries() {
          if (!keyv.iterator) throw new StoreError(`store ${kind} cannot list "${namespace}"`);
          for await (const [key, value] of keyv.iterator(undefined as never) as AsyncGenerator<[string, T]>) {
            if (value !== undefined) yield [key, value];
          }
        },
      };
    },

    async acquireLease(name, owner, ttlMs) {
      const now = Date.now();
      if (leases) {
        const held = leases.get(name);
        if (held && held.owner !== owner && held.until > now) return false;
        leases.set(name, { owner, until: now + ttlMs });
        return true;
      }
      if (kind === 'redis') {
        const client = await (rawAdapter() as unknown as KeyvRedis<unknown>).getClient();
        const key = `lease:${name}`;
        const ok = await client.set(key, owner, { NX: true, PX: ttlMs });
        if (ok === 'OK') return true;
        if ((await client.get(key)) === owner) {
          await client.pExpire(key, ttlMs);
          return true;
        }
        return false;
      }
      const pg = rawAdapter();
      leaseTableReady ??= pg.query!('CREATE TABLE IF NOT EXISTS feed_digest_lease (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until BIGINT NOT NULL)');
      await leaseTableReady;
      const rows = (await pg.query!(
        `INSERT INTO feed_digest_lease (name, owner, until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until
         WHERE feed_digest_lease.owner = EXCLUDED.owner OR feed_digest_lease.until < $4
         RETURNING owner`,
        [name, owner, now + ttlMs, now],
      )) as unknown[];
      return rows.length > 0;
    },

    async releaseLease(name, owner) {
      if (leases) {
        if (leases.get(name)?.owner === owner) leases.delete(name);
        return;
      }
      if (kind === 'redis') {
        const client = await (rawAdapter() as unknown as KeyvRedis<unknown>).getClient();
        if ((await client.get(`lease:${name}`)) === owner) await client.del(`lease:${name}`);
        return;
      }
      await leaseTableReady;
      await rawAdapter().query!('DELETE FROM feed_digest_lease WHERE name = $1 AND owner = $2', [name, owner]);
    },

    async pruneExpired(now = Date.now()) {
      if (kind === 'redis') return 0;
      const db = rawAdapter();
      if (kind === 'sqlite') {
        await db.query!("DELETE FROM keyv WHERE json_valid(value) AND json_extract(value, '$.expires') < ?", now);
        const rows = (await db.query!('SELECT changes() AS n')) as Array<{ n: number }>;
        return rows[0]?.n ?? 0;
      }
      const rows = (await db.query!(
        `DELETE FROM keyv WHERE value LIKE '%"expires":%' AND (value::jsonb->>'expires')::bigint < $1 RETURNING key`,
        [now],
      )) as unknown[];
      return rows.length;
    },

    async close() {
      if (kind === 'postgres') {
        // @keyv/postgres shares one pool per URI; ending it twice throws.
        await adapters[0]?.disconnect?.().catch(() => {});
        return;
      }
      await Promise.all(adapters.map((a) => a.disconnect?.().catch(() => {})));
    },
  };

  if (kind === 'redis' || kind === 'postgres') {
    // Fail at start, with the URL's host, rather than at the first poll.
    const probe = backend.collection<number>('meta');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probe.get('__probe__'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
        }),
      ]);
    } catch (cause) {
      void backend.close();
      throw new StoreError(`cannot reach the ${kind} store at ${new URL(url).host}: ${(cause as Error).message}`, { cause });
    } finally {
      clearTimeout(timer);
    }
  }
  return backend;
}
