// End to end through the test Bot API: one story told by several feeds is one push, edited to name each new source ("也见于"), and one daily line.
import { afterEach, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/botHarness.js';
import { LAUNCH, LAUNCH_DIGEST, linksTo, OLD, publish, REWRITE, REWRITE_DIGEST, TALKS, TALKS_DIGEST } from '../support/storyNews.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('pushes a story once, edits it to name each later source, sends it whole to a chat that missed the first, and keeps a different story apart', async () => {
  h = await startHarness({ env: { ADMIN_IDS: '901' } });
  for (const name of ['a', 'b', 'c']) publish(h, name, [OLD]);
  const feeds = (...names: string[]) => names.map((n) => h!.web.url(`/${n}.xml`)).join(' ');
  await h.say(901, `/sub ${feeds('a', 'b', 'c')}`, /已订阅[\s\S]*已订阅[\s\S]*已订阅/);
  await h.say(902, `/sub ${feeds('b')}`, /已订阅/);
  await h.say(903, `/sub ${feeds('a', 'b')}`, /已订阅[\s\S]*已订阅/);
  await h.say(904, `/sub ${feeds('a', 'b', 'c')}`, /已订阅[\s\S]*已订阅[\s\S]*已订阅/);
  await h.say(904, '/mode daily', /每日摘要/);
  // 903 turns merging off with its /settings button.
  const settings = await h.say(903, '/settings', /同一新闻：合并/);
  const off = settings[0]!.replyMarkup!.inline_keyboard!.flat().find((b) => b.callback_data === 'set:merge:off')!;
  h.api.callback(903, off.callback_data!);
  await h.api.waitFor(() => h!.api.calls.some((c) => c.method === 'editMessageText' && String(c.body.text).includes('同一新闻：不合并')), 5000, 'the settings edited');
  await h.bot.settle();

  // Feed a tells it first.
  const launch = { slug: 'gpt5', title: 'OpenAI 发布 GPT-5', text: LAUNCH };
  h.llm.queue({ content: JSON.stringify(LAUNCH_DIGEST) });
  publish(h, 'a', [launch, OLD]);
  await h.nextPoll();
  expect(linksTo(h, 901, '/a/gpt5')).toHaveLength(1);
  const first = linksTo(h, 901, '/a/gpt5')[0]!;
  expect(first.text).not.toContain('也见于');

  // A minute later feed b tells it in its own words: 901 gets no second push, its first one names b; 902 (only b) gets it whole.
  h.llm.queue({ content: JSON.stringify(REWRITE_DIGEST) });
  publish(h, 'b', [{ slug: 'gpt5-launch', title: 'GPT-5 来了', text: REWRITE }, OLD]);
  await h.nextPoll();
  await h.bot.settle();
  expect(linksTo(h, 901, '/b/gpt5-launch').filter((m) => m !== first)).toHaveLength(0);
  expect(first.edited).toBe(true);
  expect(first.text).toMatch(/也见于：<a href="[^"]*\/b\/gpt5-launch">源 b<\/a>/);
  expect(first.text).toContain('OpenAI 发布 GPT-5 模型'); // the first push, kept as it was, with its source added
  const forB = linksTo(h, 902, '/b/gpt5-launch');
  expect(forB).toHaveLength(1);
  expect(forB[0]!.text).toContain('OpenAI 正式推出 GPT-5');
  expect(forB[0]!.text).toMatch(/也见于：<a href="[^"]*\/a\/gpt5">源 a<\/a>/);
  // Merging off: each feed's push.
  expect(linksTo(h, 903, '/a/gpt5').filter((m) => !m.text.includes('/b/gpt5-launch'))).toHaveLength(1);
  expect(linksTo(h, 903, '/b/gpt5-launch')).toHaveLength(1);

  // Feed c republishes a's words under its own URL: no LLM call, and the same push names it too.
  const calls = h.llm.requests.length;
  publish(h, 'c', [{ slug: 'wire', title: 'OpenAI 发布 GPT-5（通稿）', text: LAUNCH }, OLD]);
  await h.nextPoll();
  await h.bot.settle();
  expect(h.llm.requests.length).toBe(calls);
  expect(h.api.sentTo(901).filter((m) => m.text.includes('GPT-5'))).toEqual([first]);
  expect(first.text).toMatch(/也见于：<a href="[^"]*\/b\/gpt5-launch">源 b<\/a>、<a href="[^"]*\/c\/wire">源 c<\/a>/);

  // Another story about the same company the same day: a push of its own.
  h.llm.queue({ content: JSON.stringify(TALKS_DIGEST) });
  publish(h, 'b', [{ slug: 'talks', title: 'OpenAI 与微软谈判', text: TALKS }, { slug: 'gpt5-launch', title: 'GPT-5 来了', text: REWRITE }, OLD]);
  await h.nextPoll();
  await h.bot.settle();
  const talks = linksTo(h, 901, '/b/talks');
  expect(talks).toHaveLength(1);
  expect(talks[0]!.text).not.toContain('也见于');

  // The daily digest lists the story once with its sources, and the other story on its own line.
  const digest = await h.say(904, '/digest', /每日摘要/);
  const text = digest.map((m) => m.text).join('\n');
  expect(text).toContain('（2 篇）');
  expect(text.match(/GPT-5/g)!.length).toBeGreaterThanOrEqual(1);
  expect(text).not.toContain('/b/gpt5-launch">OpenAI 正式推出');
  expect(text).toMatch(/也见于：<a href="[^"]*\/b\/gpt5-launch">源 b<\/a>、<a href="[^"]*\/c\/wire">源 c<\/a>/);
  expect(text).toContain('OpenAI 与微软重新谈判合作协议');

  // Counted for the operator: two sources merged; 901's two edits (b, c) and 902's none.
  const stats = await h.say(901, '/stats', /运行状态/);
  expect(stats.at(-1)!.text).toMatch(/今日同一新闻合并：2 个来源并入已推送的新闻，少推送 \d+ 条/);
  expect(Number(/少推送 (\d+) 条/.exec(stats.at(-1)!.text)![1])).toBeGreaterThanOrEqual(2);
});

