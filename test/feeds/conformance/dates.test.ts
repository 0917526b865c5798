// Class 2: one bad date costs that date, never the feed; zone names, two-digit years and zone-less dates read as the mature parsers do.
import { describe, expect, it } from 'vitest';
import { parseFeedDate } from '../../../src/core/feedDate.js';
import { itemAt, readFixture } from '../../support/feedFixtures.js';

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

const table: Array<[input: string, expected: string | null, why?: string]> = [
  ['Thu, 30 Apr 2015 08:57:00 MET', '2015-04-30T07:57:00.000Z'],
  ['Thu, 30 Apr 2015 08:57:00 MEST', '2015-04-30T06:57:00.000Z'],
  ['Mon, 26 January 2004 16:31:00 ET', '2004-01-26T21:31:00.000Z'],
  ['Mon, 26 January 2004 16:31:00 CT', '2004-01-26T22:31:00.000Z'],
  ['Mon, 26 January 2004 16:31:00 MT', '2004-01-26T23:31:00.000Z'],
  ['Mon, 26 January 2004 16:31:00 PT', '2004-01-27T00:31:00.000Z'],
  ['Mon, 26 January 2004 16:31:00 AT', '2004-01-26T20:31:00.000Z'],
  ['Thu, 01 Jan 2004 19:48:21 A', '2004-01-01T20:48:21.000Z', 'RFC 822 military zone A is UTC−1'],
  ['Thu, 01 Jan 2004 19:48:21 N', '2004-01-01T18:48:21.000Z', 'RFC 822 military zone N is UTC+1'],
  ['Thu, 01 Jan 2004 19:48:21 Z', '2004-01-01T19:48:21.000Z'],
  ['Wed, 19 Aug 2009 18:28:00 Etc/GMT', '2009-08-19T18:28:00.000Z'],
  ['Thu, 01 Jan 2004 19:48:21 Etc/GMT+8', '2004-01-02T03:48:21.000Z', 'IANA names: Etc/GMT+8 is eight hours behind UTC (feedparser reads no date here)'],
  ['Thu, 01 Jan 2004 19:48:21 Asia/Shanghai', '2004-01-01T11:48:21.000Z'],
  ['Wed, 19 Feb 2012 22:40:00 GMT-01:01', '2012-02-19T23:41:00.000Z'],
  ['Wed, 19 Feb 2012 22:40:00 -01:01', '2012-02-19T23:41:00.000Z'],
  ['Thu, 01 Jan 04 19:48:21 GMT', '2004-01-01T19:48:21.000Z'],
  ['Thu, 01 Jan 99 19:48:21 GMT', '1999-01-01T19:48:21.000Z'],
  ['Thu,  5 Apr 2012 10:00:00 GMT', '2012-04-05T10:00:00.000Z'],
  ['Fri,24 Nov 2023 18:28:36 -0000', '2023-11-24T18:28:36.000Z'],
  ['Mon, 13 Feb, 2012 06:28:00 UTC', '2012-02-13T06:28:00.000Z'],
  ['Thu, 01 Jan 2004 00:00 GMT', '2004-01-01T00:00:00.000Z'],
  ['Thu, 01 Jan 2004', '2004-01-01T00:00:00.000Z'],
  ['Thu Aug 30 2012 17:26:16 +0200', '2012-08-30T15:26:16.000Z'],
  ['Sun Jan  4 16:29:06 2004', '2004-01-04T16:29:06.000Z'],
  ['Sun Jul 15 01:16:00 +0000 2012', '2012-07-15T01:16:00.000Z'],
  ['Fri, 2006/09/15 08:19:53 EDT', '2006-09-15T12:19:53.000Z'],
  ['2003-12-31T10:14:55Z', '2003-12-31T10:14:55.000Z'],
  ['2003-12-31T10:14:55-08:00', '2003-12-31T18:14:55.000Z'],
  ['2007-04-23T23:25:47.538+10:00', '2007-04-23T13:25:47.000Z'],
  ['2003-12-31', '2003-12-31T00:00:00.000Z'],
  ['2003-12', '2003-12-01T00:00:00.000Z'],
  ['2003', '2003-01-01T00:00:00.000Z'],
  ['2003-012-31T10:14:55+00:00', '2003-12-31T10:14:55.000Z'],
  ['2004-02-28T18:14:55-08:00', '2004-02-29T02:14:55.000Z'],
  ['2004-07-08 23:56:58 -00:20', '2004-07-09T00:16:58.000Z'],
  ['2004-07-08 23:56:58', '2004-07-08T23:56:58.000Z', 'no zone: UTC, so the date never moves with the server (feedparser does the same)'],
  ['2004-07-08 23:56:58.0', '2004-07-08T23:56:58.000Z'],
  ['20040708T235658Z', '2004-07-08T23:56:58.000Z'],
  ['2024年7月8日 23:56', '2024-07-08T23:56:00.000Z', 'no zone: UTC, as above'],
  ['Tue, 10 Jun 2003 04:00:00 +0000 (UTC)', '2003-06-10T04:00:00.000Z'],
  ['Sun, 07 Jun 2009 12:00:00 +0100 GMT', '2009-06-07T11:00:00.000Z', 'the numeric offset counts, the name after it is a label'],
  ['June 5, 2012 10:00 PM', '2012-06-05T22:00:00.000Z'],
  ['June 5, 2012 12:30 AM', '2012-06-05T00:30:00.000Z'],
  ['2004년 05월 28일 01:31:15', '2004-05-27T16:31:15.000Z', 'Korean, no zone: KST'],
  ['2004-05-25 오후 11:23:17', '2004-05-25T14:23:17.000Z', 'Korean 오후 is pm'],
  ['2004-05-25 오전 12:03:00', '2004-05-24T15:03:00.000Z', 'Korean 오전 12 is just after midnight'],
  ['Κυρ, 11 Ιούλ 2004 12:00:00 EST', '2004-07-11T17:00:00.000Z', 'Greek day and month names'],
  ['Τρι, 02 Δεκ 2003 09:30:00 +0200', '2003-12-02T07:30:00.000Z'],
  ['2004-július-13T9:15-05:00', '2004-07-13T14:15:00.000Z', 'Hungarian month name'],
  ['kedd, 13 április 2004 09:15:00 GMT', '2004-04-13T09:15:00.000Z', 'Hungarian day and month names'],
  ['031231', '2003-12-31T00:00:00.000Z', 'ISO 8601 reduced: YYMMDD'],
  ['03-12-31', '2003-12-31T00:00:00.000Z', 'ISO 8601 reduced: YY-MM-DD'],
  ['-0312', '2003-12-01T00:00:00.000Z', 'ISO 8601 reduced: -YYMM'],
  ['-03-12', '2003-12-01T00:00:00.000Z', 'ISO 8601 reduced: -YY-MM'],
  ['0999-06-15T12:00:00Z', '0999-06-15T12:00:00.000Z', 'a year before 1000, kept as written'],
  ['0045-03-15', '0045-03-15T00:00:00.000Z'],
  ['22013', null, 'a five-digit number is no year'],
  ['013', null],
  ['2013-01-27-01', null],
  ['2013-01-28T11:30:00-06:00Textra', null],
  ['2013-xx-27', null],
  ['2013-01-28T09:xx:00Z', null],
  ['2003-12-31T25:14:55Z', null],
  ['2003-12-31T10:61:55Z', null],
  ['9999-12-31T23:59:59-99:99', null],
  ['Sun, 16 Dec 2012 1:2:3:4 GMT', null],
  ['Sun, 16 zzz 2012 11:47:32 GMT', null],
  ['Sun, Dec x 2012 11:47:32 GMT', null],
  ['Sun, 16 Dec zz 11:47:32 GMT', null],
  ['Sun, 16 Dec 2012 11:47:32 +zz:00', null],
  ['Sun, 99 Jun 2009 12:00:00 GMT', null],
  ['', null],
  ['yesterday', null],
];

