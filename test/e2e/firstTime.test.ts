// What a first-time user meets: no silence, hints in their language, a link in a sentence offered for a digest, results only in channels.
import { afterEach, describe, expect, it } from 'vitest';
import { ARTICLE_TEXT, articlePage } from '../support/articles.js';
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

  it('changes the time zone and the language with /settings buttons, and says so when the choice was already made', async () => {
    h = await startHarness();
    const harness = h;
    const [settings] = (await harness.say(8005, '/settings', /⚙️ 设置/)).filter((m) => m.replyMarkup);
    const buttons = settings!.replyMarkup!.inline_keyboard!.flat();
    expect(buttons.find((b) => b.callback_data === 'set:tz:Asia/Shanghai')!.text).toBe('● 北京');
    const press = async (data: string) => {
      const before = harness.api.calls.length;
      harness.api.callback(8005, data);
      await harness.api.waitFor(() => harness.api.calls.slice(before).some((c) => c.method === 'answerCallbackQuery'));
      await harness.bot.settle();
      const calls = harness.api.calls.slice(before);
      return { toast: String(calls.find((c) => c.method === 'answerCallbackQuery')!.body.text), edits: calls.filter((c) => c.method === 'editMessageText').map((c) => String(c.body.text)) };
    };
    // The zone already chosen: said so, and no edit Telegram would refuse as "not modified".
    expect(await press('set:tz:Asia/Shanghai')).toEqual({ toast: '已经是这个设置了', edits: [] });
    const tokyo = await press('set:tz:Asia/Tokyo');
    expect(tokyo.toast).toBe('已保存');
    expect(tokyo.edits[0]).toContain('（Asia/Tokyo）');
    expect((await harness.bot.app.store.chats.get(8005))!.timezone).toBe('Asia/Tokyo');
    const english = await press('set:lang:en');
    expect(english.toast).toBe('Saved');
    expect(english.edits[0]).toMatch(/^⚙️ Settings\nDelivery: /);
    await harness.say(8005, '/list', /No feeds yet/);
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
  const follow = async (harness: Harness, chatId: number) => {
    harness.web.set('/feed.xml', { body: rss('源', [{ title: '旧', link: harness.web.url('/posts/0'), guid: '0' }]) });
    await harness.say(chatId, `/sub ${harness.web.url('/feed.xml')}`, /已订阅/);
    // Each article its own text: the same words under two URLs would share one digest (and one LLM call).
    for (const n of [1, 2]) harness.web.set(`/posts/${n}`, { body: articlePage(`第${n}篇`, `${ARTICLE_TEXT}\n第${n}篇的结尾。`), contentType: 'text/html' });
    harness.web.set('/feed.xml', { body: rss('源', [1, 2, 0].map((n) => ({ title: `第${n}篇`, link: harness.web.url(`/posts/${n}`), guid: String(n) }))) });
  };

  it('is told to the admins in their words once it has failed for a minute, shows in /list, and its recovery is noticed within seconds', async () => {
    h = await startHarness({ env: { ADMIN_IDS: '9999' } });
    const harness = h;
    await follow(harness, 8201);
    harness.llm.queue(...Array.from({ length: 200 }, () => ({ status: 503, error: 'upstream overloaded: shard 7 returned 503 Service Unavailable' })));
    await harness.nextPoll();
    // Failing for a moment is not an outage: nobody is alarmed yet.
    expect(harness.api.sentTo(9999)).toHaveLength(0);
    await harness.say(8201, '/list', /共 1 个订阅/);
    expect(harness.api.sentTo(8201).at(-1)!.text).not.toContain('不可用');

    harness.clock.now += 5 * 60_000; // the digests' retry comes, and fails again
    await harness.bot.tick();
    await harness.bot.settle();
    await harness.api.waitFor(() => harness.api.sentTo(9999).length > 0, 10_000, 'the outage alert');
    const alerts = harness.api.sentTo(9999);
    expect(alerts).toHaveLength(1); // two articles failed twice, one alert
    expect(alerts[0]!.text).toContain('服务器出错（5xx）');
    expect(alerts[0]!.text).toContain('(Asia/Shanghai)');
    expect(alerts[0]!.text).not.toMatch(/overloaded|Service Unavailable|The LLM/); // the provider's words go to the log, not to the admin
    await harness.say(8201, '/list', /摘要服务自 .* 起暂时不可用/);

    // It answers again: the probe notices at the next tick, long before the digests' own backoff would, and the articles go out digested.
    harness.llm.clearQueue();
    harness.clock.now += 10_000;
    await harness.bot.tick();
    await harness.bot.settle();
    await harness.api.waitFor(() => harness.api.sentTo(9999).some((m) => m.text.includes('已恢复')), 10_000, 'the recovery notice');
    await harness.api.waitFor(() => harness.api.sentTo(8201).filter((m) => m.text.includes('/posts/')).length === 2, 10_000, 'both articles');
    expect(harness.api.sentTo(8201).filter((m) => m.text.includes('/posts/')).every((m) => !m.text.includes('未生成摘要'))).toBe(true);
    const list = await harness.say(8201, '/list', /共 1 个订阅/);
    expect(list.map((m) => m.text).join('\n')).not.toContain('不可用');
  });

  it('does not alarm for one failed call among answers, and speaks English to an English admin', async () => {
    h = await startHarness({ env: { ADMIN_IDS: '9998' } });
    const harness = h;
    await harness.say(9998, '/lang en', /English/);
    await follow(harness, 8202);
    harness.llm.queue(...Array.from({ length: 4 }, () => ({ status: 500, error: 'boom' }))); // one article's call and its SDK retries
    await harness.nextPoll();
    harness.clock.now += 5 * 60_000;
    await harness.bot.tick();
    await harness.bot.settle();
    await harness.api.waitFor(() => harness.api.sentTo(8202).filter((m) => m.text.includes('/posts/')).length === 2, 10_000, 'both articles');
    expect(harness.api.sentTo(9998).filter((m) => /LLM/.test(m.text))).toHaveLength(0);

    harness.llm.queue(...Array.from({ length: 200 }, () => ({ status: 401, error: 'invalid api key sk-…' })));
    harness.web.set('/posts/3', { body: articlePage('第3篇', `${ARTICLE_TEXT}\n第3篇的结尾。`), contentType: 'text/html' });
    harness.web.set('/feed.xml', { body: rss('源', [3, 1, 2, 0].map((n) => ({ title: `第${n}篇`, link: harness.web.url(`/posts/${n}`), guid: String(n) }))) });
    await harness.nextPoll();
    harness.clock.now += 5 * 60_000;
    await harness.bot.tick();
    await harness.bot.settle();
    await harness.api.waitFor(() => harness.api.sentTo(9998).some((m) => /LLM/.test(m.text)), 10_000, 'the outage alert');
    expect(harness.api.sentTo(9998).find((m) => /LLM/.test(m.text))!.text).toMatch(/The LLM has been failing since .* \(Asia\/Shanghai\): it refuses the key: check OPENAI_API_KEY/);
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
