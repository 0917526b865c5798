// End to end: a press release republished word for word under other URLs is digested once — no second LLM call for the same text.
import { afterEach, expect, it } from 'vitest';
import { ARTICLE_TEXT, articlePage } from '../support/articles.js';
import { startHarness, type Harness } from '../support/botHarness.js';
import { rss } from '../support/feedServer.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('digests the same words under three URLs with one call, and every reader gets the digest', async () => {
  h = await startHarness();
  const release = `${ARTICLE_TEXT}\n本新闻稿由公司发布，转载请注明出处。`;
  const sites = ['first', 'second', 'third'];
  for (const site of sites) h.web.set(`/${site}.xml`, { body: rss(`站点 ${site}`, [{ title: '旧文章', link: h.web.url(`/${site}/old`), guid: `${site}-old` }]), etag: '"1"' });
  for (const [i, site] of sites.entries()) await h.say(700 + i, `/sub ${h.web.url(`/${site}.xml`)}`, /已订阅/);
  await h.bot.settle();
  for (const site of sites) {
    // Each site's own page around the same release (its own header and footer).
    h.web.set(`/${site}/release`, { body: articlePage('公司发布新一代芯片', release).replace('<nav>', `<nav><a href="/${site}">${site}</a> `), contentType: 'text/html' });
    h.web.set(`/${site}.xml`, {
      body: rss(`站点 ${site}`, [
        { title: '公司发布新一代芯片', link: h.web.url(`/${site}/release`), guid: `${site}-release` },
        { title: '旧文章', link: h.web.url(`/${site}/old`), guid: `${site}-old` },
      ]),
      etag: '"2"',
    });
  }
  const calls = h.llm.requests.length;
  await h.nextPoll();
  expect(h.llm.requests.length - calls).toBe(1);
  for (const [i, site] of sites.entries()) {
    const push = h.api.sentTo(700 + i).find((m) => m.text.includes(h!.web.url(`/${site}/release`)));
    expect(push?.text).toContain('这是一段中文摘要');
  }
});
