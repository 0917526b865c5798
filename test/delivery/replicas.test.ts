// Senders of several replicas on one PostgreSQL database: one drains at a time, every message goes out once, a hiccup while renewing stops the old drainer, another takes over.
import { randomUUID } from 'node:crypto';
import { Telegram } from 'telegraf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSender, type Sender } from '../../src/delivery/sender.js';
import { silentLogger } from '../../src/log.js';
import { openStore, type Store } from '../../src/store/store.js';
import { startBotApiServer, TEST_TOKEN, type BotApiServer } from '../support/botApiServer.js';
import { createTempDatabase, postgresUp, type TempDatabase } from '../support/postgres.js';

describe.skipIf(!postgresUp)('senders of replicas on one PostgreSQL database', () => {
  let api: BotApiServer;
  let db: TempDatabase;
  let stores: Store[] = [];
  let senders: Sender[] = [];

  const replica = async (lease?: { acquire(): Promise<boolean>; release(): Promise<void> }) => {
    const store = await openStore(db.url);
    stores.push(store);
    const owner = randomUUID();
    const sender = createSender({
      outbox: store.outbox,
      telegram: new Telegram(TEST_TOKEN, { apiRoot: api.apiRoot } as never),
      log: silentLogger,
      rate: 200,
      chatGapMs: 0,
      onMigrate: async () => {},
      onDeactivate: async () => {},
      onTopicGone: async () => {},
      lease: lease ?? { acquire: () => store.leases.acquire('sender', owner, 1500), release: () => store.leases.release('sender', owner) },
      leaseRenewMs: 200,
      refreshMs: 100,
    });
    senders.push(sender);
    return { store, sender, owner };
  };

  beforeAll(async () => {
    api = await startBotApiServer();
    db = await createTempDatabase();
  });
  afterEach(async () => {
    await Promise.all(senders.map((s) => s.stop()));
    await Promise.all(stores.map((s) => s.close()));
    senders = [];
    stores = [];
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  it('sends every message once, whichever replica queued it, and only one replica drains', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.sender.start();
    await b.sender.start();
    expect([a.sender.draining, b.sender.draining].filter(Boolean)).toHaveLength(1);
    const run = randomUUID().slice(0, 8);
    for (let i = 0; i < 6; i++) {
      const chatId = 600_000 + i;
      await [a, b][i % 2]!.sender.enqueue({ id: `t:${chatId}:${run}`, chatId, plain: `message ${i} ${run}` });
    }
    await api.waitFor(() => api.sent.filter((m) => m.text.includes(run)).length === 6, 10_000, 'six messages');
    await new Promise((r) => setTimeout(r, 500));
    const texts = api.sent.filter((m) => m.text.includes(run)).map((m) => m.text);
    expect(texts.sort()).toEqual([...new Set(texts)].sort());
    expect(texts).toHaveLength(6);
  });

  it('lets another replica drain within seconds when the holder stops', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.sender.start();
    await b.sender.start();
    const holder = a.sender.draining ? a : b;
    const other = holder === a ? b : a;
    await holder.sender.stop();
    const run = randomUUID().slice(0, 8);
    await other.sender.enqueue({ id: `t:600100:${run}`, chatId: 600_100, plain: `after handover ${run}` });
    await api.waitFor(() => api.sent.some((m) => m.text.includes(run)), 10_000, 'the handed-over message');
  });

  it('stops the old drainer when its renewal fails, so 60 messages go out 60 times, not more', async () => {
    const a = await replica();
    let failing = false;
    const flaky = await replica({
      acquire: async () => {
        if (failing) throw new Error('connection timeout');
        return a.store.leases.acquire('sender', 'flaky', 1500);
      },
      release: () => a.store.leases.release('sender', 'flaky'),
    });
    await flaky.sender.start();
    expect(flaky.sender.draining).toBe(true);
    const run = randomUUID().slice(0, 8);
    const messages = Array.from({ length: 60 }, (_, i) => ({ id: `t:${610_000 + i}:${run}`, chatId: 610_000 + i, plain: `m${i} ${run}` }));
    failing = true; // the renewal now throws; the lease runs out and the other replica takes it
    const b = await replica();
    await b.sender.start();
    await a.sender.enqueueMany(messages);
    await api.waitFor(() => api.sent.filter((m) => m.text.endsWith(run)).length >= 60, 15_000, 'sixty messages');
    await new Promise((r) => setTimeout(r, 2500));
    expect(api.sent.filter((m) => m.text.endsWith(run))).toHaveLength(60);
    expect(flaky.sender.draining).toBe(false);
  });
});
