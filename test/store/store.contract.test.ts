// One contract for every store: SQLite (file), Redis and PostgreSQL, each the real server on this machine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { POSTGRES_URL, REDIS_URL, reachable } from '../support/services.js';

const sqliteUrl = `sqlite://${join(mkdtempSync(join(tmpdir(), 'fdb-store-')), 'nested', 'bot.sqlite')}`;
const backends: Array<{ name: string; url: string; host?: [string, number] }> = [
  { name: 'sqlite', url: sqliteUrl },
  { name: 'redis', url: REDIS_URL, host: ['127.0.0.1', 6379] },
  { name: 'postgres', url: POSTGRES_URL, host: ['127.0.0.1', 5432] },
];

for (const backend of backends) {
  const up = backend.host ? await reachable(...backend.host) : true;
  if (!up) console.warn(`SKIPPING the ${backend.name} store contract: nothing answers at ${backend.host!.join(':')}`);

  describe.skipIf(!up)(`store contract: ${backend.name}`, () => {
    let store: Store;
    const run = `${backend.name}-${process.pid}-${Date.now()}`;
    beforeAll(async () => {
      store = await openStore(backend.url);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('gets back what was set, and nothing for an unknown key', async () => {
      await store.subs.set(`${run}:a`, { feedId: 'f', chatId: -100123, createdAt: 1 });
      expect(await store.subs.get(`${run}:a`)).toEqual({ feedId: 'f', chatId: -100123, createdAt: 1 });
      expect(await store.subs.get(`${run}:missing`)).toBeUndefined();
    });

    it('keeps namespaces apart: the same key in two collections holds two values', async () => {
      await store.seen.set(`${run}:same`, { at: 1 });
      await store.meta.set(`${run}:same`, 'meta value');
      expect(await store.seen.get(`${run}:same`)).toEqual({ at: 1 });
      expect(await store.meta.get(`${run}:same`)).toBe('meta value');
      await store.meta.delete(`${run}:same`);
      expect(await store.seen.get(`${run}:same`)).toEqual({ at: 1 });
    });

    it('reads many keys at once, in order, with gaps as undefined', async () => {
      await store.seen.set(`${run}:m1`, { at: 1 });
      await store.seen.set(`${run}:m3`, { at: 3 });
      expect(await store.seen.getMany([`${run}:m1`, `${run}:m2`, `${run}:m3`])).toEqual([{ at: 1 }, undefined, { at: 3 }]);
    });

    it('forgets a key after its TTL', async () => {
      await store.seen.set(`${run}:ttl`, { at: 1 }, 150);
      expect(await store.seen.get(`${run}:ttl`)).toEqual({ at: 1 });
      await new Promise((r) => setTimeout(r, 400));
      expect(await store.seen.get(`${run}:ttl`)).toBeUndefined();
    });

    it('deletes, and says whether there was something to delete', async () => {
      await store.subs.set(`${run}:del`, { feedId: 'f', chatId: 1, createdAt: 1 });
      expect(await store.subs.delete(`${run}:del`)).toBe(true);
      expect(await store.subs.get(`${run}:del`)).toBeUndefined();
    });

    it('lists every entry of a collection, across pages, keys without the namespace', async () => {
      const n = 1205;
      const writes = [];
      for (let i = 0; i < n; i++) writes.push(store.feeds.set(`${run}:${i}`, { id: String(i), url: `https://x/${i}`, nextPollAt: i, errorCount: 0, primed: false, createdAt: 0 }));
      await Promise.all(writes);
      const found = new Set<string>();
      for await (const [key, value] of store.feeds.entries()) {
        if (key.startsWith(`${run}:`)) {
          expect(value.url).toBe(`https://x/${key.slice(run.length + 1)}`);
          found.add(key);
        }
      }
      expect(found.size).toBe(n);
    });

    it('gives a lease to one owner at a time, renews it for that owner, and frees it on release', async () => {
      const lease = `${run}:poll`;
      expect(await store.backend.acquireLease(lease, 'a', 5000)).toBe(true);
      expect(await store.backend.acquireLease(lease, 'b', 5000)).toBe(false);
      expect(await store.backend.acquireLease(lease, 'a', 5000)).toBe(true);
      await store.backend.releaseLease(lease, 'a');
      expect(await store.backend.acquireLease(lease, 'b', 5000)).toBe(true);
      await store.backend.releaseLease(lease, 'b');
    });

    it('prunes rows whose time has passed, and keeps the others', async () => {
      await store.seen.set(`${run}:old`, { at: 1 }, 50);
      await store.seen.set(`${run}:young`, { at: 2 }, 60_000);
      await store.seen.set(`${run}:forever`, { at: 3 });
      await new Promise((r) => setTimeout(r, 120));
      const pruned = await store.backend.pruneExpired();
      if (backend.name !== 'redis') expect(pruned).toBeGreaterThanOrEqual(1);
      expect(await store.seen.get(`${run}:old`)).toBeUndefined();
      expect(await store.seen.get(`${run}:young`)).toEqual({ at: 2 });
      expect(await store.seen.get(`${run}:forever`)).toEqual({ at: 3 });
    });

    it('lets a lease lapse after its time', async () => {
      const lease = `${run}:lapse`;
      expect(await store.backend.acquireLease(lease, 'a', 100)).toBe(true);
      await new Promise((r) => setTimeout(r, 250));
      expect(await store.backend.acquireLease(lease, 'b', 5000)).toBe(true);
    });
  });
}

describe('store URL', () => {
  it('refuses an unreachable server with a message naming it', async () => {
    await expect(openStore('redis://127.0.0.1:1')).rejects.toThrow(/cannot reach the redis store at 127\.0\.0\.1:1/);
  });
});
