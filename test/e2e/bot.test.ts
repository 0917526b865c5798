// End to end: the real bot and its real clients against fakes over HTTP — subscribe, push, unsubscribe, /summary, the daily digest.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_TOKEN } from '../support/botApiServer.js';
import { articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';
import { GOOD_DIGEST } from '../support/openaiServer.js';

const MIN = 60_000;
let h: Harness;

const item = (n: number) => ({ title: `第${n}篇文章`, link: h.web.url(`/posts/${n}`), guid: `post-${n}`, description: '导语……' });

function publish(...ns: number[]) {
  for (const n of ns) h.web.set(`/posts/${n}`, { body: articlePage(`第${n}篇文章`), contentType: 'text/html; charset=utf-8' });
  h.web.set('/feed.xml', { body: rss('科技日报', ns.map(item)), contentType: 'application/rss+xml', etag: `"${ns.join('-')}"` });
}

const say = (...args: Parameters<Harness['say']>) => h.say(...args);
const nextPoll = () => h.nextPoll();

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('subscribing and instant pushes', () => {
  it('subscribes without backlog, then pushes one new article once, with its digest', async () => {
    publish(2, 1);
    const replies = await say(1001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    expect(replies.map((m) => m.text).join('\n')).toContain('科技日报');
    await h.bot.settle();
    const afterSub = h.api.sentTo(1001).length;

    publish(3, 2, 1);
    await nextPoll();
    const pushes = h.api.sentTo(1001).slice(afterSub);
    expect(pushes).toHaveLength(1);
    const push = pushes[0]!;
    expect(push.parseMode).toBe('HTML');
    expect(push.text).toContain(`<a href="${h.web.url('/posts/3')}">${GOOD_DIGEST.title}</a>`);
    expect(push.text).toContain('科技日报');
    expect(push.text).toContain('#人工智能 #OpenAI #芯片');
    expect(h.llm.requests).toHaveLength(1);
    expect(h.llm.requests[0]!.messages[1]!.content).toContain('研究人员在周二公布了新的芯片设计');

    await nextPoll(); // 304: nothing again
    expect(h.api.sentTo(1001).length).toBe(afterSub + 1);
  });

  it('subscribes to several URLs at once and resolves a web page to its feed', async () => {
    publish(1);
    h.web.set('/blog', { body: `<!doctype html><html><head><title>博客</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>hi</body></html>`, contentType: 'text/html' });
    const replies = await say(1001, `/sub ${h.web.url('/blog')} ${h.web.url('/missing.xml')}`, /无法订阅/);
    const text = replies.map((m) => m.text).join('\n');
    expect(text).toMatch(/已订阅 <b>科技日报<\/b>/);
    expect(text).toContain('从网页');
    expect(text).toMatch(/无法订阅 \S*missing\.xml：网站返回 404：找不到这个地址/); // the URL once, the reason in words
  });

  it('answers wrong arguments with a usage line, in English for English users', async () => {
    const replies = await say(1003, '/sub', /Usage: \/sub/, { lang: 'en' });
    expect(replies[0]!.text).toBe('Usage: /sub &lt;url&gt; [&lt;url&gt; ...]');
  });

  it('unsubscribes by number, and pushes nothing after', async () => {
    publish(1);
    await say(1001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    const list = await say(1001, '/list', /共 1 个订阅/);
    expect(list[0]!.text).toMatch(/1\. <b><a href=".*">科技日报<\/a><\/b>/);
    await say(1001, '/unsub 1', /已取消订阅 <b>科技日报<\/b>/);
    await h.bot.settle();
    const before = h.api.sent.length;
    publish(2, 1);
    expect(await h.bot.app.store.feeds.count()).toBe(0); // nobody follows the feed any more: it is not polled
    await h.bot.pollNow();
    expect(h.api.sent.length).toBe(before);
  });

  it('unsubscribes by URL', async () => {
    publish(1);
    await say(1001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await say(1001, `/unsub ${h.web.url('/feed.xml')}`, /已取消订阅 <b>科技日报<\/b>/);
    await say(1001, `/unsub ${h.web.url('/other.xml')}`, /还没有订阅/);
  });

  it('offers the subscriptions as buttons when /unsub has no argument', async () => {
    publish(1);
    await say(1001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    const [pick] = await say(1001, '/unsub', /选择要取消的订阅/);
    const button = pick!.replyMarkup!.inline_keyboard![0]![0]!;
    expect(button.text).toBe('1. 科技日报');
    h.api.callback(1001, button.callback_data);
    // The press is answered with a toast and the buttons' message is edited in place (no new message).
    await h.api.waitFor(() => h.api.calls.some((c) => c.method === 'editMessageText' && String(c.body.text).includes('已取消订阅')));
    expect(h.api.calls.some((c) => c.method === 'answerCallbackQuery' && c.body.text === '已取消订阅')).toBe(true);
    expect(await h.bot.app.store.subscriptions.ofChat(1001)).toEqual([]);
    // Pressed again, the stale button says so kindly, to the presser.
    h.api.callback(1001, button.callback_data);
    await h.api.waitFor(() => h.api.calls.some((c) => c.method === 'answerCallbackQuery' && String(c.body.text).includes('按钮已过期')));
  });

  it('says the header of the /unsub buttons once, however often a used button is pressed again', async () => {
    h.web.set('/two.xml', { body: rss('第二个源', [item(9)]) });
    publish(1);
    await say(1001, `/sub ${h.web.url('/feed.xml')} ${h.web.url('/two.xml')}`, /第二个源/);
    await h.bot.settle();
    const [pick] = await say(1001, '/unsub', /选择要取消的订阅/);
    const first = pick!.replyMarkup!.inline_keyboard![0]![0]!;
    const edits = () =>
      h.api.calls
        .filter((c) => c.method === 'editMessageText')
        .map((c) => String(c.body.text))
        .filter((t) => /取消/.test(t)); // the buttons' message, not the /sub answer edited into its progress note
    h.api.callback(1001, first.callback_data);
    await h.api.waitFor(() => edits().length >= 1);
    h.api.callback(1001, first.callback_data); // used already
    await h.api.waitFor(() => edits().length >= 2 || h.api.calls.filter((c) => c.method === 'answerCallbackQuery').length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    for (const text of edits()) expect(text.split('选择要取消的订阅').length - 1).toBeLessThanOrEqual(1);
    expect(edits()[0]).toMatch(/^已取消订阅 <b>[^<]+<\/b>。\n\n选择要取消的订阅：$/);
  });
});

describe('/summary', () => {
  it('acknowledges at once and replies with the digest', async () => {
    h.web.set('/page', { body: articlePage('一篇文章'), contentType: 'text/html' });
    const replies = await say(1001, `/summary ${h.web.url('/page')}`, /总结：/);
    // The "⏳ reading…" note was sent at once, then edited into the digest: nothing is left hanging.
    expect(replies).toHaveLength(1);
    expect(replies[0]!.edited).toBe(true);
    const digest = replies.find((m) => m.text.includes('总结：'))!;
    expect(digest.text).toContain(GOOD_DIGEST.tldr);
    expect(digest.text).toContain('<blockquote');
  });

  it('shows "typing" while the digest is made, and a second request says it is queued behind the first', async () => {
    for (const p of ['/a', '/b']) h.web.set(p, { body: articlePage(`文章${p}`), contentType: 'text/html' });
    h.llm.queue({ content: JSON.stringify(GOOD_DIGEST), delayMs: 1500 });
    h.api.message(1003, `/summary ${h.web.url('/a')}`);
    await h.api.waitFor(() => h.api.sentTo(1003).some((m) => m.text.includes('正在读取')));
    await say(1003, `/summary ${h.web.url('/b')}`, /已排队：前面还有 1 个请求/);
    await h.api.waitFor(() => h.api.sentTo(1003).filter((m) => m.text.includes('总结：')).length === 2, 20_000, 'both digests');
    // The chat was shown "typing" before its first answer came.
    const calls = h.api.calls.filter((c) => Number(c.body.chat_id) === 1003);
    const firstTyping = calls.findIndex((c) => c.method === 'sendChatAction' && c.body.action === 'typing');
    const firstAnswer = calls.findIndex((c) => c.method === 'editMessageText' && String(c.body.text).includes('总结：'));
    expect(firstTyping).toBeGreaterThanOrEqual(0);
    expect(firstTyping).toBeLessThan(firstAnswer);
  });

  it('takes a bare URL in a private chat', async () => {
    h.web.set('/page', { body: articlePage('一篇文章'), contentType: 'text/html' });
    await say(1001, h.web.url('/page'), /总结：/);
  });

  it('says clearly when a page has no article', async () => {
    h.web.set('/list', { body: `<html><body>${Array.from({ length: 60 }, (_, i) => `<p><a href="/n${i}">新闻标题第${i}条点击查看详情</a></p>`).join('')}</body></html>`, contentType: 'text/html' });
    await say(1001, `/summary ${h.web.url('/list')}`, /没有可以读取的文章正文/);
    expect(h.llm.requests).toHaveLength(0);
  });

  it('refuses a private address in words, without internals', async () => {
    const [reply] = (await say(1001, '/summary http://10.0.0.1/admin', /生成摘要失败/)).filter((m) => m.text.includes('生成摘要失败'));
    expect(reply!.text).toContain('不能访问这个地址（内网或本机地址）');
    expect(reply!.text).not.toMatch(/10\.0\.0\.1|FETCH_ALLOW_PRIVATE|public address/);
  });

  it('answers an English speaker in English, and /lang switches the chat for good', async () => {
    await say(1002, '/summary http://10.0.0.1/admin', /No digest: that address cannot be fetched/, { lang: 'en' });
    await say(1002, '/lang zh', /之后用中文回复/, { lang: 'en' });
    await say(1002, '/list', /还没有订阅/, { lang: 'en' });
  });
});

describe('the daily digest', () => {
  it('sends what arrived since the last digest at the chat’s time, once, and nothing on an empty day', async () => {
    h.clock.now = Date.parse('2026-11-25T07:00:00+08:00');
    publish(1);
    await say(2001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await say(2001, '/mode daily', /每日摘要/);
    await say(2001, '/time 8:00', /08:00（Asia\/Shanghai）/);
    await h.bot.settle();
    const before = h.api.sentTo(2001).length;

    publish(3, 2, 1);
    await nextPoll();
    expect(h.api.sentTo(2001).length).toBe(before); // daily mode: no instant push

    h.clock.now = Date.parse('2026-11-25T07:59:00+08:00');
    await h.bot.tick();
    await h.bot.settle();
    expect(h.api.sentTo(2001).length).toBe(before);

    h.clock.now = Date.parse('2026-11-25T08:00:30+08:00');
    await h.bot.tick();
    await h.bot.settle();
    const digest = h.api.sentTo(2001).slice(before);
    expect(digest).toHaveLength(1);
    expect(digest[0]!.text).toContain('每日摘要 2026-11-25');
    expect(digest[0]!.text).toContain('<b>科技日报</b>');
    expect(digest[0]!.text.match(new RegExp(GOOD_DIGEST.tldr, 'g'))).toHaveLength(2);

    h.clock.now += 5 * MIN;
    await h.bot.tick();
    h.clock.now = Date.parse('2026-11-26T09:00:00+08:00'); // the next day, nothing new
    await h.bot.tick();
    await h.bot.settle();
    expect(h.api.sentTo(2001).length).toBe(before + 1);
    await say(2001, '/digest', /自上次摘要以来没有新文章/);
  });

  it('sends a digest missed during downtime once, after the restart', async () => {
    h.clock.now = Date.parse('2026-11-25T07:00:00+08:00');
    publish(1);
    await say(2002, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await say(2002, '/mode both', /即时 \+ 每日/);
    publish(2, 1);
    await nextPoll();
    const before = h.api.sentTo(2002).length;
    await h.restart();
    h.clock.now = Date.parse('2026-11-25T11:00:00+08:00');
    await h.bot.tick();
    await h.bot.tick();
    await h.bot.settle();
    const after = h.api.sentTo(2002).slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]!.text).toContain('每日摘要');
  });
});

describe('secrets', () => {
  it('never writes the bot token or the API key to the logs', async () => {
    publish(1);
    await say(1001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    h.api.failNext(1001, { status: 500, description: `Internal error for ${TEST_TOKEN}` });
    await say(1001, '/list', /共 1 个订阅/);
    const all = h.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(TEST_TOKEN);
    expect(all).not.toContain(h.env.OPENAI_API_KEY);
  });
});
