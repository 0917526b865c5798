// What an operator sees: /stats for ADMIN_IDS (and nobody else), and the same figures on GET /metrics in Prometheus' format.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: { ADMIN_IDS: '4242' } });
  h.web.set('/feed.xml', { body: rss('科技日报', [{ title: '一', link: h.web.url('/1'), guid: '1', description: '导语' }]) });
});
afterEach(async () => {
  await h.close();
});

describe('operators', () => {
  it('answers /stats to an admin with the figures, and a stranger as for an unknown command', async () => {
    await h.say(4242, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    const store = h.bot.app.store;
    await store.jobs.add({ id: 'broken', chatId: 4242, kind: 'import', payload: { lang: 'zh' }, createdAt: 1 }, 0);
    await store.db.updateTable('jobs').set({ failed_at: 2, failure_id: 'dead0001', last_error: 'boom', run_at: Number.MAX_SAFE_INTEGER }).where('id', '=', 'broken').execute();
    const replies = await h.say(4242, '/stats', /运行状态/);
    const stats = replies.at(-1)!.text;
    expect(stats).toContain('订阅源：1');
    expect(stats).toContain('活跃会话：1');
    expect(stats).toContain('失败任务：请求 1，摘要 0，消息 0');
    expect(stats).toMatch(/发送：由本实例发送/);
    const other = await h.say(777, '/stats', /没有这个命令/);
    expect(other.at(-1)!.text).not.toContain('运行状态');
  });

  it('serves the figures on GET /metrics, with no chat or feed labels', async () => {
    await h.say(4242, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
    const res = await fetch(`http://127.0.0.1:${h.bot.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toMatch(/^fdb_feeds 1$/m);
    expect(body).toMatch(/^fdb_active_chats 1$/m);
    expect(body).toMatch(/^fdb_failed_rows\{kind="job"\} 0$/m);
    expect(body).toMatch(/^fdb_sender_here 1$/m);
    expect(body).toMatch(/^fdb_outbox_queued \d+$/m);
    expect(body).not.toMatch(/chat_id|feed_id|4242/);
  });
});
