// Every real feed of ../shared/corpus/feeds, served over HTTP: parsed with its Chinese decoded right, or refused with a clear reason.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../../src/feeds/addressPolicy.js';
import { NotAFeedError } from '../../src/feeds/parseFeed.js';
import { readFeed } from '../../src/feeds/readFeed.js';
import { createSafeFetch, type SafeFetch } from '../../src/feeds/safeFetch.js';
import { startFeedServer, type FeedServer } from '../support/feedServer.js';

const dir = join(import.meta.dirname, '../../../shared/corpus/feeds');
const present = existsSync(dir);
if (!present) console.warn(`SKIPPING the real-feed corpus tests: ${dir} is absent`);

type Expect =
  | { items: number; feedTitle?: string; firstTitle?: string; firstUrl?: string; someTitle?: string; firstDate?: string }
  | { error: RegExp; notAFeed?: boolean; alternates?: string[] };

const expected: Record<string, Expect> = {
  'zh-big5-atom03-worren.xml': { items: 10, feedTitle: "Worren's Blog", firstTitle: 'Keil C Compiler 中斷的寫法' },
  'zh-big5-rss10-coolloud-truncated-charref.xml': { items: 20, feedTitle: '苦勞網', firstTitle: '1226檔下點交之後 不見棺材不走人 進輪自救會長期抗戰' },
  'zh-big5-rss20-unoriginalblog.xml': { items: 10, feedTitle: 'a kenneth kam blog', firstTitle: 'Aiya…' },
  'zh-gb2312-atom03-eighthday.xml': { items: 7, firstTitle: '又颠了' },
  'zh-gb2312-rss092-cnblog.xml': { items: 3, feedTitle: 'CNBlog:Blog On Blog' },
  'zh-gb2312-rss10-westca.xml': { items: 4, feedTitle: '加西公社温哥华大队向阳生产队温暖小分队', firstTitle: '想要飞 却怎么样也飞不高' },
  // `2020/1/10 14:33:00` and `2005-5-28 16:05:36`: Chinese feeds' zone-less times, read at UTC+8.
  'zh-gb2312-rss20-kc0011-forum.rss': { items: 20, feedTitle: '投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文', firstTitle: '建国35周年纪念，华表，和平鸽', firstDate: '2020-01-10T06:33:00.000Z' },
  'zh-gb2312-rss20-w3cn-nonstandard-dates.xml': { items: 20, feedTitle: '网页设计师 - 文章教程', firstTitle: '如何以及何时使用sIFR', firstDate: '2005-05-28T08:05:36.000Z' },
  'zh-gb2312-undeclared-no-prolog.xml': { items: 1, firstTitle: '不归移民漫画系列：专业工作' },
  'atom03-feedparser-docs-nested-xml-base.xml': { items: 1, firstUrl: 'http://example.org/archives/000001.html' },
  'atom10-intertwingly-relative-uris.atom': { items: 20 },
  'atom10-russcox-large-no-prolog.atom': { items: 19, feedTitle: 'research!rsc' },
  'jsonfeed10-daringfireball.json': { items: 48, feedTitle: 'Daring Fireball' },
  'jsonfeed11-3960-german.json': { items: 20, someTitle: 'Die Rückkehr von <i> und <b>' },
  'podcast-atp-itunes-enclosures-emoji.rss': { items: 100 },
  'podcast-giantbomb-very-large.rss': { items: 730, firstDate: '2019-10-01T22:30:00.000Z' },
  'rss090-heise-netscape-rdf.xml': { items: 60, feedTitle: 'heise online News' },
  'rss092-heraldsun-no-guid.rss': { items: 2 },
  'rss10-biorxiv-rdf-no-prolog.rdf': { items: 30 },
  'rss20-braingle-duplicate-guid.xml': { items: 1 },
  'rss20-donthitsave-utf8-bom.xml': { items: 10, feedTitle: "Don't Hit Save" },
  'rss20-fcutrecht-broken-prolog-phpxml.rss': { items: 20 },
  'rss20-guardian-media-rss.rss': { items: 55, feedTitle: 'The Guardian' },
  'rss20-ibash-windows-1251.xml': { items: 50, firstTitle: 'Цитата #17703' },
  'rss20-jn-iso-8859-1.rss': { items: 40, feedTitle: 'Jornal de Notícias - Últimas Notícias' },
  'rss20-macworld-leading-whitespace-no-prolog.rss': { items: 30, feedTitle: 'Macworld' },
  'rss20-medium-content-encoded-cdata.rss': { items: 7 },
  'rss20-neverwinter-relative-urls.xml': { items: 2, firstUrl: 'SERVER/en/games/neverwinter/news/detail/10743874-neverwinter-%26-jingle-jam-humble-bundle%21' },
  'rss20-pcmag-illegally-nested-items.xml': { items: 10 },
  'rss20-rubenerd-xml-base-emoji.rss': { items: 10, feedTitle: 'Rubenerd' },
  'rss20-uol-undeclared-latin1-no-prolog.rss': { items: 15, feedTitle: 'UOL Noticias' },
  'html-daringfireball-homepage-autodiscovery.html': { error: /HTML page, not a feed; it links to 1 feed/, notAFeed: true, alternates: ['SERVER/feeds/main'] },
  'html-not-a-feed-document-moved.rss': { error: /HTML page, not a feed, and it advertises no feed/, notAFeed: true },
  'json-not-jsonfeed-scriptingnews-rss-in-json.json': { error: /not a JSON Feed/, notAFeed: true },
  'jsonfeed-malformed-truncated.json': { error: /malformed JSON/, notAFeed: true },
  'malformed-incomplete-cdata.xml': { error: /malformed feed XML/ },
};

