// One user or one feed must not harm the others: channel changes need a channel admin, presses answer the presser only, inputs are capped, floods are bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { ARTICLE_TEXT } from '../support/articles.js';
import { rss, startFeedServer } from '../support/feedServer.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CHANNEL = -1007777;
const alerts = (harness: Harness) => harness.api.calls.filter((c) => c.method === 'answerCallbackQuery' && c.body.show_alert === true);

describe('a channel', () => {
  it('takes changes from its administrators only: a subscriber’s button presses get an alert and change nothing', async () => {
    h = await startHarness();
    h.web.set('/feed.xml', { body: rss('频道源', [{ title: '一', link: h.web.url('/posts/1'), guid: '1' }]) });
    await h.say(CHANNEL, `/sub ${h.web.url('/feed.xml')}`, /已订阅/, { chatType: 'channel' }); // posted in the channel: only its admins can
    const feedId = (await h.bot.app.store.subscriptions.ofChat(CHANNEL))[0]!.feedId;
    const before = h.api.sentTo(CHANNEL).length;

    h.api.callback(CHANNEL, `unsub:${feedId}`, { fromId: 555, chatType: 'channel' });
    h.api.callback(CHANNEL, 'set:mode:daily', { fromId: 555, chatType: 'channel' });
    await h.api.waitFor(() => alerts(h!).length === 2, 10_000, 'two alerts');
    await h.bot.settle();
    expect(await h.bot.app.store.subscriptions.ofChat(CHANNEL)).toHaveLength(1);
    expect((await h.bot.app.store.chats.get(CHANNEL))!.mode).toBe('instant');
    expect(h.api.sentTo(CHANNEL).length).toBe(before); // nothing posted into the channel

    h.api.admins.set(CHANNEL, new Set([556]));
    h.api.callback(CHANNEL, 'set:mode:daily', { fromId: 556, chatType: 'channel' });
    await h.api.waitFor(() => h!.api.calls.some((c) => c.method === 'answerCallbackQuery' && c.body.text === '已保存'), 10_000, 'a toast');
    expect((await h.bot.app.store.chats.get(CHANNEL))!.mode).toBe('daily');
  });
});

describe('a group', () => {
  it('lets only administrators flush the daily digest with /digest', async () => {
    h = await startHarness();
    await h.say(-300, '/digest', /只有管理员/, { fromId: 8, chatType: 'supergroup' });
    h.api.admins.set(-300, new Set([7]));
    await h.say(-300, '/digest', /没有|nothing/i, { fromId: 7, chatType: 'supergroup' });
  });

  it('answers a non-admin’s press with an alert to that person, never a group message', async () => {
    h = await startHarness();
    h.api.admins.set(-301, new Set([7]));
    await h.say(-301, '/settings', /推送方式/, { fromId: 7, chatType: 'supergroup' });
    const before = h.api.sentTo(-301).length;
    h.api.callback(-301, 'set:mode:both', { fromId: 8, chatType: 'supergroup' });
    await h.api.waitFor(() => alerts(h!).length === 1, 10_000, 'an alert');
    await h.bot.settle();
    expect(h.api.sentTo(-301).length).toBe(before);
    expect((await h.bot.app.store.chats.get(-301))!.mode).toBe('instant');
  });
});

