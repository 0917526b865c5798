// A digest says only what its source says: numbers (with 万/亿, thousand/million/billion read as the same quantity) and Latin-script names in the digest must appear in the source.

/** Something the digest states that the source does not. */
export interface Claim {
  kind: 'number' | 'name';
  /** As the digest wrote it (the sentence holding it is found by it). */
  text: string;
}

const MULTIPLIERS: Record<string, number> = {
  万亿: 1e12, 亿: 1e8, 万: 1e4, 千: 1e3, 百: 1e2,
  thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, bn: 1e9, mn: 1e6, mln: 1e6, k: 1e3, m: 1e6, b: 1e9,
  percent: 1, '%': 1, '％': 1,
};

/** A number written in digits (separators allowed), with the multiplier written after it. */
const ARABIC = /(\d{1,3}(?:[,，]\d{3})+|\d+)(?:[.．](\d+))?(?:\s*(万亿|亿|万|千|百|thousand|million|billion|trillion|bn|mn|mln|percent|%|％|[kKmMbB](?![A-Za-z])))?/giu;
const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_NUMBER = /[零〇一二两三四五六七八九十百千万亿点]+/gu;
const EN_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20, thirty: 30,
  forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, dozen: 12, half: 0.5,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

/** Latin-script words a digest may use for what a Chinese source says in Chinese (人工智能 → AI): never a claim. */
const COMMON_LATIN = new Set(
  ['ai', 'ceo', 'cto', 'cfo', 'coo', 'ipo', 'gpu', 'cpu', 'npu', 'api', 'app', 'ar', 'vr', 'xr', 'it', 'pc', 'saas', 'b2b', 'b2c', 'llm', 'agi', 'ev', 'ui', 'os', 'ip', 'id', 'pk', 'vs', 'etf', 'gdp', 'cpi', 'ok', 'q1', 'q2', 'q3', 'q4', 'h1', 'h2'],
);

/** A Latin-script name as written: `GPT-4o`, `Node.js`, `C++`, `O'Reilly`. */
const LATIN_NAME = /[A-Za-z][A-Za-z0-9]*(?:[-.'’_][A-Za-z0-9]+)*\+*/g;

/** A number written in Chinese numerals (三十, 一百零五, 两千五百, 三点五, 一亿二千万); undefined when there is no digit at all. */
export function chineseNumber(s: string): number | undefined {
  const [intPart = '', frac] = s.split('点');
  let yi = 0;
  let wan = 0;
  let section = 0;
  let digit = 0;
  let seen = false;
  for (const ch of intPart) {
    if (ch in CN_DIGITS) {
      digit = CN_DIGITS[ch]!;
      seen = true;
    } else if (ch === '十' || ch === '百' || ch === '千') {
      section += (digit || 1) * (ch === '十' ? 10 : ch === '百' ? 100 : 1000); // 十五 is fifteen
      digit = 0;
      seen = true;
    } else if (ch === '万') {
      wan = section + digit;
      section = digit = 0;
    } else if (ch === '亿') {
      yi = wan * 1e4 + section + digit;
      wan = section = digit = 0;
    }
  }
  if (!seen) return undefined;
  const whole = yi * 1e8 + wan * 1e4 + section + digit;
  if (frac === undefined) return whole;
  const decimals = [...frac].map((c) => CN_DIGITS[c]).filter((d): d is number => d !== undefined).join('');
  return decimals ? Number(`${whole}.${decimals}`) : whole;
}

interface Quantity {
  value: number;
  /** Significant digits as written (a digest's "2.5 亿" rounds what the source says to two). */
  digits: number;
  text: string;
}

function significant(intPart: string, frac: string | undefined): number {
  const all = (intPart.replace(/^0+/, '') + (frac ?? '')).replace(/^0+/, '');
  return Math.max(1, (frac ? all : all.replace(/0+$/, '')).length);
}

/** Numbers written in digits, with their multipliers; those glued to a Latin word (`GPT-4o`, `H100`) belong to the name. */
function arabicQuantities(text: string, strict: boolean): Quantity[] {
  const out: Quantity[] = [];
  for (const m of text.matchAll(ARABIC)) {
    const before = text[m.index - 1] ?? '';
    const after = text[m.index + m[0].length] ?? '';
    const unit = m[3]?.toLowerCase();
    if (strict && (/[A-Za-z]/.test(before) || (!unit && /[A-Za-z]/.test(after)) || (unit && unit.length === 1 && /[A-Za-z]/.test(after)))) continue;
    const intPart = m[1]!.replace(/[,，]/g, '');
    const base = Number(`${intPart}${m[2] ? `.${m[2]}` : ''}`);
    const value = base * (unit ? (MULTIPLIERS[unit] ?? 1) : 1);
    out.push({ value, digits: significant(intPart, m[2]), text: m[0].trim() });
    if (!strict && unit) out.push({ value: base, digits: significant(intPart, m[2]), text: m[0] });
  }
  return out;
}

/** Every quantity a source states, however written: digits, Chinese numerals, English number words, month names. */
export function sourceQuantities(text: string): number[] {
  const values = arabicQuantities(text, false).map((q) => q.value);
  for (const m of text.matchAll(CN_NUMBER)) {
    const v = chineseNumber(m[0]);
    if (v !== undefined) values.push(v);
  }
  // English number words (and months), with the multiplier after them: "two million" is 2,000,000.
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    const w = EN_WORDS[words[i]!];
    if (w === undefined) continue;
    values.push(w);
    const next = MULTIPLIERS[words[i + 1] ?? ''];
    if (next) values.push(w * next);
  }
  return values;
}

/** The quantities a digest states that can be checked: digits, and Chinese numerals only with 万/亿 or as 百分之… (a lone 一 is "a"). */
function digestQuantities(text: string): Quantity[] {
  const out = arabicQuantities(text, true);
  for (const m of text.matchAll(/百分之([零〇一二两三四五六七八九十百千点]+)|([零〇一二两三四五六七八九十百千点]+)(万亿|亿|万)/gu)) {
    const v = chineseNumber(m[1] ?? m[2]!);
    if (v === undefined) continue;
    out.push({ value: v * (m[3] ? MULTIPLIERS[m[3]]! : 1), digits: 15, text: m[0] });
  }
  return out;
}

/** The quantities a Chinese text states in digits, or in Chinese numerals with 万/亿 or as 百分之…, as plain numbers. */
export const quantitiesIn = (text: string): number[] => digestQuantities(text).map((q) => q.value);

const roundTo = (value: number, digits: number) => (value === 0 ? 0 : Number(value.toPrecision(Math.min(15, digits))));
const same = (a: number, b: number) => Math.abs(a - b) <= Math.abs(b) * 1e-9;

/** Letters and digits only, lower case: `GPT-4o` and `gpt 4o` are one name. */
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9+]/g, '');

