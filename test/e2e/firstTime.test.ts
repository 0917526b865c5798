// What a first-time user meets: no silence, hints in their language, a link in a sentence offered for a digest, results only in channels.
import { afterEach, describe, expect, it } from 'vitest';
import { articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a private chat', () => {
  it('answers plain text, unknown commands and a link inside a sentence', async () => {
    h = await startHarness();
    await h.say(8001, '你好', /发送一个网址即可生成摘要/);
    await h.say(8001, '/foo', /没有这个命令/);
    await h.say(8002, 'hello', /Send a link for its digest/, { lang: 'en' });
    h.web.set('/page', { body: articlePage('一篇文章'), contentType: 'text/html' });
    const [offer] = (await h.say(8001, `看看这个 ${h.web.url('/page')} 怎么样`, /要为这个网址生成中文摘要吗/)).filter((m) => m.replyMarkup);
    const button = offer!.replyMarkup!.inline_keyboard![0]![0]!;
    h.api.callback(8001, button.callback_data);
    await h.api.waitFor(() => h!.api.sentTo(8001).some((m) => m.text.includes('总结：')), 10_000, 'the digest');
  });

  it('offers an OPML file sent without a caption for import', async () => {
    h = await startHarness();
    h.api.files.set('f1', Buffer.from('<opml version="2.0"><body><outline xmlUrl="https://x.example/feed"/></body></opml>'));
    await h.say(8003, '', /要导入这个文件里的订阅吗/, { document: { fileId: 'f1', name: 'feeds.opml' } });
  });

  it('takes a city or UTC±N as a time zone', async () => {
    h = await startHarness();
    await h.say(8004, '/tz 北京', /时区已设为 Asia\/Shanghai/);
    await h.say(8004, '/tz UTC+8', /时区已设为 UTC\+8。/);
    await h.say(8004, '/tz 火星', /不认识的时区/);
  });
});

describe('a channel', () => {
  it('gets results only: no progress message, a one-line help', async () => {
    h = await startHarness();
    const channel = -1008888;
    h.web.set('/feed.xml', { body: rss('频道源', [{ title: '一', link: h.web.url('/posts/1'), guid: '1' }]) });
    await h.say(channel, `/sub ${h.web.url('/feed.xml')}`, /已订阅/, { chatType: 'channel' });
    expect(h.api.sentTo(channel).some((m) => m.text.includes('正在检查'))).toBe(false);
    const help = await h.say(channel, '/help', /在频道里发送/, { chatType: 'channel' });
    expect(help.at(-1)!.text.split('\n')).toHaveLength(1);
  });
});

describe('an article whose page cannot be read', () => {
  it('goes out at once: digested from the feed’s own text when there is enough, else marked — never held as an LLM failure', async () => {
    h = await startHarness();
    const harness = h;
    harness.web.set('/feed.xml', { body: rss('源', [{ title: '旧', link: harness.web.url('/posts/0'), guid: '0' }]) });
    await harness.say(8101, `/sub ${harness.web.url('/feed.xml')}`, /已订阅/);
    const enough = '研究人员在周二公布了新的芯片设计，能效比上一代提高了百分之三十，预计明年量产。该团队表示这项成果来自三年的持续投入……阅读全文';
    harness.web.set('/feed.xml', {
      body: rss('源', [
        { title: '有导语', link: harness.web.url('/gone/1'), guid: '1', description: enough },
        { title: '只有标题', link: harness.web.url('/gone/2'), guid: '2', description: '短' },
        { title: '旧', link: harness.web.url('/posts/0'), guid: '0' },
      ]),
    });
    await harness.nextPoll(); // both pages answer 404
    expect(await harness.bot.app.store.articles.pendingCount()).toBe(0);
    expect(harness.llm.requests).toHaveLength(1);
    expect(harness.llm.requests[0]!.messages[1]!.content).toContain('能效比上一代提高了百分之三十');
    const pushes = harness.api.sentTo(8101).filter((m) => m.text.includes('/gone/'));
    expect(pushes).toHaveLength(2);
    expect(pushes.find((m) => m.text.includes('/gone/2'))!.text).toContain('无法读取正文');
  });
});

describe('the LLM being down', () => {
  it('shows in /list and is told to the admins once, and its recovery too', async () => {
    h = await startHarness({ env: { ADMIN_IDS: '9999' } });
    const harness = h;
    harness.web.set('/feed.xml', { body: rss('源', [{ title: '旧', link: harness.web.url('/posts/0'), guid: '0' }]) });
    await harness.say(8201, `/sub ${harness.web.url('/feed.xml')}`, /已订阅/);
    for (const n of [1, 2]) harness.web.set(`/posts/${n}`, { body: articlePage(`第${n}篇`), contentType: 'text/html' });
    harness.web.set('/feed.xml', { body: rss('源', [1, 2, 0].map((n) => ({ title: `第${n}篇`, link: harness.web.url(`/posts/${n}`), guid: String(n) }))) });
    for (let i = 0; i < 12; i++) harness.llm.queue({ status: 503, error: 'overloaded' });
    await harness.nextPoll();
    await harness.say(8201, '/list', /摘要服务自 .* 起暂时不可用/);
    expect(harness.api.sentTo(9999).filter((m) => m.text.includes('不可用'))).toHaveLength(1); // two articles failed, one notice
    harness.clock.now += 60 * 60_000;
    await harness.bot.tick();
    await harness.bot.settle();
    await harness.api.waitFor(() => harness.api.sentTo(9999).some((m) => m.text.includes('已恢复')), 10_000, 'the recovery notice');
    const list = await harness.say(8201, '/list', /共 1 个订阅/);
    expect(list.map((m) => m.text).join('\n')).not.toContain('不可用');
  });
});

describe('URLs as people type them', () => {
  it('finds a feed a site serves at a common path without advertising it, and takes a feed with tracking parameters as the same feed', async () => {
    h = await startHarness();
    const harness = h;
    harness.web.set('/', { body: '<!doctype html><html><head><title>首页</title></head><body>没有声明订阅源</body></html>', contentType: 'text/html' });
    harness.web.set('/feed', { body: rss('科技早报', [{ title: '一', link: harness.web.url('/posts/1'), guid: '1' }]) });
    const site = harness.web.url('/');
    const replies = await harness.say(8301, `/sub ${site}`, /已订阅|无法订阅/);
    expect(replies.map((m) => m.text).join('\n')).toMatch(/已订阅 <b>科技早报<\/b>/);
    const again = await harness.say(8302, `/sub ${harness.web.url('/feed/')}?utm_source=x`, /已订阅|无法订阅/);
    expect(again.map((m) => m.text).join('\n')).toMatch(/已订阅 <b>科技早报<\/b>/);
    expect(await harness.bot.app.store.feeds.count()).toBe(1); // one feed, two subscribers
  });

  it('tries plain http when a URL typed without a scheme gets no https answer', async () => {
    h = await startHarness();
    const harness = h;
    harness.web.set('/plain.xml', { body: rss('只有 http', [{ title: '一', link: harness.web.url('/posts/1'), guid: '1' }]) });
    const withoutScheme = harness.web.url('/plain.xml').replace(/^http:\/\//, '');
    await harness.say(8303, `/sub ${withoutScheme}`, /已订阅 <b>只有 http<\/b>/);
  });
});
