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
    await h.api.waitFor(() => h!.api.sentTo(8001).some((m) => m.text.includes('总结:')), 10_000, 'the digest');
  });

  it('offers an OPML file sent without a caption for import', async () => {
    h = await startHarness();
    h.api.files.set('f1', Buffer.from('<opml version="2.0"><body><outline xmlUrl="https://x.example/feed"/></body></opml>'));
    await h.say(8003, '', /要导入这个文件里的订阅吗/, { document: { fileId: 'f1', name: 'feeds.opml' } });
  });

  it('takes a city or UTC±N as a time zone', async () => {
    h = await startHarness();
    await h.say(8004, '/tz 北京', /时区已设为 Asia\/Shanghai/);
    await h.say(8004, '/tz UTC+8', /时区已设为 Etc\/GMT-8/);
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
