// End to end: a digest says only what its article says — numbers and names the article never gives are sent back once, then cut, never sent unmarked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';
import { GOOD_DIGEST } from '../support/openaiServer.js';

let h: Harness;
const CHAT = 4242;

const ARTICLE = [
  'Anthropic said on Tuesday that it raised $2.5 billion in a Series E round led by Lightspeed Venture Partners.',
  'The round values the company at $61.5 billion, and closed on March 3, 2025, according to a statement.',
  'The company said its annual revenue grew tenfold over the past year, and that it will spend the money on research and on new data centers.',
  'Lightspeed has invested in the company since its earlier rounds, and other investors in the round include existing backers who did not disclose their amounts.',
  'The startup competes with OpenAI and Google in building large language models for businesses and consumers.',
  ...Array.from(
    { length: 8 },
    () =>
      'Analysts said the deal shows how much investors are still willing to pay for a seat at the table in artificial intelligence, even as questions grow about how quickly such companies can turn their models into lasting profits, and how long the current appetite for new computing capacity can last.',
  ),
].join('\n');

const digest = (summary: string, extra: Partial<typeof GOOD_DIGEST> = {}) => JSON.stringify({ ...GOOD_DIGEST, title: 'Anthropic 完成新一轮融资', tldr: 'Anthropic 完成由 Lightspeed 领投的 E 轮融资。', summary, ...extra });
const FAITHFUL = '这是一段中文摘要：Anthropic 完成由 Lightspeed 领投的 25 亿美元 E 轮融资，公司估值达到 615 亿美元，交易于 2025 年 3 月 3 日完成。';
const INVENTED = '这是一段中文摘要：Anthropic 完成由 Lightspeed 领投的 E 轮融资，资金将用于研究和新的数据中心。据悉 Amazon 也追加投资 40 亿美元。';

let n = 0;
/** A new article in the feed, its digest answered by the fake LLM with these replies in order; returns the push. */
async function arrive(...replies: string[]) {
  n++;
  h.web.set(`/posts/${n}`, { body: articlePage(`Anthropic raises money ${n}`, `${ARTICLE}\nArticle number ${n} of this test.`), contentType: 'text/html' });
  h.web.set('/feed.xml', { body: rss('Tech', Array.from({ length: n + 1 }, (_, i) => ({ title: `Anthropic raises money ${i}`, link: h.web.url(`/posts/${i}`), guid: `p${i}` })).reverse()), etag: `"${n}"` });
  h.llm.queue(...replies.map((content) => ({ content })));
  const calls = h.llm.requests.length;
  await h.nextPoll();
  const push = h.api.sentTo(CHAT).find((m) => m.text.includes(h.web.url(`/posts/${n}`)))!;
  return { push, calls: h.llm.requests.slice(calls) };
}

beforeAll(async () => {
  h = await startHarness({ env: { ADMIN_IDS: String(CHAT) } });
  h.web.set('/posts/0', { body: articlePage('Anthropic raises money 0', ARTICLE), contentType: 'text/html' });
  h.web.set('/feed.xml', { body: rss('Tech', [{ title: 'Anthropic raises money 0', link: h.web.url('/posts/0'), guid: 'p0' }]), etag: '"0"' });
  await h.say(CHAT, `/sub ${h.web.url('/feed.xml')}`, /已订阅/);
  await h.bot.settle();
});
afterAll(() => h.close());

describe('a digest of an English article', () => {
  it('passes untouched when "$2.5 billion" became "25 亿美元" (one call)', async () => {
    const { push, calls } = await arrive(digest(FAITHFUL));
    expect(calls).toHaveLength(1);
    expect(push.text).toContain('25 亿美元 E 轮融资，公司估值达到 615 亿美元');
  });

  it('is asked once to correct what the article does not say, and the corrected digest is sent', async () => {
    const { push, calls } = await arrive(digest(INVENTED), digest(FAITHFUL));
    expect(calls).toHaveLength(2);
    const request = calls[1]!.messages.at(-1)!.content;
    expect(request).toContain('“Amazon”');
    expect(request).toContain('“40 亿”');
    expect(push.text).toContain('25 亿美元 E 轮融资');
    expect(push.text).not.toContain('Amazon');
  });

  it('loses the sentences still carrying them after the correction, never sending them', async () => {
    const { push, calls } = await arrive(digest(INVENTED), digest(INVENTED));
    expect(calls).toHaveLength(2);
    expect(push.text).toContain('资金将用于研究和新的数据中心。');
    expect(push.text).not.toContain('Amazon');
    expect(push.text).not.toContain('40 亿');
    expect(h.logs.some((l) => l.includes('digest did not hold to its source') && l.includes('"outcome":"trimmed"'))).toBe(true);
  });

  it('goes out marked, without a digest, when nothing of the summary holds', async () => {
    const wrong = digest('这是一段中文摘要：Amazon 以 40 亿美元收购了这家公司，交易将在 2026 年完成，需要获得监管部门的批准。', { tldr: 'Amazon 以 40 亿美元收购 Anthropic。' });
    const { push } = await arrive(wrong, wrong);
    expect(push.text).toContain('生成的摘要与原文的数字或名称不符，未采用');
    expect(push.text).not.toContain('Amazon');
  });

  it('is counted for the operator', async () => {
    const stats = await h.say(CHAT, '/stats', /运行状态/);
    expect(stats.at(-1)!.text).toContain('今日摘要核对：改正 1 篇，删句 1 篇，未采用 1 篇');
  });
});