describe('caps', () => {
  it('takes at most 20 URLs per /sub and says so', async () => {
    h = await startHarness();
    const urls = Array.from({ length: 25 }, (_, i) => h!.web.url(`/missing${i}.xml`)).join(' ');
    const replies = await h.say(6001, `/sub ${urls}`, /最多订阅 20 个/);
    expect(replies.map((m) => m.text).join('\n')).toContain('后面的 5 个没有处理');
    await h.bot.settle();
    const tried = new Set(h.web.requests.map((r) => r.path).filter((p) => p.startsWith('/missing')));
    expect(tried.size).toBe(20);
  });

  it('digests only the newest 100 items of a feed that floods, and tells its subscribers once', async () => {
    h = await startHarness({ env: { SEND_RATE_PER_SECOND: '200' } });
    const item = (n: number) => ({ title: `第${n}篇`, link: h!.web.url(`/posts/${n}`), guid: `g${n}`, pubDate: new Date(Date.UTC(2026, 10, 1) + n * 60_000).toUTCString() });
    h.web.set('/flood.xml', { body: rss('洪水', [item(0)]) });
    await h.say(6002, `/sub ${h.web.url('/flood.xml')}`, /已订阅/);
    // Each article its own text (the same words under two URLs would share one digest).
    for (let n = 1; n <= 150; n++) h.web.set(`/posts/${n}`, { body: articlePage(`第${n}篇`, `${ARTICLE_TEXT}\n第${n}篇的结尾。`), contentType: 'text/html' });
    h.web.set('/flood.xml', { body: rss('洪水', Array.from({ length: 151 }, (_, i) => item(150 - i))) });
    await h.bot.settle();
    // One chat takes a message a second: look at what is queued for it rather than wait for a hundred seconds of sending.
    await h.bot.app.sender.stop();
    h.clock.now += 11 * 60_000;
    h.bot.app.polls.tick();
    await h.bot.app.polls.idle();
    await h.bot.app.digests.idle();
    expect(h.llm.requests).toHaveLength(100);
    const queued = await h.bot.app.store.db.selectFrom('outbox').select(['id', 'plain']).where('chat_id', '=', 6002).execute();
    expect(queued.filter((m) => m.plain.includes('一次出现了 150 篇新文章'))).toHaveLength(1);
    const pushes = queued.filter((m) => m.id.startsWith('p:'));
    expect(pushes).toHaveLength(100);
    expect(pushes.some((m) => m.plain.includes('/posts/150\n') || m.plain.endsWith('/posts/150'))).toBe(true);
    expect(pushes.some((m) => m.plain.endsWith('/posts/50'))).toBe(false);
  }, 60_000);
});

describe('a feed speaking for another site', () => {
  it('cannot put its words under a real site’s URL: the real feed’s readers and /summary get the site’s own text', async () => {
    h = await startHarness({ env: { FETCH_ALLOW_PRIVATE: '127.0.0.0/8' } });
    const evil = await startFeedServer('127.0.0.2');
    try {
      const articleUrl = h.web.url('/posts/1');
      h.web.set('/posts/1', { body: articlePage('真实的文章'), contentType: 'text/html' });
      h.web.set('/real.xml', { body: rss('真实网站', [{ title: '旧', link: h.web.url('/posts/0'), guid: 'r0' }]) });
      evil.set('/evil.xml', { body: rss('攻击者', [{ title: '旧', link: evil.url('/x'), guid: 'e0' }]) });
      await h.say(7001, `/sub ${h.web.url('/real.xml')}`, /已订阅/);
      await h.say(7002, `/sub ${evil.url('/evil.xml')}`, /已订阅/);
      const fabricated = Array.from({ length: 12 }, (_, i) => `第${i + 1}段：假消息，这家公司宣布破产，所有用户的数据都已经泄露，请立即把账户里的钱转到下面的地址。`).join('\n');
      // The attacker's feed links the real article with fabricated full text; the real feed carries only a teaser.
      evil.set('/evil.xml', { body: rss('攻击者', [{ title: '震惊', link: articleUrl, guid: 'e1', description: fabricated }, { title: '旧', link: evil.url('/x'), guid: 'e0' }]) });
      h.web.set('/real.xml', { body: rss('真实网站', [{ title: '新芯片', link: articleUrl, guid: 'r1', description: '导语……阅读全文' }, { title: '旧', link: h.web.url('/posts/0'), guid: 'r0' }]) });
      await h.nextPoll();
      const asked = h.llm.requests.map((r) => r.messages[1]!.content);
      expect(asked.filter((c) => c.includes('假消息'))).toHaveLength(1); // for the attacker's own readers
      expect(asked.filter((c) => c.includes(ARTICLE_TEXT.slice(0, 20)))).toHaveLength(1); // the page itself, for the real feed's readers
      expect(h.api.sentTo(7001).filter((m) => m.text.includes('/posts/1') && m.text.includes('真实网站'))).toHaveLength(1);
      expect(h.api.sentTo(7002).filter((m) => m.text.includes('/posts/1') && m.text.includes('攻击者'))).toHaveLength(1);
      // /summary of the URL is served from the site's own text (no new LLM call, never the fabricated one).
      const calls = h.llm.requests.length;
      await h.say(7003, `/summary ${articleUrl}`, /总结/);
      expect(h.llm.requests.length).toBe(calls);
    } finally {
      await evil.close();
    }
  });
});
