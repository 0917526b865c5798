// The store's promises, on SQLite and on PostgreSQL alike: atomic follows and quotas, claims that never hand one row to two workers, long keys, 64-bit chat ids, leases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChat, newFeedState } from '../../src/core/model.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createTempDatabase, postgresUp, type TempDatabase } from '../support/postgres.js';
import { tempStoreUrl } from '../support/tempStore.js';

const engines = [
  { name: 'sqlite', up: true },
  { name: 'postgres', up: postgresUp },
];

for (const engine of engines) {
  describe.skipIf(!engine.up)(`store: ${engine.name}`, () => {
    let url: string;
    let temp: TempDatabase | undefined;
    let store: Store;
    let other: Store;

    beforeAll(async () => {
      if (engine.name === 'postgres') {
        temp = await createTempDatabase();
        url = temp.url;
      } else url = tempStoreUrl();
      // Two replicas on one PostgreSQL database start together: the migrations run once. SQLite is one process's file,
      // its writes serialised on one connection, so there the "other replica" is the same store.
      if (engine.name === 'postgres') [store, other] = await Promise.all([openStore(url), openStore(url)]);
      else other = store = await openStore(url);
    });
    afterAll(async () => {
      await store.close();
      if (other !== store) await other.close();
      await temp?.drop();
    });

    it('keeps 64-bit chat ids and reads them back as numbers', async () => {
      const chat = newChat(-1001234567890, 'supergroup', { digestTime: '08:00', timezone: 'Asia/Shanghai' }, 1);
      await store.chats.ensure(chat);
      expect((await other.chats.get(-1001234567890))!.id).toBe(-1001234567890);
    });

    it('marks a 2,000-character item key seen like any other', async () => {
      await store.feeds.insert(newFeedState('long', 'https://x.example/feed', 0));
      const key = `u:https://x.example/${'a'.repeat(2000)}`;
      await store.seen.mark('long', [key, 'g:short'], 5);
      const seen = await other.seen.lastSeen('long', [key, 'g:short', 'g:never']);
      expect([...seen.entries()].sort()).toEqual([
        ['g:short', 5],
        [key, 5],
      ]);
    });

    it('follows a feed once under concurrent requests, and keeps the per-chat limit', async () => {
      for (const id of ['f1', 'f2', 'f3']) await store.feeds.insert(newFeedState(id, `https://x.example/${id}`, 0));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => [store, other][i % 2]!.subscriptions.follow('f1', 42, i, 2)));
      expect(results.filter((r) => r === 'added')).toHaveLength(1);
      expect(results.filter((r) => r === 'already')).toHaveLength(7);
      expect(await store.subscriptions.follow('f2', 42, 9, 2)).toBe('added');
      expect(await store.subscriptions.follow('f3', 42, 10, 2)).toBe('limit');
      expect(await store.subscriptions.follow('nope', 42, 10, 5)).toBe('no-feed');
      expect((await other.subscriptions.ofChat(42)).map((s) => s.feedId)).toEqual(['f1', 'f2']);
    });

    it('takes a quota atomically: 8 concurrent asks with a quota of 2 give 2', async () => {
      const taken = await Promise.all(Array.from({ length: 8 }, (_, i) => [store, other][i % 2]!.quotas.take('summary:1', '2026-11-24', 2, Date.now() + 1000)));
      expect(taken.filter(Boolean)).toHaveLength(2);
      expect(await store.quotas.used('summary:1', '2026-11-24')).toBe(2);
    });

    it('never hands one due feed to two workers', async () => {
      for (let i = 0; i < 30; i++) await store.feeds.insert(newFeedState(`due${i}`, `https://due.example/${i}`, 100 + i));
      const picks = await Promise.all(Array.from({ length: 6 }, (_, i) => [store, other][i % 2]!.feeds.claimDue(1000, 1000, 5, { owner: `w${i}`, holdMs: 60_000 })));
      const ids = picks.flat().map((f) => f.id).filter((id) => id.startsWith('due'));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(25);
      const rest = (await store.feeds.claimDue(1000, 2000, 100, { owner: 'late', holdMs: 60_000 })).map((f) => f.id);
      expect(rest.filter((id) => ids.includes(id))).toEqual([]); // held
    });

    it('lets one owner hold a lease, renews it, and releases it only for its owner', async () => {
      expect(await store.leases.acquire('l', 'a', 1000, 0)).toBe(true);
      expect(await other.leases.acquire('l', 'b', 1000, 10)).toBe(false);
      expect(await store.leases.acquire('l', 'a', 1000, 500)).toBe(true); // renewed until 1500
      expect(await other.leases.acquire('l', 'b', 1000, 1200)).toBe(false);
      await other.leases.release('l', 'b');
      expect(await other.leases.acquire('l', 'b', 1000, 1600)).toBe(true); // expired
      await store.leases.release('l', 'a'); // not a's any more: nothing happens
      expect(await store.leases.acquire('l', 'a', 1000, 1700)).toBe(false);
    });

    it('queues a message once, never again after it was sent, and picks chats by index', async () => {
      expect(await store.outbox.enqueue([{ id: 'm1', chatId: 7, plain: 'hi' }], 1)).toEqual(['m1']);
      expect(await other.outbox.enqueue([{ id: 'm1', chatId: 7, plain: 'hi' }], 2)).toEqual([]);
      expect(await store.outbox.enqueue([{ id: 'r1', chatId: 8, plain: 'reply', priority: 0 }], 3)).toEqual(['r1']);
      expect((await store.outbox.readyChats(10, 10)).map((c) => c.chatId)).toEqual([8, 7]); // the reply first
      const [head] = await store.outbox.takeHeads([7], 60_000);
      expect(head!.id).toBe('m1');
      expect(await other.outbox.takeHeads([7], 60_000)).toEqual([]); // held by a sender
      await store.outbox.markSent([{ message: head!, at: 12 }], 1012);
      expect(await other.outbox.enqueue([{ id: 'm1', chatId: 7, plain: 'hi' }], 13)).toEqual([]);
      expect((await store.outbox.readyChats(2000, 10)).map((c) => c.chatId)).toEqual([8]);
    });

    it('takes the heads of several chats at once and records them in one go, each chat keeping its order and its next message', async () => {
      const ours = new Set([101, -102, 103, 104]);
      const ready = async (now: number) => (await store.outbox.readyChats(now, 100)).map((c) => c.chatId).filter((id) => ours.has(id)).sort((x, y) => x - y);
      await store.outbox.enqueue(
        [
          { id: 'a1', chatId: 101, plain: 'a1' },
          { id: 'a2', chatId: 101, plain: 'a2' },
          { id: 'b1', chatId: -102, plain: 'b1' },
          { id: 'c1', chatId: 103, plain: 'c1' },
        ],
        1,
      );
      const [c1] = await other.outbox.takeHeads([103], 60_000); // another sender holds chat 103's head
      const heads = await store.outbox.takeHeads([101, -102, 103, 104], 60_000);
      expect(heads.map((m) => m.id).sort()).toEqual(['a1', 'b1']); // chat 103 held elsewhere, chat 104 has nothing
      await store.outbox.markSent(heads.map((message, i) => ({ message, at: 10, messageId: 100 + i })), 5000);
      await store.outbox.markSent(heads.map((message) => ({ message, at: 10 })), 5000); // written again: nothing changes
      expect(await store.outbox.wasSent('a1')).toBe(true);
      expect(await store.outbox.wasSent('b1')).toBe(true);
      expect(await store.outbox.wasSent('c1')).toBe(false);
      // Chat 101 keeps its row, waiting until 5000; chat -102 has nothing left; chat 103 is untouched.
      expect(await ready(4999)).toEqual([103]);
      expect(await ready(5000)).toEqual([101, 103]);
      expect((await store.outbox.takeHeads([101], 60_000)).map((m) => m.id)).toEqual(['a2']);
      await other.outbox.markSent([{ message: c1!, at: 11 }], 20);
      expect(await ready(5000)).toEqual([101]);
    });

    it('hands out one job per chat at a time, so one chat’s long import never holds up another chat’s request', async () => {
      for (let i = 0; i < 3; i++) await store.jobs.add({ id: `import-${i}`, chatId: 1, kind: 'import', payload: {}, createdAt: i }, i);
      await store.jobs.add({ id: 'sub-b', chatId: 2, kind: 'sub', payload: {}, createdAt: 10 }, 10);
      const a = { owner: 'a', holdMs: 60_000 };
      const b = { owner: 'b', holdMs: 60_000 };
      const first = await store.jobs.claimDue(100, 4, a, ['import', 'sub']);
      expect(first.map((j) => j.id).sort()).toEqual(['import-0', 'sub-b']);
      expect(first.map((j) => j.attempts)).toEqual([1, 1]); // counted when claimed
      expect(await other.jobs.claimDue(100, 4, b, ['import', 'sub'])).toEqual([]); // chat 1 has a job running; chat 2 has nothing else
      expect(await other.jobs.done('import-0', 'b')).toBe(false); // not b's to record
      expect(await store.jobs.done('import-0', 'a')).toBe(true);
      expect((await other.jobs.claimDue(100, 4, b, ['import', 'sub'])).map((j) => j.id)).toEqual(['import-1']);
    });

    it('finds a story of the last 48 hours by a shared token, weighing rare tokens above common ones, and forgets old stories', async () => {
      const text = (title: string) => ({ title, tldr: title, tags: [], original: title });
      const member = (key: string, at: number) => ({ articleKey: key, feedId: `f-${key}`, feedTitle: '源', at, html: { zh: 'z', en: 'e' }, plain: { zh: 'z', en: 'e' } });
      const t = 1_000_000_000;
      // Three stories share the common token; one shares the rare one too.
      await store.stories.start({ text: text('甲'), tokens: ['common', 'rare'] }, member('s1', t));
      await store.stories.start({ text: text('乙'), tokens: ['common'] }, member('s2', t + 1));
      await store.stories.start({ text: text('丙'), tokens: ['common'] }, member('s3', t + 2));
      await store.stories.start({ text: text('丁'), tokens: ['common', 'other'] }, member('old', t - 72 * 3_600_000));
      await other.stories.join('s1', member('s1-copy', t + 5));
      const found = await other.stories.candidates(['common', 'rare'], t - 48 * 3_600_000, 10);
      expect(found[0]!.id).toBe('s1');
      expect([...found[0]!.feeds].sort()).toEqual(['f-s1', 'f-s1-copy']);
      expect(found.map((c) => c.id).sort()).toEqual(['s1', 's2', 's3']); // the old one is outside the window
      expect(await other.stories.candidates(['common'], t - 48 * 3_600_000, 10, 2)).toHaveLength(2); // each token reads a bounded number
      expect(await other.stories.storyOf('s1-copy')).toBe('s1');
      expect(await store.stories.prune(t - 48 * 3_600_000)).toBe(4); // the old story, its member and its two tokens
      expect(await other.stories.storyOf('old')).toBeUndefined();
    });
    it('keeps cached values and forgets expired ones', async () => {
      await store.memory.set('k', { mode: 'json_object' });
      expect(await other.memory.get('k')).toEqual({ mode: 'json_object' });
      await store.memory.set('short', 1, 50);
      await new Promise((r) => setTimeout(r, 120));
      expect(await other.memory.get('short')).toBeUndefined();
    });
  });
}
