// The daily digest reads like a digest: feeds in blocks, articles in published order with title and one sentence, tags once per block.
import { describe, expect, it } from 'vitest';
import { renderDaily, type DailyEntry } from '../../src/core/renderDigest.js';

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
});
