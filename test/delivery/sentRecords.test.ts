// What Telegram took is recorded in groups (a burst in one transaction), each send done only once its record is written, a failed write tried again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../src/core/model.js';
import { createSentRecords } from '../../src/delivery/sentRecords.js';
import { silentLogger } from '../../src/log.js';
import type { SentRecord } from '../../src/store/outbox.js';
import type { Store } from '../../src/store/store.js';
import { openTempStore } from '../support/tempStore.js';

describe('sent records', () => {
  let store: Store;
  let writes: number[];
  beforeEach(async () => {
    store = await openTempStore();
    writes = [];
  });
  afterEach(async () => store.close());

  /** Queues one message for each chat and takes them for sending, as the sender does. */
  const taken = async (chats: number[]): Promise<OutboxMessage[]> => {
    await store.outbox.enqueue(chats.map((chatId) => ({ id: `m${chatId}`, chatId, plain: 'hi' })), 1);
    return store.outbox.takeHeads(chats, 60_000);
  };
  /** The real outbox's markSent, counting its calls; `failFirst` writes fail before that many have gone through. */
  const outbox = (failFirst = 0) => ({
    markSent: async (records: readonly SentRecord[], nextReadyAt: number) => {
      if (failFirst-- > 0) throw new Error('database away');
      writes.push(records.length);
      return store.outbox.markSent(records, nextReadyAt);
    },
  });

  it('records a burst in one write when told the burst is answered, and only then says each is written', async () => {
    const records = createSentRecords({ outbox: outbox(), log: silentLogger, chatGapMs: 1000, maxWaitMs: 60_000 });
    const messages = await taken([1, 2, 3]);
    let written = 0;
    const done = messages.map((message) => records.add({ message, at: 5, messageId: 10 }).then(() => written++));
    await new Promise((r) => setTimeout(r, 20));
    expect(written).toBe(0);
    expect(await store.outbox.wasSent('m1')).toBe(false);
    records.flush();
    await Promise.all(done);
    expect(writes).toEqual([3]);
    for (const id of ['m1', 'm2', 'm3']) expect(await store.outbox.wasSent(id)).toBe(true);
    expect(await store.outbox.size()).toBe(0);
  });

  it('writes what waits after at most its wait, when no one says the burst is answered', async () => {
    const records = createSentRecords({ outbox: outbox(), log: silentLogger, chatGapMs: 1000, maxWaitMs: 30 });
    const [message] = await taken([1]);
    await records.add({ message: message!, at: 5 });
    expect(writes).toEqual([1]);
    expect(await store.outbox.wasSent('m1')).toBe(true);
  });

  it('tries a failed write again until it is written, and loses nothing added meanwhile', async () => {
    const records = createSentRecords({ outbox: outbox(2), log: silentLogger, chatGapMs: 1000, maxWaitMs: 10 });
    const [first, second] = await taken([1, 2]);
    const a = records.add({ message: first!, at: 5 });
    records.flush(); // fails twice, then is written
    const b = records.add({ message: second!, at: 6 }); // added while the first write is being tried again
    await Promise.all([a, b]);
    expect(writes).toEqual([1, 1]);
    expect(await store.outbox.wasSent('m1')).toBe(true);
    expect(await store.outbox.wasSent('m2')).toBe(true);
    expect(await store.outbox.size()).toBe(0);
  });
});
