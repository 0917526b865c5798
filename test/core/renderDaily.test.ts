// The daily digest reads like a digest: feeds in blocks, articles in published order with title and one sentence, tags once per block.
import { describe, expect, it } from 'vitest';
import { renderDaily, renderSources, type DailyEntry } from '../../src/core/renderDigest.js';

const entry = (n: number, feed: string, publishedAt: number, tags: string[]): DailyEntry => ({
  chatId: 1,
  articleKey: `a${n}`,
  feedId: feed,
  feedTitle: `源${feed}`,
  title: `标题${n}`,
  url: `https://x.example/${n}`,
  tldr: `一句话${n}。`,
  tags,
  publishedAt,
  at: 1000 - n, // arrival order differs from publication order
});

describe('renderDaily', () => {
  it('orders each feed’s articles as published, shows title and tldr, and its tags once', () => {
    const [message] = renderDaily([entry(5, 'A', 50, ['科技', '芯片']), entry(3, 'A', 30, ['科技']), entry(4, 'A', 40, ['科技', '人工智能']), entry(9, 'B', 10, [])], '2026-11-25', 'zh');
    const lines = message!.html.split('\n');
    const bullets = lines.filter((l) => l.startsWith('•'));
    expect(bullets.map((l) => /标题(\d)/.exec(l)![1])).toEqual(['9', '3', '4', '5']); // feed B's one article came first
    expect(bullets[1]).toBe('• <a href="https://x.example/3">标题3</a>：一句话3。');
    expect(lines.filter((l) => l.includes('#科技'))).toEqual(['#科技 #人工智能 #芯片']); // commonest first
  });

  it('lists a story several feeds told once, under the feed that told it first, naming the others; apart when not merging', () => {
    const story = (e: DailyEntry) => ({ ...e, storyId: 's1' });
    const entries = [story(entry(1, 'A', 10, [])), story(entry(2, 'B', 20, [])), entry(3, 'B', 30, []), story(entry(4, 'C', 40, []))];
    const [merged] = renderDaily(entries, '2026-11-25', 'zh', true);
    expect(merged!.html).toContain('（2 篇）');
    expect(merged!.html.split('\n').filter((l) => l.startsWith('•')).map((l) => /标题(\d)/.exec(l)![1])).toEqual(['1', '3']);
    expect(merged!.html).toContain('也见于：<a href="https://x.example/2">源B</a>、<a href="https://x.example/4">源C</a>');
    const [apart] = renderDaily(entries, '2026-11-25', 'zh', false);
    expect(apart!.html).toContain('（4 篇）');
    expect(apart!.html).not.toContain('也见于');
  });
});

describe('renderSources', () => {
  const sources = Array.from({ length: 7 }, (_, i) => ({ feedTitle: `源<${i}>`, url: `https://s${i}.example/a?x=1&y=2` }));
  it('names five sources with their links, then how many there are in all, escaped', () => {
    const zh = renderSources(sources, 'zh');
    expect(zh.html.match(/<a /g)).toHaveLength(5);
    expect(zh.html).toMatch(/^也见于：<a href="https:\/\/s0\.example\/a\?x=1&amp;y=2">源&lt;0&gt;<\/a>、/);
    expect(zh.html.endsWith('</a> 等 7 个来源')).toBe(true);
    expect(zh.plain).toBe('也见于：源<0>、源<1>、源<2>、源<3>、源<4> 等 7 个来源');
    expect(renderSources(sources.slice(0, 2), 'en').plain).toBe('Also in: 源<0>, 源<1>');
    expect(renderSources(sources, 'en').plain.endsWith(' and 2 more')).toBe(true);
    expect(renderSources([], 'zh')).toEqual({ html: '', plain: '' });
  });
});
