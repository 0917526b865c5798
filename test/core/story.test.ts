// The same-story rule measured on a labelled set written as outlets write (test/fixtures/stories): precision first, recall reported.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareStories, storyKeyOf, storyTokensOf, type StoryText } from '../../src/core/story.js';

const dir = join(import.meta.dirname, '../fixtures/stories');
const events = JSON.parse(readFileSync(join(dir, 'events.json'), 'utf8')) as Array<{ event: string; items: StoryText[] }>;
const negatives = JSON.parse(readFileSync(join(dir, 'negatives.json'), 'utf8')) as Array<{ why: string; a: StoryText; b: StoryText }>;

interface Pair {
  a: StoryText;
  b: StoryText;
  same: boolean;
  kind: string;
}

const pairs: Pair[] = [];
for (const e of events) for (let i = 0; i < e.items.length; i++) for (let j = i + 1; j < e.items.length; j++) pairs.push({ a: e.items[i]!, b: e.items[j]!, same: true, kind: e.event });
for (const n of negatives) pairs.push({ a: n.a, b: n.b, same: false, kind: `hard: ${n.why}` });
for (let x = 0; x < events.length; x++) {
  for (let y = x + 1; y < events.length; y++) for (const a of events[x]!.items) for (const b of events[y]!.items) pairs.push({ a, b, same: false, kind: 'other event' });
}

describe('the same-story rule', () => {
  const judged = pairs.map((p) => ({ ...p, verdict: compareStories(storyKeyOf(p.a), storyKeyOf(p.b)) }));
  const tp = judged.filter((p) => p.same && p.verdict.same).length;
  const fp = judged.filter((p) => !p.same && p.verdict.same);
  const fn = judged.filter((p) => p.same && !p.verdict.same);
  const precision = tp / (tp + fp.length);
  const recall = tp / (tp + fn.length);

  it('is measured on at least 150 labelled pairs, hard negatives among them', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(150);
    expect(negatives.length).toBeGreaterThanOrEqual(30);
    console.log(
      `same-story rule: ${pairs.length} pairs (${pairs.filter((p) => p.same).length} same, ${negatives.length} hard negatives), precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`,
    );
    for (const p of fp) console.log(`  merged wrongly (${p.kind}, ${p.verdict.score.toFixed(2)}): ${p.a.title} | ${p.b.title}`);
    const closest = judged.filter((p) => !p.same && !p.verdict.veto).sort((x, y) => y.verdict.score - x.verdict.score).slice(0, 5);
    for (const p of closest) console.log(`  closest kept apart (${p.kind}, ${p.verdict.score.toFixed(2)}): ${p.a.title} | ${p.b.title}`);
    for (const p of fn) console.log(`  missed (${p.kind}, ${p.verdict.score.toFixed(2)}${p.verdict.veto ? `, ${p.verdict.veto}` : ''}): ${p.a.title} | ${p.b.title}`);
  });

  it('merges two different stories in no more than 2% of its merges', () => {
    expect(precision).toBeGreaterThanOrEqual(0.98);
  });

  it('keeps every hard negative apart', () => {
    expect(fp.filter((p) => p.kind.startsWith('hard')).map((p) => `${p.a.title} | ${p.b.title}`)).toEqual([]);
  });

  it('finds most write-ups of one event (a floor, so a change that loses them is seen)', () => {
    expect(recall).toBeGreaterThanOrEqual(0.6);
  });

  it('finds the story a write-up belongs to by the tokens it is looked up by: every pair the rule merges shares one', () => {
    const tokens = (s: StoryText) => new Set(storyTokensOf(s, storyKeyOf(s)));
    const unreachable = judged.filter((p) => p.same && p.verdict.same).filter((p) => ![...tokens(p.a)].some((t) => tokens(p.b).has(t)));
    expect(unreachable.map((p) => `${p.a.title} | ${p.b.title}`)).toEqual([]);
  });
});
