// Two replicas on one Redis store: only the lease holder drains the outbox, messages queued by the other go out once, and the other takes over when it stops.
import { randomUUID } from 'node:crypto';
import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSender, type Sender } from '../../src/delivery/sender.js';
import { silentLogger } from '../../src/log.js';
import { openStore, type Store } from '../../src/store/store.js';
import { startBotApiServer, TEST_TOKEN, type BotApiServer } from '../support/botApiServer.js';
import { REDIS_URL, reachable } from '../support/services.js';

const up = await reachable('127.0.0.1', 6379);
if (!up) console.warn('SKIPPING the replica test: no Redis at 127.0.0.1:6379');

describe.skipIf(!up)('senders of two replicas on one Redis store', () => {
  let api: BotApiServer;
  let stores: Store[];
  let senders: Sender[];
  const lease = `sender-test-${randomUUID()}`;

  beforeAll(async () => {
    api = await startBotApiServer();
    stores = [await openStore(REDIS_URL), await openStore(REDIS_URL)];
    senders = stores.map((store) => {
      const owner = randomUUID();
      return createSender({
        outbox: store.outbox,
        sent: store.sent,
        telegram: new Telegram(TEST_TOKEN, { apiRoot: api.apiRoot } as never),
        log: silentLogger,
        rate: 25,
        onMigrate: async () => {},
        onDeactivate: async () => {},
        lease: { acquire: () => store.backend.acquireLease(lease, owner, 2000), release: () => store.backend.releaseLease(lease, owner) },
        rescanMs: 100,
      });
    });
  });
  afterAll(async () => {
    await Promise.all(senders.map((s) => s.stop()));
    await Promise.all(stores.map((s) => s.close()));
    await api.close();
  });

  it('sends every message once, whichever replica queued it', async () => {
    await senders[0]!.start();
    await senders[1]!.start();
    const run = randomUUID().slice(0, 8);
    for (let i = 0; i < 6; i++) {
      const chatId = 600_000 + i;
      await senders[i % 2]!.enqueue({ id: `t:${chatId}:${run}`, chatId, plain: `message ${i} ${run}` });
    }
    await api.waitFor(() => api.sent.filter((m) => m.text.includes(run)).length === 6, 10_000, 'six messages');
    await new Promise((r) => setTimeout(r, 500));
    const texts = api.sent.filter((m) => m.text.includes(run)).map((m) => m.text);
    expect(new Set(texts).size).toBe(6);
    expect(texts).toHaveLength(6);
  });

  it('lets the other replica drain when the holder stops', async () => {
    await senders[0]!.stop();
    const run = randomUUID().slice(0, 8);
    await senders[1]!.enqueue({ id: `t:600100:${run}`, chatId: 600_100, plain: `after handover ${run}` });
    await api.waitFor(() => api.sent.some((m) => m.text.includes(run)), 10_000, 'the handed-over message');
  });
});
