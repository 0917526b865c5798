// What a Chinese reader types: links between full-width commas and ideographic stops, without a scheme, behind words in a forwarded post.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  for (const name of ['a', 'b', 'c']) h.web.set(`/${name}.xml`, { body: rss(`源${name}`, [{ title: '一', link: h.web.url(`/${name}/1`), guid: `${name}1`, description: '导语' }]) });
  h.web.set('/page', { body: articlePage('一篇文章'), contentType: 'text/html' });
});
afterEach(async () => {
  await h.close();
});

describe('links as people type them', () => {
  it('/sub takes URLs joined by a full-width comma, and one ending in an ideographic stop', async () => {
    await h.say(9101, `/sub ${h.web.url('/a.xml')}，${h.web.url('/b.xml')}`, /源b/);
    await h.bot.settle();
    await h.say(9101, `/sub ${h.web.url('/c.xml')}。`, /源c/);
    await h.bot.settle();
    expect((await h.bot.app.store.subscriptions.ofChat(9101)).length).toBe(3);
    expect(h.api.sentTo(9101).map((m) => m.text).join('\n')).not.toMatch(/404|失败/);
  });

  it('/sub takes a URL in Chinese quotes or brackets', async () => {
    await h.say(9102, `/sub “${h.web.url('/a.xml')}”（${h.web.url('/b.xml')}）`, /源b/);
    await h.bot.settle();
    expect((await h.bot.app.store.subscriptions.ofChat(9102)).length).toBe(2);
  });

  it('/summary and a bare link take an address without a scheme', async () => {
    const bare = h.web.url('/page').replace(/^http:\/\//, '');
    // No scheme: https first, then plain http (the fake speaks http only), as /sub does.
    await h.say(9103, `/summary ${bare}`, /总结：/);
    await h.say(9103, bare, /总结：/);
    await h.say(9103, `${h.web.url('/page')}。`, /总结：/); // a link alone, with a stop after it, is a /summary
  });

  it('answers /summary of a feed’s address with how to follow it, not a dead end', async () => {
    await h.say(9105, `/summary ${h.web.url('/a.xml')}`, /这是一个订阅源（源a），不是一篇文章。要订阅它的新文章，请发送：\n\/sub http/);
  });

  it('refuses what needs no network at once, without a “checking…” note first', async () => {
    const sub = await h.say(9106, '/sub not-a-url', /无法订阅 not-a-url：这不是一个有效的网址/);
    const summary = await h.say(9106, '/summary http://10.0.0.1/', /不能访问这个地址/);
    for (const m of [...sub, ...summary]) expect(m.edited).toBeFalsy(); // answered directly, not a progress note edited into the answer
    expect(h.api.sentTo(9106).map((m) => m.text).join('\n')).not.toMatch(/正在|⏳/);
  });

  it('offers a digest of a link behind words in a forwarded post (a text_link entity)', async () => {
    const text = '今日推荐：点这里阅读';
    h.api.message(9104, text, { entities: [{ type: 'text_link', offset: 5, length: 5, url: h.web.url('/page') }] });
    await h.api.waitFor(() => h.api.sentTo(9104).some((m) => /要为这个网址生成中文摘要吗/.test(m.text)), 10_000, 'the offer');
  });
});

describe('times and zones as people type them', () => {
  it('/tz UTC+8 answers UTC+8 (not IANA’s reversed Etc/GMT-8), and /settings shows it so', async () => {
    const [reply] = await h.say(9201, '/tz UTC+8', /时区已设为/);
    expect(reply!.text).toBe('时区已设为 UTC+8。');
    const settings = await h.say(9201, '/settings', /设置/);
    expect(settings.at(-1)!.text).toContain('UTC+8');
    expect(h.api.sentTo(9201).map((m) => m.text).join('\n')).not.toContain('Etc/GMT');
    await h.say(9201, '/tz 火星', /可以写城市.*UTC\+8/);
  });

  it('/time takes 9点, 晚上9点 and 21点半, and says what is wrong with 25:00', async () => {
    await h.say(9202, '/time 9点', /每日摘要时间已设为 09:00/);
    await h.say(9202, '/time 晚上9点', /每日摘要时间已设为 21:00/);
    await h.say(9202, '/time 21点半', /每日摘要时间已设为 21:30/);
    await h.say(9202, '/time 25:00', /没有“25:00”这个时间：小时是 0–23/);
    expect((await h.bot.app.store.chats.get(9202))!.digestTime).toBe('21:30');
  });
});

describe('groups', () => {
  it('greets a group it is added to with how to start, and refuses a member’s /digest in words about /digest', async () => {
    h.api.membership(-9301, 'member');
    await h.api.waitFor(() => h.api.sentTo(-9301).some((m) => /群管理员发送 \/sub/.test(m.text)), 10_000, 'the greeting');
    h.api.admins.set(-9301, new Set([42]));
    await h.say(-9301, '/digest', /只有管理员可以立即发送每日摘要/, { fromId: 77 });
  });
});
