// Every sentence the bot can say, in both languages and with hostile arguments, passes Telegram's HTML rules and its length limit.
import { describe, expect, it } from 'vitest';
import { FEED_OPTION_TEXTS } from '../../src/bot/feedOptionTexts.js';
import { TEXTS, type Texts } from '../../src/bot/i18n.js';
import { escapeHtml } from '../../src/core/telegramHtml.js';
import { checkTelegramHtml } from '../support/botApiServer.js';

const hostile = escapeHtml('<b>科技 & "日报"</b> <script>');
const sample = (arity: number): unknown[] =>
  Array.from({ length: arity }, (_, i) => (i === 0 ? 3 : hostile));

/** Each text rendered: strings as they are, functions with sample arguments (numbers where the text counts, else hostile text). */
function rendered(texts: Texts | (typeof FEED_OPTION_TEXTS)['zh']): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(texts)) {
    if (typeof value === 'string') out.push([key, value]);
    else if (typeof value === 'function') {
      const fn = value as (...args: unknown[]) => string;
      if (key === 'importReport') out.push([key, fn(2, 1, 1, 3)], [`${key} (all imported)`, fn(2, 1, 0, 0)]);
      else if (/^subTooMany$|^import(OverCap|PastFile|More|LeftCaption)$|^subLimit$|^listHeader$|^summaryQuota$|^summaryQueued$|^subWorking$|^importWorking$|^exportCaption$/.test(key)) {
        out.push([`${key}(1)`, fn(1, 1)], [`${key}(3)`, fn(3, 2)]);
      } else if (key === 'healthFailing') out.push([key, fn(2, hostile)]);
      else if (key === 'stats') {
        const figures = { feeds: 3, activeChats: 2, queued: 1, pendingDigests: 0, failed: { job: 1, digest: 0, message: 2 }, llmTokensToday: 1200, unfaithfulToday: { revised: 1, trimmed: 0, refused: 0 }, mergedToday: { sources: 2, edits: 5 }, sender: { held: true, here: false }, sends: { sent: 1, rateLimited: 0, retried: 0, failed: 0 } };
        out.push([key, fn(figures)], [`${key} (none failed, nobody sending)`, fn({ ...figures, failed: { job: 0, digest: 0, message: 0 }, sender: { held: false, here: false } })]);
      } else out.push([key, fn(...sample(fn.length).map((a) => (typeof a === 'number' ? hostile : a)))]);
    } else {
      for (const [k, v] of Object.entries(value as Record<string, string>)) out.push([`${key}.${k}`, v]);
    }
  }
  return out;
}

describe('the bot’s sentences', () => {
  for (const lang of ['zh', 'en'] as const) {
    it.each([...rendered(TEXTS[lang]), ...rendered(FEED_OPTION_TEXTS[lang]).map(([k, v]): [string, string] => [`options.${k}`, v])])(`${lang}: %s is valid Telegram HTML within 4096 characters`, (_key, html) => {
      expect(checkTelegramHtml(html)).toBeUndefined();
      expect(html.length).toBeLessThanOrEqual(4096);
      expect(html).not.toMatch(/\(s\)/); // English plurals are written out
    });
  }
});
