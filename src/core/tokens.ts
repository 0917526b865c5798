// Token budgeting without a tokenizer: a conservative CJK-aware estimate that holds for OpenAI, DeepSeek and Qwen alike.

/** CJK characters count about one token each, other characters about 0.3. */
export function estimateTokens(text: string): number {
  let cjk = 0;
  let other = 0;
  for (const ch of text) {
    if (/[\u3000-\u9fff\uf900-\ufaff\uac00-\ud7af\uff00-\uffef]/u.test(ch)) cjk++;
    else other++;
  }
  return Math.ceil(cjk * 1.0 + other * 0.3);
}

/** Cuts text to about `budget` tokens, at a paragraph or sentence end when one is near. */
export function trimToTokens(text: string, budget: number): { text: string; trimmed: boolean } {
  if (estimateTokens(text) <= budget) return { text, trimmed: false };
  // Binary search on the character count.
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimateTokens(chars.slice(0, mid).join('')) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const head = chars.slice(0, lo).join('');
  const cut = Math.max(head.lastIndexOf('\n'), ...['。', '！', '？', '. '].map((p) => head.lastIndexOf(p) + p.length - 1));
  return { text: cut > head.length * 0.8 ? head.slice(0, cut + 1) : head, trimmed: true };
}