describe.skipIf(!present)('real feeds from the corpus', () => {
  let server: FeedServer;
  let fetch: SafeFetch;
  beforeAll(async () => {
    server = await startFeedServer();
    fetch = createSafeFetch({ allowPrivate: parseAllowList('127.0.0.1/32'), maxBytes: 5 * 1024 * 1024, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await fetch.close();
    await server.close();
  });

  it('has an expectation for every file in the corpus', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    it(file, async () => {
      const path = `/${file}`;
      server.set(path, { body: readFileSync(join(dir, file)), contentType: file.endsWith('.json') ? 'application/json' : 'application/xml' });
      const root = `http://127.0.0.1:${server.port}`;
      if ('error' in want) {
        const error = await readFeed(fetch, server.url(path)).then(() => undefined, (e: Error) => e);
        expect(error?.message).toMatch(want.error);
        expect(error?.message).toContain(server.url(path));
        if (want.notAFeed) expect(error).toBeInstanceOf(NotAFeedError);
        if (want.alternates) expect((error as NotAFeedError).alternates.map((a) => a.url)).toEqual(want.alternates.map((u) => u.replace('SERVER', root)));
        return;
      }
      const read = await readFeed(fetch, server.url(path));
      if (read.status !== 'ok') throw new Error('expected a body');
      const { feed } = read;
      expect(feed.items).toHaveLength(want.items);
      if (want.feedTitle) expect(feed.title).toBe(want.feedTitle);
      if (want.firstTitle) expect(feed.items[0]!.title).toBe(want.firstTitle);
      if (want.firstDate) expect(new Date(feed.items[0]!.publishedAt!).toISOString()).toBe(want.firstDate);
      if (want.someTitle) expect(feed.items.map((i) => i.title)).toContain(want.someTitle);
      if (want.firstUrl) expect(feed.items[0]!.url).toBe(want.firstUrl.replace('SERVER', root));
      for (const item of feed.items) {
        expect(item.title + item.contentText).not.toContain('\ufffd');
        // JSON Feed titles are plain text: a German post about HTML is titled "Die Rückkehr von <i> und <b>" (checked below).
        if (feed.format !== 'json') expect(item.title).not.toMatch(/<[a-z][^>]*>|&(amp|lt|gt|quot);/i);
        if (item.url) expect(item.url).toMatch(/^https?:\/\//);
        expect(item.key).toBeTruthy();
      }
      expect(new Set(feed.items.map((i) => i.key)).size).toBe(feed.items.length);
    });
  }
});
