// The faithfulness guard on digests written as LLMs write them: what the source says passes, whatever its units; what it does not is named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chineseNumber, unsupportedClaims, withoutClaims } from '../../src/core/faithfulness.js';

interface Case {
  name: string;
  source: string;
  digest: { title: string; tldr: string; summary: string };
  unsupported: string[];
}

const cases = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/faithfulness/cases.json'), 'utf8')) as Case[];

describe('the faithfulness guard', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(unsupportedClaims(c.digest, c.source).map((x) => x.text).sort()).toEqual([...c.unsupported].sort());
  });

  it('reads Chinese numerals', () => {
    expect([chineseNumber('三十'), chineseNumber('十五'), chineseNumber('一百零五'), chineseNumber('两千五百'), chineseNumber('三点五'), chineseNumber('一亿二千万'), chineseNumber('十万')]).toEqual([
      30, 15, 105, 2500, 3.5, 120_000_000, 100_000,
    ]);
  });

  it('drops exactly the sentences carrying what the source does not say, and the title and tldr that carry it', () => {
    const c = cases.find((x) => x.name.startsWith('A quote given'))!;
    const trimmed = withoutClaims(c.digest, unsupportedClaims(c.digest, c.source), 'Outlook outage in Europe')!;
    expect(trimmed.summary).toBe('Microsoft 表示，周一 Outlook 欧洲用户遭遇约 3 小时中断。');
    expect(trimmed.tldr).toBe(c.digest.tldr);
    const invented = cases.find((x) => x.name === 'An invented figure')!;
    const t2 = withoutClaims(invented.digest, unsupportedClaims(invented.digest, invented.source), 'Startup raises a round')!;
    expect(t2.title).toBe('Startup raises a round');
    expect(t2.summary).toBe('公司未披露估值。');
  });
});
