// Rendering for Telegram: everything outside escaped, Telegram's HTML rules kept, never over 4096 characters.
import { describe, expect, it } from 'vitest';
import { newFeedState, type Dispatch } from '../../src/core/model.js';
import { dailyEntryOf, renderDaily, renderPush } from '../../src/core/renderDigest.js';
import { escapeHtml, link, packMessages, truncate, visibleLength, MAX_MESSAGE } from '../../src/core/telegramHtml.js';
import { checkTelegramHtml } from '../support/botApiServer.js';

const hostile = `<script>alert("x")</script> & <b>bold</b> &amp; &lt; 😀 "quotes" </blockquote>`;

function dispatch(over: Partial<Dispatch> = {}): Dispatch {
  return {
    article: { key: 'k', url: 'https://e.com/a?x=1&y="2"', title: hostile, categories: [], contentText: hostile.repeat(50), feedId: 'f', feedTitle: hostile, firstSeenAt: 0, ownSite: true },
    feedId: newFeedState('f', 'https://e.com/feed', 0).id,
    feedTitle: hostile,
    digest: { title: hostile, tldr: hostile, summary: hostile.repeat(40), tags: ['AI', 'C_plus'], model: 'm', promptVersion: 'v', createdAt: 0 },
    ...over,
  };
}

describe('escaping', () => {
  it('escapes the three characters Telegram needs escaped', () => {
    expect(escapeHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });

  it('puts only http(s) links in href, with quotes escaped', () => {
    expect(link('t', 'https://e.com/?a="b"&c=1')).toBe('<a href="https://e.com/?a=%22b%22&amp;c=1">t</a>');
    expect(link('t', 'javascript:alert(1)')).toBe('t');
  });

  it('cuts without splitting an emoji', () => {
    const cut = truncate('ab😀cd', 4);
    expect(cut).toBe('ab…');
    expect(() => encodeURIComponent(cut)).not.toThrow();
  });
});

describe('pushes', () => {
  it.each([
    ['with a digest', dispatch()],
    ['without a digest', dispatch({ digest: undefined, noDigest: 'llm-failed' })],
    ['unreadable', dispatch({ digest: undefined, noDigest: 'unreadable' })],
  ])('renders hostile text %s as valid Telegram HTML within the limit', (_name, d) => {
    const { html, plain } = renderPush(d, 'zh');
    expect(checkTelegramHtml(html)).toBeUndefined();
    expect(visibleLength(html)).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(plain.length).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(html).not.toContain('<script>');
  });

  it('uses an expandable quote for a long summary and shows the tags as hashtags', () => {
    const { html } = renderPush(dispatch(), 'zh');
    expect(html).toContain('<blockquote expandable>');
    expect(html).toContain('#AI #C_plus');
  });

  it('marks an article sent without a digest, in the chat’s language', () => {
    expect(renderPush(dispatch({ digest: undefined, noDigest: 'budget' }), 'zh').html).toContain('今日摘要额度已用完');
    expect(renderPush(dispatch({ digest: undefined, noDigest: 'llm-failed' }), 'en').html).toContain('the digest service was unavailable');
  });
});

describe('daily digests', () => {
  it('splits a long day into messages that each stay valid and under the limit', () => {
    const entries = Array.from({ length: 300 }, (_, i) => dailyEntryOf(1, dispatch({ feedId: `f${i % 7}`, feedTitle: `Feed ${i % 7} ${hostile}`, article: { ...dispatch().article, key: `k${i}` } }), i));
    const messages = renderDaily(entries, '2026-11-24', 'zh');
    expect(messages.length).toBeGreaterThan(3);
    for (const m of messages) {
      expect(checkTelegramHtml(m.html)).toBeUndefined();
      expect(visibleLength(m.html)).toBeLessThanOrEqual(MAX_MESSAGE);
    }
    expect(messages.flatMap((m) => m.html.split('\n').filter((l) => l.startsWith('•')))).toHaveLength(300);
  });

  it('packs blocks in order and cuts a single oversized one', () => {
    const packed = packMessages(['a'.repeat(3000), 'b'.repeat(3000), 'c'.repeat(9000)]);
    expect(packed.map((m) => m[0])).toEqual(['a', 'b', 'c']);
    expect(packed.every((m) => visibleLength(m) <= 4000)).toBe(true);
  });
});