describe('parseFeedDate', () => {
  for (const [input, expected, why] of table) {
    it(`${JSON.stringify(input)} → ${expected}${why ? ` (${why})` : ''}`, () => {
      expect(iso(parseFeedDate(input))).toBe(expected);
    });
  }
});

describe('dates inside feeds', () => {
  const cases: Array<{ fixture: string; url: string; date: string | null }> = [
    { fixture: 'dates/atom-bad-published.xml', url: 'https://example.org/d/1', date: '2015-04-30T07:57:00.000Z' },
    { fixture: 'dates/atom-bad-published.xml', url: 'https://example.org/d/2', date: '2015-05-01T10:00:00.000Z' },
    { fixture: 'dates/atom-bad-published.xml', url: 'https://example.org/d/3', date: null },
    { fixture: 'dates/atom-bad-published.xml', url: 'https://example.org/d/4', date: '2004-07-08T23:56:58.000Z' },
    { fixture: 'dates/rss-zones.xml', url: 'https://example.org/z/1', date: '2004-01-26T21:31:00.000Z' },
    { fixture: 'dates/rss-zones.xml', url: 'https://example.org/z/2', date: '2004-01-01T19:48:21.000Z' },
    { fixture: 'dates/rss-zones.xml', url: 'https://example.org/z/3', date: '2004-01-01T18:48:21.000Z' },
    { fixture: 'dates/rss-zones.xml', url: 'https://example.org/z/4', date: '2004-01-02T03:48:21.000Z' },
    { fixture: 'dates/rss-zones.xml', url: 'https://example.org/z/5', date: '2003-12-31T10:14:55.000Z' },
    // Chinese feeds (declared, or a Han title with no language declared): times without a zone and `CST` are UTC+8, the zone of every
    // place that writes Chinese; other feeds keep UTC and RFC 822's CST (UTC−6).
    { fixture: 'dates/rss-korean-greek.xml', url: 'https://example.org/k/1', date: '2004-05-27T16:31:15.000Z' },
    { fixture: 'dates/rss-korean-greek.xml', url: 'https://example.org/k/2', date: '2004-05-25T14:23:17.000Z' },
    { fixture: 'dates/rss-korean-greek.xml', url: 'https://example.org/k/3', date: '2004-07-11T17:00:00.000Z' },
    { fixture: 'dates/rss-chinese-local-times.xml', url: 'https://example.cn/t/1', date: '2024-07-08T15:56:58.000Z' },
    { fixture: 'dates/rss-chinese-local-times.xml', url: 'https://example.cn/t/2', date: '2024-07-08T15:56:58.000Z' },
    { fixture: 'dates/rss-chinese-local-times.xml', url: 'https://example.cn/t/3', date: '2024-07-08T23:56:58.000Z' },
    { fixture: 'dates/atom-han-title-undeclared.xml', url: 'https://example.cn/h/1', date: '2024-07-08T15:56:58.000Z' },
    { fixture: 'jsonfeed/chinese-local-time.json', url: 'https://example.cn/j/1', date: '2024-07-08T15:56:58.000Z' },
    { fixture: 'dates/rss-english-cst.xml', url: 'https://example.com/c/1', date: '2024-07-09T05:56:58.000Z' },
  ];
  for (const c of cases) {
    it(`${c.fixture}: ${c.url} dated ${c.date}`, async () => {
      const feed = await readFixture(c.fixture);
      expect(iso(itemAt(feed, c.url).publishedAt)).toBe(c.date);
    });
  }

  it('keeps every entry of a feed whose dates are partly unreadable', async () => {
    expect((await readFixture('dates/atom-bad-published.xml')).items).toHaveLength(4);
  });
});
