// The story lookup at scale: 48 hours of stories from 10,000 feeds seeded in bulk, then new articles placed one by one (candidates by token, the rule, the record).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { storyKeyOf, storyTokensOf, type StoryText } from '../src/core/story.js';
import { createStoryMatcher } from '../src/delivery/storyMatch.js';
import type { Dispatch } from '../src/core/model.js';
import { silentLogger } from '../src/log.js';
import { chunks } from '../src/store/claim.js';
import { fmt, measure } from './measure.js';
import { freshStore, type Engine } from './scale.js';

/** A deterministic generator (mulberry32), so every run seeds the same history. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Real headline words: those ICU finds in the labelled set's titles and tldrs (test/fixtures/stories). */
function headlineWords(): string[] {
  const events = JSON.parse(readFileSync(join(import.meta.dirname, '../../test/fixtures/stories/events.json'), 'utf8')) as Array<{ items: StoryText[] }>;
  const segmenter = new Intl.Segmenter('zh-Hans', { granularity: 'word' });
  const words = new Set<string>();
  for (const e of events) for (const it of e.items) for (const w of segmenter.segment(`${it.title}${it.tldr}`)) if (w.isWordLike && /^\p{Script=Han}{2,}$/u.test(w.segment)) words.add(w.segment);
  return [...words];
}

/**
 * A synthetic digest: a company's name and real headline words. Its few hundred words make every word common (a thousand
 * stories or more each over 48 hours): the lookup reads the most postings per token it ever will.
 */
function storyOf(next: () => number, words: string[], names: string[], i: number): StoryText {
  const any = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
  const title = `${any(names)} ${Array.from({ length: 4 }, () => any(words)).join('')}`;
  const tldr = `${title}，${Array.from({ length: 8 }, () => any(words)).join('')}。`;
  return { title, tldr, tags: [any(words), any(words)], original: `headline ${i}` };
}

/**
 * Seeds `feeds × perDay × 2` stories (48 hours) in bulk with their tokens, then places `articles` new ones through the matcher
 * (a tenth of them another outlet's copy of a seeded story, so the join path runs too): time and memory per article.
 */
export async function benchStories(engine: Engine, feeds: number, perDay: number, articles: number): Promise<void> {
  const { store, drop } = await freshStore(engine);
  const next = random(42);
  const words = headlineWords();
  const names = Array.from({ length: 20_000 }, (_, i) => `Brand${i.toString(36)}`);
  const now = Date.parse('2026-12-03T12:00:00Z');
  const total = feeds * perDay * 2;
  const seeded: StoryText[] = [];
  let tokenRows = 0;
  const [, seed] = await measure(async () => {
    for (const part of chunks(Array.from({ length: total }, (_, i) => i), 500)) {
      const rows = part.map((i) => {
        const text = storyOf(next, words, names, i);
        if (i % 100 === 0) seeded.push(text);
        return { id: `s${i}`, at: now - Math.floor((i / total) * 48 * 3_600_000), text, tokens: storyTokensOf(text, storyKeyOf(text)) };
      });
      await store.db.transaction().execute(async (tx) => {
        await tx.insertInto('stories').values(rows.map((r) => ({ id: r.id, at: r.at, title: r.text.title, tldr: r.text.tldr, tags: JSON.stringify(r.text.tags), original: r.text.original }))).execute();
        await tx
          .insertInto('story_members')
          .values(rows.map((r) => ({ story_id: r.id, article_key: r.id, feed_id: `f${Number(r.id.slice(1)) % feeds}`, feed_title: '源', url: null, at: r.at, html_zh: '', html_en: '', plain_zh: '', plain_en: '' })))
          .execute();
        const tokens = rows.flatMap((r) => r.tokens.map((token) => ({ token, story_id: r.id, at: r.at })));
        tokenRows += tokens.length;
        for (const t of chunks(tokens, 1000)) await tx.insertInto('story_tokens').values(t).onConflict((oc) => oc.doNothing()).execute();
      });
    }
  });
  console.log(`  ${engine.padEnd(8)} seeded ${total} stories of ${feeds} feeds over 48 h (${tokenRows} token rows): ${fmt(seed)}`);
  let merged = 0;
  const matcher = createStoryMatcher({ stories: store.stories, onMerged: async () => void merged++, log: silentLogger });
  const rendered = { html: { zh: '<b>x</b>', en: '<b>x</b>' }, plain: { zh: 'x', en: 'x' } };
  const [, m] = await measure(async () => {
    for (let i = 0; i < articles; i++) {
      const copy = i % 10 === 0 ? seeded[i % seeded.length] : undefined;
      const text = copy ?? storyOf(next, words, names, total + i);
      const d: Dispatch = {
        article: { key: `new${i}`, ownSite: true, title: text.original, categories: [], contentText: '', feedId: 'other', feedTitle: '另一个源', firstSeenAt: now, url: `https://news.example/${i}` },
        feedId: 'other',
        feedTitle: '另一个源',
        digest: { title: text.title, tldr: text.tldr, summary: text.tldr, tags: [...text.tags], model: 'm', promptVersion: 'v', createdAt: now },
      };
      await matcher.place(d, rendered, now);
    }
  });
  const per = { wallMs: m.wallMs / articles, cpuMs: m.cpuMs / articles };
  console.log(
    `  ${engine.padEnd(8)} ${articles} new articles placed: ${per.wallMs.toFixed(2)} ms wall, ${per.cpuMs.toFixed(2)} ms CPU per article, peak RSS ${m.peakRssMb.toFixed(0)} MB; ${merged} joined a seeded story (${Math.ceil(articles / 10)} were copies)`,
  );
  await drop();
}
