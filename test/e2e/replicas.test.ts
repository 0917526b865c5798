// Three replicas on one PostgreSQL database in webhook mode, updates spread round-robin: what one replica does, the others see at once.
import { describe, expect, it } from 'vitest';
import { clusterPerTest } from '../support/cluster.js';
import { postgresUp } from '../support/postgres.js';

describe.skipIf(!postgresUp)('three replicas on one PostgreSQL database', { timeout: 60_000 }, () => {
  const startCluster = clusterPerTest();

  it('keeps a subscription made on B after a /sub and /unsub on A (no replica has an older copy)', async () => {
    const c = await startCluster({ replicas: 3 });
    c.publish('/resub.xml', 1);
    const feedUrl = c.web.url('/resub.xml');
    // Updates go to replicas 0, 1, 2, 0, … in turn.
    await c.say(5001, `/sub ${feedUrl}`, /已订阅/); // replica 0
    await c.say(5001, '/unsub 1', /已取消订阅/); // replica 1
    await c.say(5001, `/sub ${feedUrl}`, /已订阅/); // replica 2
    const list = await c.say(5001, '/list', /共 1 个订阅/); // replica 0
    expect(list).toContain('/resub.xml');
    expect(await c.replicas[1]!.app.store.subscriptions.ofChat(5001)).toHaveLength(1);

    // An article polled by one replica and digested by another reaches the subscriber.
    c.clock.now += 11 * 60_000;
    c.publish('/resub.xml', 2, 1);
    c.replicas[0]!.app.polls.tick();
    await c.replicas[0]!.app.polls.idle();
    await c.settle();
    expect(c.api.sentTo(5001).filter((m) => m.text.includes('/posts/2'))).toHaveLength(1);
  });

  it('pushes one article to 300 chats exactly once each, within Telegram’s limits, with polling spread over the replicas', async () => {
    const c = await startCluster({ replicas: 3, env: { SEND_RATE_PER_SECOND: '200' } });
    const cluster = c;
    // 30 feeds, each followed by 10 chats (one fetch per new feed, then immediate follows).
    for (let f = 0; f < 30; f++) cluster.publish(`/f${f}.xml`, 1);
    const store = cluster.replicas[0]!.app.store;
    for (let f = 0; f < 30; f++) {
      for (let k = 0; k < 10; k++) await cluster.replicas[(f + k) % 3]!.app.subscriber.subscribe(20_000 + f * 10 + k, cluster.web.url(`/f${f}.xml`));
    }
    expect(await store.feeds.count()).toBe(30);
    const sentBefore = cluster.api.sent.length;
    cluster.clock.now += 11 * 60_000;
    for (let f = 0; f < 30; f++) cluster.publish(`/f${f}.xml`, 2, 1);
    await cluster.tickAll();
    const pushes = cluster.api.sent.slice(sentBefore);
    expect(pushes).toHaveLength(300);
    expect(new Set(pushes.map((m) => m.chatId)).size).toBe(300);
    expect(cluster.api.stats.rejected429).toBe(0);
    const polledBy = cluster.logs.map((lines) => lines.filter((l) => l.includes('"feed polled"')).length);
    expect(polledBy.reduce((a, b) => a + b, 0)).toBe(30);
    expect(polledBy.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const sendingReplicas = cluster.replicas.filter((r) => r.app.sender.draining);
    expect(sendingReplicas).toHaveLength(1);
  });
});
