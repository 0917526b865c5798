// End to end, when Telegram pushes back: blocked chats, migrated groups, 429s, refused HTML, long lists, group admins, OPML, webhooks.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';

const MIN = 60_000;
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function publish(harness: Harness, ...ns: number[]) {
  for (const n of ns) harness.web.set(`/posts/${n}`, { body: articlePage(`第${n}篇`), contentType: 'text/html' });
  harness.web.set('/feed.xml', {
    body: rss('频道', ns.map((n) => ({ title: `第${n}篇 <script>&"`, link: harness.web.url(`/posts/${n}`), guid: `p${n}` }))),
    etag: `"${ns.join('-')}"`,
  });
}

const say = (harness: Harness, ...args: Parameters<Harness['say']>) => harness.say(...args);
const nextPoll = (harness: Harness) => harness.nextPoll();

describe('Telegram refusing', () => {
  it('marks a chat that blocked the bot inactive, skips it, and wakes it when it speaks again', async () => {
    h = await startHarness();
    publish(h, 1);
    await say(h, 3001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await h.bot.settle();
    h.api.block(3001);
    publish(h, 2, 1);
    await nextPoll(h);
    expect((await h.bot.app.store.chats.get(3001))!.active).toBe(false);
    expect((await h.bot.app.store.chats.get(3001))!.inactiveReason).toMatch(/blocked/);
    const calls = h.api.calls.filter((c) => c.method === 'sendMessage').length;
    publish(h, 3, 2, 1);
    await nextPoll(h);
    expect(h.api.calls.filter((c) => c.method === 'sendMessage').length).toBe(calls); // nothing tried for an inactive chat
    expect(await h.bot.app.store.subscriptions.ofChat(3001)).toHaveLength(1); // the subscription is kept
    h.api.unblock(3001);
    await say(h, 3001, '/list', /共 1 个订阅/);
    expect((await h.bot.app.store.chats.get(3001))!.active).toBe(true);
    publish(h, 4, 3, 2, 1);
    await nextPoll(h);
    expect(h.api.sentTo(3001).at(-1)!.text).toContain(h.web.url('/posts/4'));
  });

  it('stops sending to a group that removed the bot, at once', async () => {
    h = await startHarness();
    publish(h, 1);
    h.api.admins.set(-300, new Set([42]));
    await say(h, -300, `/sub ${h.web.url('/feed.xml')}`, /已订阅/, { chatType: 'supergroup' });
    await h.bot.settle();
    h.api.membership(-300, 'kicked');
    for (let i = 0; i < 100 && (await h.bot.app.store.chats.get(-300))!.active; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await h.bot.app.store.chats.get(-300))!.active).toBe(false);
    const calls = h.api.calls.filter((c) => c.method === 'sendMessage').length;
    publish(h, 2, 1);
    await nextPoll(h);
    expect(h.api.calls.filter((c) => c.method === 'sendMessage').length).toBe(calls);
  });

  it('moves a migrated group to its new id, delivers there, and keeps it there', async () => {
    h = await startHarness();
    publish(h, 1);
    h.api.admins.set(-100, new Set([42]));
    await say(h, -100, `/sub ${h.web.url('/feed.xml')}`, /已订阅/, { chatType: 'group' });
    await h.bot.settle();
    h.api.migrate(-100, -1001234567890);
    publish(h, 2, 1);
    await nextPoll(h);
    const moved = h.api.sentTo(-1001234567890);
    expect(moved).toHaveLength(1);
    expect(moved[0]!.text).toContain(h.web.url('/posts/2'));
    expect(await h.bot.app.store.subscriptions.ofChat(-100)).toEqual([]);
    expect(await h.bot.app.store.subscriptions.ofChat(-1001234567890)).toHaveLength(1);
    publish(h, 3, 2, 1);
    await nextPoll(h);
    expect(h.api.sentTo(-1001234567890)).toHaveLength(2);
  });

  it('waits retry_after on a 429 and sends the message once', async () => {
    h = await startHarness();
    publish(h, 1);
    await say(h, 3002, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await h.bot.settle();
    const before = h.api.sentTo(3002).length;
    h.api.failNext(3002, { status: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    publish(h, 2, 1);
    await nextPoll(h);
    expect(h.api.sentTo(3002).slice(before)).toHaveLength(1);
    expect(h.bot.app.sender.stats.rateLimited).toBe(1);
  });

  it('resends as plain text when Telegram cannot parse the HTML, and logs it loudly', async () => {
    h = await startHarness();
    publish(h, 1);
    await say(h, 3003, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await h.bot.settle();
    const before = h.api.sentTo(3003).length;
    h.api.failNext(3003, { status: 400, description: "Bad Request: can't parse entities: unsupported start tag \"x\" at byte offset 0" });
    publish(h, 2, 1);
    await nextPoll(h);
    const [plain] = h.api.sentTo(3003).slice(before);
    expect(plain!.parseMode).toBeUndefined();
    expect(plain!.text).toContain('测试文章的中文标题');
    expect(plain!.text).toContain(h.web.url('/posts/2'));
    expect(h.logs.some((l) => l.includes('TELEGRAM REFUSED OUR HTML') && l.includes('"level":"error"'))).toBe(true);
  });

  it('never sends HTML Telegram would refuse, nor a message over 4096 characters, with hostile titles and long lists', async () => {
    h = await startHarness();
    const items = Array.from({ length: 101 }, (_, i) => i + 1); // 100 new: as many as one poll takes
    h.llm.refuseResponseFormat = false;
    publish(h, 1);
    await say(h, 3004, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await say(h, 3004, '/mode daily', /每日摘要/);
    publish(h, ...items);
    await nextPoll(h);
    await h.bot.app.daily.sendNow(3004);
    await h.bot.settle();
    const digests = h.api.sentTo(3004).filter((m) => m.text.includes('每日摘要') || m.text.includes('•'));
    expect(digests.length).toBeGreaterThan(1);
    expect(h.api.stats.refusedHtml).toBe(0);
    const lines = digests.flatMap((m) => m.text.split('\n').filter((l) => l.startsWith('•')));
    expect(lines).toHaveLength(100);
  });
});

describe('feed health', () => {
  it('tells subscribers once when their feed has failed for days, and forgets the notice when it recovers', async () => {
    h = await startHarness();
    publish(h, 1);
    await say(h, 3010, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    await h.bot.settle();
    h.web.set('/feed.xml', { status: 500, body: 'down' });
    const before = h.api.sentTo(3010).length;
    for (let day = 0; day < 5; day++) {
      h.clock.now += 24 * 3_600_000 + MIN;
      await h.bot.pollNow();
    }
    await h.bot.settle();
    const notices = h.api.sentTo(3010).slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toMatch(/订阅源 <b><a href=".*">频道<\/a><\/b> 已经 3 天无法抓取：.*HTTP 500/);
    await say(h, 3010, '/list', /连续失败 \d+ 次/);
    publish(h, 2, 1);
    h.clock.now += 24 * 3_600_000; // past the backoff
    await nextPoll(h);
    expect((await h.bot.app.store.feeds.get((await h.bot.app.store.subscriptions.ofChat(3010))[0]!.feedId))!.failureNoticeAt).toBeUndefined();
  });
});

describe('groups', () => {
  it('lets only administrators change subscriptions', async () => {
    h = await startHarness();
    publish(h, 1);
    h.api.admins.set(-200, new Set([7]));
    await say(h, -200, `/sub ${h.web.url('/feed.xml')}`, /只有管理员/, { fromId: 8, chatType: 'supergroup' });
    await say(h, -200, `/sub ${h.web.url('/feed.xml')}`, /已订阅/, { fromId: 7, chatType: 'supergroup' });
    await say(h, -200, '/mode daily', /只有管理员/, { fromId: 8, chatType: 'supergroup' });
    await say(h, -200, '/list', /共 1 个订阅/, { fromId: 8, chatType: 'supergroup' });
  });
});

describe('channels', () => {
  it('takes commands posted in a channel and pushes there', async () => {
    h = await startHarness();
    publish(h, 1);
    await say(h, -1009999, `/sub ${h.web.url('/feed.xml')}`, /已订阅/, { chatType: 'channel' });
    await h.bot.settle();
    publish(h, 2, 1);
    await nextPoll(h);
    expect(h.api.sentTo(-1009999).at(-1)!.text).toContain(h.web.url('/posts/2'));
  });
});

describe('OPML', () => {
  it('exports the subscriptions and imports them into another chat, with a report', async () => {
    h = await startHarness();
    publish(h, 1);
    await say(h, 4001, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    h.api.message(4001, '/export');
    await h.api.waitFor(() => h!.api.sentTo(4001).some((m) => m.method === 'sendDocument'));
    const opml = h.api.sentTo(4001).find((m) => m.method === 'sendDocument')!;
    expect(opml.filename).toBe('feeds.opml');
    expect(opml.text).toContain(`xmlUrl="${h.web.url('/feed.xml')}"`);

    h.api.files.set('doc1', Buffer.from(opml.text.replace('</body>', `<outline type="rss" text="bad" xmlUrl="${h.web.url('/nope.xml')}"/></body>`)));
    await say(h, 4002, '/import', /导入完成：新增 1 个，已订阅 0 个，失败 1 个/, { document: { fileId: 'doc1', name: 'feeds.opml' } });
    expect(await h.bot.app.store.subscriptions.ofChat(4002)).toHaveLength(1);
  });

  it('imports a file larger than the chat may follow: one report, failures grouped, the rest named and sent back as a file', async () => {
    h = await startHarness({ env: { MAX_SUBSCRIPTIONS_PER_CHAT: '2' } });
    publish(h, 1);
    h.web.set('/b.xml', { body: rss('乙', [{ title: 'x', link: h.web.url('/posts/1'), guid: 'b1' }]) });
    const outline = (path: string, title: string) => `<outline type="rss" text="${title}" xmlUrl="${h!.web.url(path)}"/>`;
    const rest = Array.from({ length: 596 }, (_, i) => outline(`/more/${i}.xml`, `其他源 ${i}`));
    const file = `<?xml version="1.0"?><opml version="2.0"><body>${[outline('/feed.xml', '甲'), outline('/gone1.xml', '坏一'), outline('/gone2.xml', '坏二'), outline('/b.xml', '乙'), ...rest].join('')}</body></opml>`;
    h.api.files.set('big', Buffer.from(file));
    h.api.message(4003, '/import', { document: { fileId: 'big', name: 'big.opml' } });
    await h.api.waitFor(() => h!.api.sentTo(4003).some((m) => m.method === 'sendDocument'));
    await h.bot.settle();

    const texts = h.api.sentTo(4003).filter((m) => m.method !== 'sendDocument').map((m) => m.text);
    expect(texts.join('\n')).not.toMatch(/拆|split/); // splitting the file would not help: the chat is full
    const report = texts.filter((t) => t.includes('导入完成'));
    expect(report).toHaveLength(1);
    expect(report[0]).toContain('导入完成：新增 2 个，已订阅 0 个，失败 2 个，未导入 596 个。');
    const all = texts.join('\n');
    // The two 404s under one heading, each named once; the outlines past the cap headed once and the first of them named.
    expect(all.match(/（2 个）：/g)).toHaveLength(1);
    expect(all).toContain('坏一');
    expect(all).toContain('坏二');
    expect(all).toContain('每个对话最多订阅 2 个源，已经订满，下面 496 个没有导入');
    expect(all).toContain('一个文件最多读取 500 个源，后面 100 个没有读取');
    expect(all).toContain('其他源 0');
    expect(all).toContain('其他源 500');
    expect(all).not.toContain('其他源 100\n'); // named up to a limit per heading, the rest counted
    expect(all).toMatch(/还有 \d+ 个。没有导入的源都在附件 not-imported\.opml 里/);
    // Every outline not imported comes back whole in the file, ready to import again.
    const back = h.api.sentTo(4003).find((m) => m.method === 'sendDocument')!;
    expect(back.filename).toBe('not-imported.opml');
    expect(back.text.match(/<outline /g)).toHaveLength(598);
    expect(back.text).toContain(`xmlUrl="${h.web.url('/more/595.xml')}"`);
    expect(back.text).toContain(`xmlUrl="${h.web.url('/gone2.xml')}"`);
    expect(back.text).not.toContain(`xmlUrl="${h.web.url('/b.xml')}"`);
    expect(await h.bot.app.store.subscriptions.ofChat(4003)).toHaveLength(2);
    // Nothing was fetched for the outlines past the cap.
    expect(h.web.requests.some((r) => r.path.startsWith('/more/'))).toBe(false);
  });
});

describe('webhook mode', () => {
  it('takes updates with the right secret, refuses them without it, and answers /healthz', async () => {
    h = await startHarness({ env: { TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/tg/hook', TELEGRAM_WEBHOOK_SECRET: 'right-secret_123' } });
    expect(h.api.webhook).toEqual({ url: 'https://bot.example.com/tg/hook', secret: 'right-secret_123' });
    expect(h.api.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    const menus = h.api.calls.filter((c) => c.method === 'setMyCommands');
    expect(menus.map((c) => c.body.language_code)).toEqual([undefined, 'en']);
    expect((menus[0]!.body.commands as Array<{ command: string; description: string }>).find((c) => c.command === 'sub')!.description).toMatch(/订阅/);
    const post = (secret: string | undefined, body: unknown) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: h!.bot.port, path: '/tg/hook', method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    expect(await post('wrong', h.api.makeUpdate(5001, '/help'))).toBe(403);
    expect(await post(undefined, h.api.makeUpdate(5001, '/help'))).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.api.sentTo(5001)).toHaveLength(0);
    expect(await post('right-secret_123', h.api.makeUpdate(5001, '/help'))).toBe(200);
    await h.api.waitFor(() => h!.api.sentTo(5001).some((m) => m.text.includes('/sub')));
    const health = await fetch(`http://127.0.0.1:${h.bot.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, mode: 'webhook' });
  });
});
