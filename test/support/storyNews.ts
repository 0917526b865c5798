// One story as three outlets write it and another story about the same company: pages, feeds and the digests the fake LLM gives.
import { articlePage } from './articles.js';
import { rss, type FeedServer } from './feedServer.js';
import { GOOD_DIGEST } from './openaiServer.js';
import type { BotApiServer } from './botApiServer.js';

/** What the articles say: every name and number a digest below states is in them. */
export const LAUNCH = Array.from(
  { length: 10 },
  (_, i) =>
    `OpenAI 周四发布了 GPT-5 模型，并向所有 ChatGPT 用户开放。公司称新模型在编程和推理上大幅领先上一代，第${i + 1}项测试的成绩也印证了这一点。开发者可以通过接口使用它，企业客户将在随后几周获得更高的调用额度。`,
).join('\n');
export const REWRITE = Array.from(
  { length: 10 },
  (_, i) =>
    `据报道，OpenAI 正式推出了 GPT-5。ChatGPT 的免费用户和付费用户都可以使用这一模型，它在编程与推理方面的表现明显好于前代，评测第${i + 1}部分给出了对比。分析人士认为这会加剧模型厂商之间的竞争。`,
).join('\n');
export const TALKS = Array.from(
  { length: 10 },
  (_, i) => `知情人士透露，OpenAI 正与微软重新谈判双方的合作协议，谈判涉及算力供应和收益分成，第${i + 1}轮会谈已经结束。双方都没有公开置评，协议的最终条款预计在年底前敲定。`,
).join('\n');

export const LAUNCH_DIGEST = {
  ...GOOD_DIGEST,
  title: 'OpenAI 发布 GPT-5 模型，编程与推理能力大幅提升',
  tldr: 'OpenAI 周四发布 GPT-5，向所有 ChatGPT 用户开放，编程和推理能力大幅领先。',
  summary: 'OpenAI 周四发布 GPT-5 模型，并向所有 ChatGPT 用户开放。公司称新模型在编程和推理上大幅领先上一代。',
  tags: ['人工智能', 'OpenAI'],
};
export const REWRITE_DIGEST = {
  ...LAUNCH_DIGEST,
  title: 'OpenAI 正式推出 GPT-5，编程和推理能力大幅提升',
  tldr: 'OpenAI 发布 GPT-5 模型并向所有 ChatGPT 用户开放，编程与推理能力领先。',
  summary: 'OpenAI 正式推出 GPT-5，ChatGPT 的免费和付费用户都可以使用，编程与推理表现明显好于前代。',
};
export const TALKS_DIGEST = {
  ...LAUNCH_DIGEST,
  title: 'OpenAI 与微软重新谈判合作协议',
  tldr: 'OpenAI 与微软就新的合作条款进行谈判，涉及算力与收益分成。',
  summary: 'OpenAI 正与微软重新谈判合作协议，涉及算力供应和收益分成，最终条款预计年底前敲定。',
};

/** Feed `name` lists these posts (newest first), each page with its text. */
export function publish(harness: { web: FeedServer }, name: string, posts: Array<{ slug: string; title: string; text: string }>) {
  for (const p of posts) harness.web.set(`/${name}/${p.slug}`, { body: articlePage(p.title, p.text), contentType: 'text/html' });
  harness.web.set(`/${name}.xml`, {
    body: rss(`源 ${name}`, posts.map((p) => ({ title: p.title, link: harness.web.url(`/${name}/${p.slug}`), guid: `${name}-${p.slug}` }))),
    etag: `"${name}-${posts.map((p) => p.slug).join('-')}"`,
  });
}

export const OLD = { slug: 'old', title: '旧文章', text: '很早以前的一篇文章。'.repeat(40) };
/** The messages to a chat that link to `path` of the feed server. */
export const linksTo = (harness: { api: BotApiServer; web: FeedServer }, chatId: number, path: string) => harness.api.sentTo(chatId).filter((m) => m.text.includes(harness.web.url(path)));

