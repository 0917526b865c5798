// The Hugo archive: the ancestor's post layout, compared with a golden file; stable names, rewriting replaces.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArchivedArticle } from '../../src/core/hugoPost.js';
import { createArchive } from '../../src/digests/archive.js';

const article: ArchivedArticle = {
  digest: {
    title: '新芯片能效提升百分之三十',
    tldr: '研究团队公布新芯片设计，能效比上一代提高百分之三十。',
    summary: '研究人员周二公布新的芯片设计，能效比上一代提高了百分之三十，预计明年量产；团队表示成果来自三年的持续投入。',
    tags: ['芯片', '半导体', '能效'],
    model: 'test-model',
    promptVersion: 'abc123',
    createdAt: Date.parse('2026-11-24T01:00:00Z'),
  },
  title: 'A new chip design "cuts" power by 30%',
  url: 'https://news.example.com/chips/2026/new-design',
  source: '科技新闻 Tech & News',
  text: '第一段：研究人员在周二公布了新的芯片设计。\n\n第二段：能效比上一代提高了百分之三十。',
  publishedAt: Date.parse('2026-11-23T22:30:00Z'),
};

describe('Hugo archive', () => {
  it('writes the post the way the ancestor did (golden file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdb-archive-'));
    const file = await createArchive(dir, 'Asia/Shanghai').write(article);
    expect(file).toBe(join(dir, `2026-11-24-${file.slice(-15, -3)}.md`));
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(import.meta.dirname, '../fixtures/archive-post.golden.md'), 'utf8'));
  });

  it('replaces the post when the same article is written again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdb-archive-'));
    const archive = createArchive(dir, 'Asia/Shanghai');
    await archive.write(article);
    await archive.write({ ...article, digest: { ...article.digest, tldr: '改写后的总结。' } });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, files[0]!), 'utf8')).toContain('总结: 改写后的总结。');
  });
});