it('sends a later source as a push of its own when the first one was filtered out of the chat', async () => {
  h = await startHarness();
  for (const name of ['a', 'b']) publish(h, name, [OLD]);
  await h.say(911, `/sub ${h.web.url('/a.xml')} ${h.web.url('/b.xml')}`, /已订阅[\s\S]*已订阅/);
  await h.say(911, '/filter 1 -ChatGPT', /过滤/);
  await h.bot.settle();
  h.llm.queue({ content: JSON.stringify(LAUNCH_DIGEST) });
  publish(h, 'a', [{ slug: 'gpt5', title: 'OpenAI 发布 GPT-5', text: LAUNCH }, OLD]);
  await h.nextPoll();
  expect(linksTo(h, 911, '/a/gpt5')).toHaveLength(0); // filtered out of feed a
  h.llm.queue({ content: JSON.stringify(REWRITE_DIGEST) });
  publish(h, 'b', [{ slug: 'gpt5-launch', title: 'GPT-5 来了', text: REWRITE }, OLD]);
  await h.nextPoll();
  await h.bot.settle();
  const pushes = linksTo(h, 911, '/b/gpt5-launch');
  expect(pushes).toHaveLength(1);
  expect(pushes[0]!.edited).toBeFalsy();
});

it('adds nothing when the chat deleted the story\'s first push: no second push, the edit dropped', async () => {
  h = await startHarness();
  for (const name of ['a', 'b']) publish(h, name, [OLD]);
  await h.say(921, `/sub ${h.web.url('/a.xml')} ${h.web.url('/b.xml')}`, /已订阅[\s\S]*已订阅/);
  await h.bot.settle();
  h.llm.queue({ content: JSON.stringify(LAUNCH_DIGEST) });
  publish(h, 'a', [{ slug: 'gpt5', title: 'OpenAI 发布 GPT-5', text: LAUNCH }, OLD]);
  await h.nextPoll();
  const [first] = linksTo(h, 921, '/a/gpt5');
  h.api.deleteByUser(first!);
  const before = h.api.sentTo(921).length;
  const edits = () => h!.api.calls.filter((c) => c.method === 'editMessageText').length;
  const editsBefore = edits();
  h.llm.queue({ content: JSON.stringify(REWRITE_DIGEST) });
  publish(h, 'b', [{ slug: 'gpt5-launch', title: 'GPT-5 来了', text: REWRITE }, OLD]);
  await h.nextPoll();
  await h.bot.settle();
  expect(edits() - editsBefore).toBe(1); // tried once, refused
  expect(h.api.sentTo(921).length).toBe(before);
  expect(first!.text).not.toContain('也见于');
  expect(await h.bot.app.store.outbox.size()).toBe(0);
});
