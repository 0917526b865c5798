// Token estimates for the LLM input: CJK-aware, conservative, and trimming at a sentence or paragraph end.
import { describe, expect, it } from 'vitest';
import { estimateTokens, trimToTokens } from '../../src/core/tokens.js';

describe('estimateTokens', () => {
  it.each([
    ['', 0],
    ['中文字符', 4],
    ['hello world', 4],
    ['混合 mixed 文本', 7],
  ])('%j ≈ %i tokens', (text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });
});

describe('trimToTokens', () => {
  it('keeps text within the budget untouched', () => {
    expect(trimToTokens('短文。', 100)).toEqual({ text: '短文。', trimmed: false });
  });

  it('cuts long Chinese text within the budget, at a sentence end', () => {
    const text = '这是一个完整的句子。'.repeat(200);
    const { text: cut, trimmed } = trimToTokens(text, 500);
    expect(trimmed).toBe(true);
    expect(estimateTokens(cut)).toBeLessThanOrEqual(500);
    expect(cut.endsWith('。')).toBe(true);
    expect(cut.length).toBeGreaterThan(450);
  });
});
