// Per-feed options and filters on PostgreSQL with two replicas: the fan-out's filter statement there, and two admins setting one filter at once.
import { describe, expect, it } from 'vitest';
import { clusterPerTest } from '../support/cluster.js';
import { postgresUp } from '../support/postgres.js';

describe.skipIf(!postgresUp)('per-feed options on PostgreSQL, two replicas', { timeout: 60_000 }, () => {
  const startCluster = clusterPerTest();

  it('applies each chat’s filter, mode and title in the fan-out statement', async () => {
    const c = await startCluster({ replicas: 2 });
    c.publish('/feed.xml', 1);
    for (const chat of [601, 602, 603, 604]) await c.say(chat, `/sub ${c.web.url('/feed.xml')}`, /已订阅/);
    await c.settle();
    // The digest the fake LLM gives: tags 人工智能, OpenAI, 芯片.
    await c.say(601, '/filter 1 -芯片', /过滤已设为/);
    await c.say(602, '/filter all +openai', /过滤已设为/);
    await c.say(603, '/set 1 mode muted', /静音/);
    await c.say(604, '/set 1 title 我的频道', /已更新/);
    c.clock.now += 11 * 60_000;
    c.publish('/feed.xml', 2, 1);
    await c.tickAll();
    const got = (chat: number) => c!.api.sentTo(chat).filter((m) => m.text.includes('/posts/2'));
    expect(got(601)).toHaveLength(0);
    expect(got(602)).toHaveLength(1);
    expect(got(603)).toHaveLength(0);
    expect(got(604)).toHaveLength(1);
    expect(got(604)[0]!.text).toContain('<i>我的频道</i>');
    const drops = await c.replicas[0]!.app.store.filters.dropsOfChat(601, 0);
    expect(drops.reduce((n, d) => n + d.n, 0)).toBe(1);
  });

  it('keeps one admin’s filter whole when two set it at the same moment on different replicas', async () => {
    const c = await startCluster({ replicas: 2 });
    c.publish('/feed.xml', 1);
    c.api.admins.set(-2001, new Set([42, 43]));
    await c.say(-2001, `/sub ${c.web.url('/feed.xml')}`, /已订阅/);
    await c.settle();
    const store = c.replicas[0]!.app.store;
    const feedId = (await store.subscriptions.ofChat(-2001))[0]!.feedId;
    const mine = ['+甲一', '+甲二', '+甲三', '-甲四', '+甲五', '-甲六'];
    const theirs = ['+乙一', '-乙二', '+乙三', '+乙四'];
    for (let round = 0; round < 6; round++) {
      const before = c.api.sentTo(-2001).length;
      // Two updates in a row: the load balancer gives one to each replica, and both run at once.
      c.api.message(-2001, `/filter 1 ${mine.join(' ')}`, { fromId: 42 });
      c.api.message(-2001, `/filter 1 ${theirs.join(' ')}`, { fromId: 43 });
      await c.api.waitFor(() => c!.api.sentTo(-2001).slice(before).filter((m) => /过滤已设为/.test(m.text)).length === 2, 15_000, 'both answers');
      const terms = (await store.filters.ofChat(-2001)).get(feedId)!.map((t) => `${t.sign}${t.term}`);
      expect([mine, theirs]).toContainEqual(terms);
    }
  });
});
