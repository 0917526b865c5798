// A 0.1 store (keyv rows in the same database) is moved into the tables on first start: nothing a user had is lost, and it happens once.
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { importLegacyStore } from '../../src/store/legacyImport.js';
import { openStore } from '../../src/store/store.js';
import { createTempDatabase, postgresUp, type TempDatabase } from '../support/postgres.js';
import { tempStoreUrl } from '../support/tempStore.js';

const NOW = Date.parse('2026-11-24T02:00:00Z');
const FEED = '0123456789abcdef';
const longLink = `u:https://news.example/${'x'.repeat(300)}`;

/** What 0.1 wrote: keyv's `namespace:key` rows holding `{"value": …, "expires": …}`. */
const rows: Array<[string, unknown, number?]> = [
  [`feeds:${FEED}`, { id: FEED, url: 'https://news.example/feed.xml', title: '新闻', nextPollAt: NOW, errorCount: 0, primed: true, createdAt: 1 }],
  [`subs:${FEED}:1001`, { feedId: FEED, chatId: 1001, createdAt: 2 }],
  [`subs:${FEED}:-1001234567890`, { feedId: FEED, chatId: -1001234567890, createdAt: 3 }],
  ['chats:1001', { id: 1001, type: 'private', lang: 'en', mode: 'daily', digestTime: '08:00', timezone: 'Asia/Shanghai', active: true, lastDigestDay: '2026-11-23', createdAt: 1 }],
  ['chats:-1001234567890', { id: -1001234567890, type: 'supergroup', lang: 'zh', mode: 'instant', digestTime: '08:00', timezone: 'Asia/Shanghai', active: false, inactiveReason: 'bot kicked', createdAt: 1 }],
  [`seen:${FEED}:g:one`, { at: NOW - 1000 }],
  [`seen:${FEED}:${longLink}`, { at: NOW - 2000 }],
  ['outbox:p:1001:abc', { id: 'p:1001:abc', chatId: 1001, html: '<b>hi</b>', plain: 'hi', createdAt: 5, attempts: 0, notBefore: 0 }],
  ['sent:p:1001:old', { at: NOW - 5000 }],
  ['daily:1001:art1', { chatId: 1001, articleKey: 'art1', feedId: FEED, feedTitle: '新闻', title: '标题', url: 'https://news.example/1', tldr: '一句话', tags: ['科技'], at: NOW - 100 }],
  ['digests:whatever', { kind: 'digest' }],
  // Malformed rows (a feed without its URL, a subscription without its chat): each costs itself, never the import.
  ['feeds:0000000000000bad', { id: '0000000000000bad', title: 'no url' }],
  ['subs:0000000000000bad:x', { feedId: '0000000000000bad' }],
  ['seen:expired:g:gone', { at: 1 }, 1],
];

const legacyValue = ([, value, expires]: (typeof rows)[number]) => JSON.stringify({ value, expires: expires ?? null });

async function checkImported(url: string, seenKeys: number) {
  const store = await openStore(url);
  try {
    const skipped: string[] = [];
    const report = await importLegacyStore(store, NOW, (key) => skipped.push(key));
    expect(report).toMatchObject({ skipped: 2, feeds: 1, subscriptions: 2, chats: 2, seen: seenKeys, queued: 1, sent: 1, daily: 1 });
    expect(skipped.sort()).toEqual(['feeds:0000000000000bad', 'subs:0000000000000bad:x']);
    expect(await importLegacyStore(store, NOW)).toBeUndefined(); // once
    expect((await store.subscriptions.ofChat(1001)).map((s) => s.feedId)).toEqual([FEED]);
    expect(await store.subscriptions.ofChat(-1001234567890)).toHaveLength(1);
    const chat = (await store.chats.get(1001))!;
    expect(chat).toMatchObject({ lang: 'en', mode: 'daily', active: true, nextDigestAt: Date.parse('2026-11-25T00:00:00Z') });
    expect((await store.chats.get(-1001234567890))!.active).toBe(false);
    expect((await store.feeds.get(FEED))!.title).toBe('新闻');
    const seen = await store.seen.lastSeen(FEED, ['g:one', longLink, 'g:new']);
    expect(seen.size).toBe(seenKeys);
    expect(await store.outbox.size()).toBe(1);
    expect(await store.outbox.wasSent('p:1001:old')).toBe(true);
    expect((await store.daily.ofChats([1001])).get(1001)![0]!.tldr).toBe('一句话');
  } finally {
    await store.close();
  }
}

describe('importing a 0.1 store', () => {
  it('moves a SQLite store written by 0.1 into the tables', async () => {
    const url = tempStoreUrl();
    const file = new Sqlite(url.slice('sqlite://'.length));
    file.exec('CREATE TABLE keyv (key VARCHAR(255) PRIMARY KEY, value TEXT)');
    const insert = file.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)');
    for (const row of rows) insert.run(row[0], legacyValue(row));
    file.close();
    await checkImported(url, 2);
  });

  let temp: TempDatabase | undefined;
  afterAll(async () => temp?.drop());
  it.skipIf(!postgresUp)('moves a PostgreSQL store written by 0.1 into the tables', async () => {
    temp = await createTempDatabase();
    const client = new pg.Client({ connectionString: temp.url });
    await client.connect();
    await client.query('CREATE TABLE keyv (key VARCHAR(255) PRIMARY KEY, value TEXT)');
    try {
      // 0.1 on PostgreSQL could not store a key over 255 characters at all (the bug that made tables necessary).
      for (const row of rows.filter(([key]) => key.length <= 255)) await client.query('INSERT INTO keyv (key, value) VALUES ($1, $2)', [row[0], legacyValue(row)]);
    } finally {
      await client.end();
    }
    await checkImported(temp.url, 1);
  });
});