/**
 * What the digest states that its source does not: numbers whose quantity the source never gives (a digest may round: "2.5 亿"
 * for 249,800,000), and Latin-script names the source never writes (case, spaces and hyphens aside).
 */
export function unsupportedClaims(digest: { title: string; tldr: string; summary: string }, source: string): Claim[] {
  const text = `${digest.title}\n${digest.tldr}\n${digest.summary}`;
  const values = sourceQuantities(source);
  const claims: Claim[] = [];
  const seen = new Set<string>();
  const add = (claim: Claim) => {
    if (seen.has(claim.text)) return;
    seen.add(claim.text);
    claims.push(claim);
  };
  for (const q of digestQuantities(text)) {
    if (!values.some((v) => same(q.value, v) || same(q.value, roundTo(v, q.digits)))) add({ kind: 'number', text: q.text });
  }
  const squashed = squash(source);
  for (const m of text.matchAll(LATIN_NAME)) {
    const name = m[0];
    const key = squash(name);
    if (key.length < 2 || COMMON_LATIN.has(key) || squashed.includes(key)) continue;
    add({ kind: 'name', text: name });
  }
  return claims;
}

/** Sentences, their end marks kept. */
const sentences = (text: string) => text.match(/[^。！？!?；;]+[。！？!?；;]*/gu)?.map((s) => s.trim()).filter(Boolean) ?? [];

/**
 * The digest without the sentences that carry an unsupported claim; the tldr becomes the first sentence left when it carried one,
 * the title the article's own when it did. Undefined when nothing of the summary is left.
 */
export function withoutClaims<D extends { title: string; tldr: string; summary: string }>(digest: D, claims: readonly Claim[], articleTitle: string): D | undefined {
  const carries = (s: string) => claims.some((c) => s.includes(c.text));
  const kept = sentences(digest.summary).filter((s) => !carries(s));
  if (kept.length === 0) return undefined;
  const summary = kept.join('');
  const tldr = carries(digest.tldr) ? kept[0]! : digest.tldr;
  const title = carries(digest.title) ? articleTitle : digest.title;
  return { ...digest, title, tldr, summary };
}

/** The repair request: what the source does not say, named, and the rule again. */
export function repairRequest(claims: readonly Claim[]): string {
  const list = claims.map((c) => `“${c.text}”`).join('、');
  return `摘要里的这些数字或名称在原文中找不到：${list}。请只依据原文重新输出同样格式的 JSON：改正或删去它们，数字、金额、日期和人名、公司名、产品名、模型名都必须与原文一致。`;
}
