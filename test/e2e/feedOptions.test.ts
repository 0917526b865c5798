// End to end through the test Bot API: each feed the reader's own — its delivery, title, link preview, forum topic, filters and /tags.
import { afterEach, describe, expect, it } from 'vitest';
import { ARTICLE_TEXT, articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';
import { digestWords, GOOD_DIGEST } from '../support/openaiServer.js';

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Post {
  n: number;
  title?: string;
  digest?: Partial<typeof GOOD_DIGEST>;
}

/** Feed `name` now lists these posts (newest first), each post's page served, and the LLM answers their digests in order. */
function publish(harness: Harness, name: string, posts: Post[]) {
  // Each page its own text: a digest is cached by the text it was made from.
  for (const p of posts) harness.web.set(`/${name}/${p.n}`, { body: articlePage(p.title ?? `${name} 第${p.n}篇`, `${ARTICLE_TEXT}\n本文编号 ${name}-${p.n}。`), contentType: 'text/html' });
  harness.web.set(`/${name}.xml`, {
    body: rss(`源 ${name}`, posts.map((p) => ({ title: p.title ?? `${name} 第${p.n}篇`, link: harness.web.url(`/${name}/${p.n}`), guid: `${name}-${p.n}` }))),
    etag: `"${name}-${posts.map((p) => p.n).join('-')}"`,
  });
}

/** One new post in feed `name` (on top of `before`), its digest as given; polled and delivered. */
async function arrive(harness: Harness, name: string, post: Post, before: Post[]) {
  harness.llm.queue({ content: JSON.stringify({ ...GOOD_DIGEST, ...digestWords(`${name}-${post.n}`), ...post.digest }) });
  publish(harness, name, [post, ...before]);
  await harness.nextPoll();
}

const pushes = (harness: Harness, chatId: number, name: string) => harness.api.sentTo(chatId).filter((m) => m.text.includes(harness.web.url(`/${name}/`)));

describe('per-feed options', () => {
  it('renames a feed, shows its preview, mutes another, and says so in /list', async () => {
    h = await startHarness();
    publish(h, 'a', [{ n: 1 }]);
    publish(h, 'b', [{ n: 1 }]);
    await h.say(501, `/sub ${h.web.url('/a.xml')} ${h.web.url('/b.xml')}`, /已订阅[\s\S]*已订阅/);
    await h.bot.settle();

    await h.say(501, '/set 1 title 我的 <源> & 新闻', /已更新/);
    await h.say(501, '/set 1 preview on', /链接预览：开/);
    await h.say(501, '/set 2 mode muted', /推送方式：静音/);
    await h.say(501, '/set 2 mode loud', /没有“loud”这种推送方式/);
    await h.say(501, `/set 1 title ${'长'.repeat(65)}`, /标题最多 64 个字/);

    await arrive(h, 'a', { n: 2 }, [{ n: 1 }]);
    await arrive(h, 'b', { n: 2 }, [{ n: 1 }]);
    const a = pushes(h, 501, 'a');
    expect(a).toHaveLength(1);
    expect(a[0]!.text).toContain('<i>我的 &lt;源&gt; &amp; 新闻</i>'); // the own title, escaped, where the feed's name was
    expect(a[0]!.text).not.toContain('源 a');
    expect(a[0]!.preview).toEqual({ url: h.web.url('/a/2'), prefer_large_media: true, show_above_text: true });
    expect(pushes(h, 501, 'b')).toHaveLength(0); // muted: kept, nothing sent

    const list = await h.say(501, '/list', /点编号设置单个订阅/);
    const text = list.map((m) => m.text).join('\n');
    expect(text).toContain('我的 &lt;源&gt; &amp; 新闻');
    expect(text).toMatch(/⚙️ 原标题：源 a · 链接预览：开/);
    expect(text).toMatch(/⚙️ 静音/);
    const picker = list.at(-1)!;
    expect(picker.replyMarkup!.inline_keyboard![0]!.map((b) => b.text)).toEqual(['1', '2']);

    // The button opens the options in place; a mode button changes it; the feed's push stops being instant.
    const [, feedB] = picker.replyMarkup!.inline_keyboard![0]!.map((b) => b.callback_data);
    h.api.callback(501, `${feedB}:m:chat`);
    await h.api.waitFor(() => h!.api.calls.some((c) => c.method === 'editMessageText' && String(c.body.text).includes('跟随对话（即时推送）')), 5000, 'the panel edited');
    await arrive(h, 'b', { n: 3 }, [{ n: 2 }, { n: 1 }]);
    expect(pushes(h, 501, 'b')).toHaveLength(1);
    // A push without its preview asked for shows none (off by default).
    expect(pushes(h, 501, 'b')[0]!.preview).toEqual({ is_disabled: true });
  });

  it('sends a feed set to daily in the daily digest of a chat in instant mode, at the chat’s time', async () => {
    h = await startHarness();
    h.clock.now = Date.parse('2026-11-25T07:00:00+08:00');
    publish(h, 'a', [{ n: 1 }]);
    publish(h, 'b', [{ n: 1 }]);
    await h.say(502, `/sub ${h.web.url('/a.xml')} ${h.web.url('/b.xml')}`, /已订阅[\s\S]*已订阅/);
    await h.bot.settle();
    await h.say(502, '/time 8:00', /08:00/);
    await h.say(502, '/set 2 mode daily', /推送方式：每日摘要/);
    await arrive(h, 'a', { n: 2 }, [{ n: 1 }]);
    await arrive(h, 'b', { n: 2, digest: { title: '每日源的文章标题', tldr: '这是每日源这篇文章的一句话概括。' } }, [{ n: 1 }]);
    expect(pushes(h, 502, 'a')).toHaveLength(1);
    expect(pushes(h, 502, 'b')).toHaveLength(0);
    h.clock.now = Date.parse('2026-11-25T08:00:30+08:00');
    await h.bot.tick();
    await h.bot.settle();
    const digest = h.api.sentTo(502).filter((m) => m.text.includes('每日摘要 2026-11-25'));
    expect(digest).toHaveLength(1);
    expect(digest[0]!.text).toContain('每日源的文章标题');
    expect(digest[0]!.text).not.toContain(h.web.url('/a/2')); // the instant feed is not repeated there
  });
});

describe('filters', () => {
  it('keeps and drops by words typed in Traditional or full-width, matches an English article by a Chinese word, and counts what it dropped', async () => {
    h = await startHarness();
    publish(h, 'en', [{ n: 1, title: 'Old news' }]);
    await h.say(503, `/sub ${h.web.url('/en.xml')}`, /已订阅/);
    await h.bot.settle();
    // Traditional 晶片/芯片 aside: 軟體 folds to 软件, ＡＩ to ai, 廣告 to 广告.
    const reply = await h.say(503, '/filter 1 +軟體 +ＡＩ -廣告', /过滤已设为/);
    expect(reply.at(-1)!.text).toContain('+軟體 +AI -廣告');

    // An English article whose digest speaks of 软件: kept.
    await arrive(h, 'en', { n: 2, title: 'A new compiler ships', digest: { title: '新编译器发布', summary: '这是一段中文摘要，介绍了一款新的开发软件如何提升编译速度，篇幅适中，只包含文章里出现的事实。', tags: ['编译器', '开发工具', '开源'] } }, [{ n: 1, title: 'Old news' }]);
    // Neither 软件 nor AI anywhere: dropped.
    await arrive(h, 'en', { n: 3, title: 'Weather report', digest: { title: '天气预报', summary: '这是一段中文摘要，说明明天的天气将会转晴，气温回升，篇幅适中，只包含文章里出现的事实，不做推测。', tags: ['天气', '预报', '城市'] } }, [{ n: 2 }, { n: 1 }]);
    // AI, but an 广告 (an ad): dropped.
    await arrive(h, 'en', { n: 4, title: 'Sponsored: AI gadget', digest: { title: 'AI 小工具广告', summary: '这是一段中文摘要，是一则推广 AI 小工具的广告，篇幅适中，只包含文章里出现的事实，不做额外推测。', tags: ['广告', 'AI', '硬件'] } }, [{ n: 3 }, { n: 2 }, { n: 1 }]);
    // "ai" case-folded inside an English title: kept.
    await arrive(h, 'en', { n: 5, title: 'OpenAI and the ai race', digest: { title: '人工智能竞赛', summary: '这是一段中文摘要，讲述几家公司之间的竞争与合作，篇幅适中，只包含文章里出现的事实，不做推测。', tags: ['竞争', '公司', '行业'] } }, [{ n: 4 }, { n: 3 }, { n: 2 }, { n: 1 }]);

    const got = pushes(h, 503, 'en').map((m) => m.text);
    expect(got.some((t) => t.includes(h!.web.url('/en/2')))).toBe(true);
    expect(got.some((t) => t.includes(h!.web.url('/en/3')))).toBe(false);
    expect(got.some((t) => t.includes(h!.web.url('/en/4')))).toBe(false);
    expect(got.some((t) => t.includes(h!.web.url('/en/5')))).toBe(true);
    const list = (await h.say(503, '/list', /点编号/)).map((m) => m.text).join('\n');
    expect(list).toContain('🔍 过滤：+軟體 +AI -廣告（7 天内滤掉 2 篇）');
  });

  it('filters by tag on all feeds, from /tags buttons, for pushes and the daily digest alike', async () => {
    h = await startHarness();
    h.clock.now = Date.parse('2026-11-25T07:00:00+08:00');
    publish(h, 'a', [{ n: 1 }]);
    publish(h, 'b', [{ n: 1 }]);
    await h.say(504, `/sub ${h.web.url('/a.xml')} ${h.web.url('/b.xml')}`, /已订阅[\s\S]*已订阅/);
    await h.bot.settle();
    await h.say(504, '/set 2 mode daily', /每日摘要/);
    await h.say(504, '/time 8:00', /08:00/);
    await arrive(h, 'a', { n: 2, digest: { tags: ['芯片', '半导体', '制造'] } }, [{ n: 1 }]);
    const tags = await h.say(504, '/tags', /最近 7 天文章的标签/);
    expect(tags.at(-1)!.text).toContain('#芯片 1');
    const minus = tags.at(-1)!.replyMarkup!.inline_keyboard!.flat().find((b) => b.text === '➖ 芯片')!;
    h.api.callback(504, minus.callback_data);
    await h.api.waitFor(() => h!.api.calls.some((c) => c.method === 'answerCallbackQuery' && String(c.body.text).includes('已加入全部订阅的过滤：-#芯片')), 5000, 'the toast');

    await arrive(h, 'a', { n: 3, digest: { tags: ['芯片', '市场', '公司'] } }, [{ n: 2 }, { n: 1 }]); // dropped
    await arrive(h, 'a', { n: 4, digest: { tags: ['芯片组', '主板', '硬件'] } }, [{ n: 3 }, { n: 2 }, { n: 1 }]); // a tag is whole: 芯片组 is not 芯片
    await arrive(h, 'b', { n: 2, digest: { title: '每日源芯片文章', tags: ['芯片', '设计', '研究'] } }, [{ n: 1 }]); // dropped from the digest
    await arrive(h, 'b', { n: 3, digest: { title: '每日源另一篇文章', tags: ['软件', '设计', '研究'] } }, [{ n: 2 }, { n: 1 }]);
    const a = pushes(h, 504, 'a').map((m) => m.text);
    expect(a.filter((t) => t.includes(h!.web.url('/a/3')))).toHaveLength(0);
    expect(a.filter((t) => t.includes(h!.web.url('/a/4')))).toHaveLength(1);
    h.clock.now = Date.parse('2026-11-25T08:00:30+08:00');
    await h.bot.tick();
    await h.bot.settle();
    const digest = h.api.sentTo(504).filter((m) => m.text.includes('每日摘要 2026-11-25'));
    expect(digest).toHaveLength(1);
    expect(digest[0]!.text).toContain('每日源另一篇文章');
    expect(digest[0]!.text).not.toContain('每日源芯片文章');
    await h.say(504, '/filter all', /全部订阅 的过滤：-#芯片/);
    await h.say(504, '/filter all clear', /已清除 全部订阅 的过滤/);
  });

  it('states its limits with a clear reply and keeps what was usable', async () => {
    h = await startHarness();
    publish(h, 'a', [{ n: 1 }]);
    await h.say(505, `/sub ${h.web.url('/a.xml')}`, /已订阅/);
    await h.bot.settle();
    const many = Array.from({ length: 22 }, (_, i) => `+词${i}`).join(' ');
    const r1 = await h.say(505, `/filter 1 ${many}`, /过滤已设为/);
    expect(r1.at(-1)!.text).toContain('一个过滤最多 20 个词');
    const r2 = await h.say(505, `/filter 1 +x -${'长'.repeat(31)} +AI`, /过滤已设为/);
    expect(r2.at(-1)!.text).toContain('“+x”太短');
    expect(r2.at(-1)!.text).toContain('太长：每个词最多 30 个字');
    expect(r2.at(-1)!.text).toMatch(/过滤已设为：\+AI\n/);
    await h.say(505, '/filter 1 +x', /太短[\s\S]*用法/);
    await h.say(505, '/filter 9 +AI', /没有找到订阅：9/);
  });
});

describe('OPML', () => {
  it('keeps each feed’s options and filter through an export and an import into another chat', async () => {
    h = await startHarness();
    publish(h, 'a', [{ n: 1 }]);
    publish(h, 'b', [{ n: 1 }]);
    await h.say(506, `/sub ${h.web.url('/a.xml')} ${h.web.url('/b.xml')}`, /已订阅[\s\S]*已订阅/);
    await h.bot.settle();
    await h.say(506, '/set 1 title "引号" & <尖括号>', /已更新/);
    await h.say(506, '/set 1 mode daily', /每日摘要/);
    await h.say(506, '/set 2 preview on', /链接预览：开/);
    await h.say(506, '/filter 2 +AI -"广告 推广"', /过滤已设为/);
    h.api.message(506, '/export');
    await h.api.waitFor(() => h!.api.sentTo(506).some((m) => m.filename === 'feeds.opml'), 10_000, 'the export');
    const opml = h.api.sentTo(506).find((m) => m.filename === 'feeds.opml')!.text;
    expect(opml).toContain('xmlns:fdb="https://feed-digest-bot.dev/opml"');
    expect(opml).toContain('fdb:title="&quot;引号&quot; &amp; &lt;尖括号&gt;"');
    expect(opml).toContain('fdb:mode="daily"');
    expect(opml).toContain('fdb:preview="on"');

    h.api.files.set('opts', Buffer.from(opml));
    await h.say(507, '/import', /导入完成：新增 2 个/, { document: { fileId: 'opts', name: 'feeds.opml' } });
    const [a, b] = await h.bot.app.store.subscriptions.ofChat(507);
    expect(a).toMatchObject({ mode: 'daily', title: '"引号" & <尖括号>', preview: false });
    expect(b).toMatchObject({ mode: 'chat', preview: true });
    const filters = await h.bot.app.store.filters.ofChat(507);
    expect(filters.get(b!.feedId)!.map((t) => `${t.sign}${t.term}`)).toEqual(['+AI', '-广告 推广']);
  });
});

describe('forum topics', () => {
  it('delivers a feed subscribed inside a topic to that topic, lists it first there, and falls back to General once the topic is deleted', async () => {
    h = await startHarness();
    publish(h, 'a', [{ n: 1 }]);
    publish(h, 'b', [{ n: 1 }]);
    h.api.admins.set(-1007, new Set([42]));
    await h.say(-1007, `/sub ${h.web.url('/a.xml')}`, /已订阅/);
    await h.bot.settle();
    const reply = await h.say(-1007, `/sub ${h.web.url('/b.xml')}`, /已订阅/, { threadId: 77 });
    expect(reply.at(-1)!.threadId).toBe(77); // answered in the topic
    await h.bot.settle();
    await arrive(h, 'b', { n: 2 }, [{ n: 1 }]);
    await arrive(h, 'a', { n: 2 }, [{ n: 1 }]);
    expect(pushes(h, -1007, 'b')[0]!.threadId).toBe(77);
    expect(pushes(h, -1007, 'a')[0]!.threadId).toBeUndefined();

    const list = (await h.say(-1007, '/list', /点编号/, { threadId: 77 })).map((m) => m.text).join('\n');
    expect(list.indexOf('源 b')).toBeLessThan(list.indexOf('源 a'));
    expect(list).toContain('2. <b>');
    expect(list).toContain('话题：#77');

    h.api.deleteTopic(-1007, 77);
    await arrive(h, 'b', { n: 3 }, [{ n: 2 }, { n: 1 }]);
    await arrive(h, 'b', { n: 4 }, [{ n: 3 }, { n: 2 }, { n: 1 }]);
    const b = pushes(h, -1007, 'b');
    expect(b.map((m) => m.threadId)).toEqual([77, undefined, undefined]); // nothing lost, sent to General
    const notes = h.api.sentTo(-1007).filter((m) => m.text.includes('话题已被删除或关闭'));
    expect(notes).toHaveLength(1);
    // The dead topic was tried once, not again for the next article.
    expect(h.api.calls.filter((c) => c.method === 'sendMessage' && Number(c.body.message_thread_id) === 77 && String(c.body.text).includes('/b/')).length).toBe(2);
    expect((await h.bot.app.store.subscriptions.ofChat(-1007)).every((s) => s.threadId === undefined)).toBe(true);
  }, 60_000);
});

describe('forum topics and the daily digest', () => {
  it('sends a forum group’s daily digest to each topic with that topic’s feeds, and the main thread’s to the main thread', async () => {
    h = await startHarness();
    h.clock.now = Date.parse('2026-11-25T07:00:00+08:00');
    publish(h, 'a', [{ n: 1 }]);
    publish(h, 'b', [{ n: 1 }]);
    h.api.admins.set(-1008, new Set([42]));
    await h.say(-1008, `/sub ${h.web.url('/a.xml')}`, /已订阅/);
    await h.bot.settle();
    await h.say(-1008, `/sub ${h.web.url('/b.xml')}`, /已订阅/, { threadId: 55 });
    await h.bot.settle();
    await h.say(-1008, '/mode daily', /每日摘要/);
    await h.say(-1008, '/time 8:00', /08:00/);
    await arrive(h, 'a', { n: 2, digest: { title: '主话题的文章' } }, [{ n: 1 }]);
    await arrive(h, 'b', { n: 2, digest: { title: '话题五十五的文章' } }, [{ n: 1 }]);
    h.clock.now = Date.parse('2026-11-25T08:00:30+08:00');
    await h.bot.tick();
    await h.bot.settle();
    const digests = h.api.sentTo(-1008).filter((m) => m.text.includes('每日摘要 2026-11-25'));
    expect(digests).toHaveLength(2);
    const main = digests.find((m) => m.threadId === undefined)!;
    const topic = digests.find((m) => m.threadId === 55)!;
    expect(main.text).toContain('主话题的文章');
    expect(main.text).not.toContain('话题五十五的文章');
    expect(topic.text).toContain('话题五十五的文章');
    expect(topic.text).not.toContain('主话题的文章');
  }, 40_000);
});

describe('channels run from a private chat', () => {
  it('lets a channel’s administrator follow, list, set and filter its feeds from a private chat, and posts nothing but digests there', async () => {
    h = await startHarness();
    const channel = -1001234567890;
    h.api.channel(channel, 'mychan', '我的频道', { admins: [777], botPosts: true });
    h.api.channel(-1009876543210, 'nopost', '不能发', { admins: [777], botPosts: false });
    publish(h, 'a', [{ n: 1 }]);

    const sub = await h.say(777, `/sub @mychan ${h.web.url('/a.xml')}`, /已订阅/);
    expect(sub.at(-1)!.text).toMatch(/^📢 我的频道：\n/);
    await h.bot.settle();
    expect(await h.bot.app.store.subscriptions.ofChat(channel)).toHaveLength(1);
    expect(await h.bot.app.store.subscriptions.ofChat(777)).toHaveLength(0);
    await h.say(777, '/list @mychan', /共 1 个订阅/);
    await h.say(777, '/set @mychan 1 title 频道版', /已更新/);
    await h.say(777, `/filter ${channel} 1 -广告`, /过滤已设为：-广告/);

    // The settings buttons under the answer act on the channel.
    const settings = await h.say(777, '/settings @mychan', /设置/);
    const daily = settings.at(-1)!.replyMarkup!.inline_keyboard!.flat().find((b) => b.callback_data.startsWith('set:mode:both'))!;
    expect(daily.callback_data).toBe(`set:mode:both@${channel}`);
    h.api.callback(777, daily.callback_data, { fromId: 777 });
    for (let i = 0; i < 100 && (await h.bot.app.store.chats.get(channel))!.mode !== 'both'; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await h.bot.app.store.chats.get(channel))!.mode).toBe('both');
    expect((await h.bot.app.store.chats.get(777))!.mode).toBe('instant');

    await arrive(h, 'a', { n: 2 }, [{ n: 1 }]);
    const posted = h.api.sentTo(channel);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toContain(h.web.url('/a/2'));
    expect(posted[0]!.text).toContain('<i>频道版</i>');

    // Someone who is not its administrator; a channel the bot cannot post in; an administrator no longer.
    await h.say(888, `/sub @mychan ${h.web.url('/a.xml')}`, /只有 我的频道 的管理员可以管理/);
    await h.say(777, `/sub @nopost ${h.web.url('/a.xml')}`, /机器人还不能在 不能发 发消息/);
    await h.say(777, `/sub @nosuchchan ${h.web.url('/a.xml')}`, /找不到 @nosuchchan/);
    expect(await h.bot.app.store.subscriptions.ofChat(-1009876543210)).toHaveLength(0);
    const channels = await h.say(777, '/channels', /你管理、机器人可以发消息的频道/);
    expect(channels.at(-1)!.text).toContain('我的频道');
    expect(channels.at(-1)!.text).not.toContain('不能发');
    h.api.admins.get(channel)!.delete(777);
    await h.say(777, '/unsub @mychan 1', /只有 我的频道 的管理员可以管理/);
    expect(await h.bot.app.store.subscriptions.ofChat(channel)).toHaveLength(1);
    expect(h.api.sentTo(channel)).toHaveLength(1); // nothing but the digest was ever posted there
  }, 60_000);

  it('exports a channel’s feeds to the private chat and imports a file into the channel', async () => {
    h = await startHarness();
    const channel = -1001111111111;
    h.api.channel(channel, 'otherchan', '另一个频道', { admins: [778], botPosts: true });
    publish(h, 'a', [{ n: 1 }]);
    publish(h, 'b', [{ n: 1 }]);
    await h.say(778, `/sub @otherchan ${h.web.url('/a.xml')}`, /已订阅/);
    await h.bot.settle();
    await h.say(778, '/filter @otherchan 1 -广告', /过滤已设为/);
    h.api.message(778, '/export @otherchan');
    await h.api.waitFor(() => h!.api.sentTo(778).some((m) => m.filename === 'feeds.opml'), 10_000, 'the export');
    const opml = h.api.sentTo(778).find((m) => m.filename === 'feeds.opml')!.text;
    expect(opml).toContain(h.web.url('/a.xml'));
    expect(opml).toContain('fdb:filter="-广告"');
    h.api.files.set('chanfile', Buffer.from(opml.replace('</body>', `<outline type="rss" text="b" xmlUrl="${h.web.url('/b.xml')}" fdb:mode="daily"/></body>`)));
    await h.say(778, '/import @otherchan', /导入完成：新增 1 个，已订阅 1 个/, { document: { fileId: 'chanfile', name: 'feeds.opml' } });
    const subs = await h.bot.app.store.subscriptions.ofChat(channel);
    expect(subs.map((x) => x.mode)).toEqual(['chat', 'daily']);
    expect(await h.bot.app.store.subscriptions.ofChat(778)).toHaveLength(0);
    expect(h.api.sentTo(channel)).toHaveLength(0); // replies and files went to the private chat
  }, 40_000);
});
