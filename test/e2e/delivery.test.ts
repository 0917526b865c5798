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
