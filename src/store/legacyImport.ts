// Moves the facts of a 0.1 store (keyv rows `namespace:key` → JSON) into the tables, once, on the first start against it; caches are left behind.
import { sql, type Kysely } from 'kysely';
import type { Article, ChatSettings, FeedState, OutboxMessage, PendingDigest, Subscription } from '../core/model.js';
import { nextLocalTime } from '../core/localTime.js';
import type { DailyEntry } from '../core/renderDigest.js';
import type { Store } from './store.js';
import type { Database } from './schema.js';

export interface LegacyImportReport {
  /** Rows that could not be read or stored (logged one by one, the rest imported). */
  skipped: number;
  feeds: number;
  subscriptions: number;
  chats: number;
  seen: number;
  queued: number;
  sent: number;
  daily: number;
  pending: number;
}

const MARKER = 'legacy-keyv-import';
const PAGE = 1000;

interface LegacyChat extends ChatSettings {
  lastDigestDay?: string;
}

/** True when a 0.1 keyv table sits in this database and has not been imported yet. */
async function pending(db: Kysely<Database>): Promise<boolean> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'keyv')) return false;
  return !(await db.selectFrom('meta').select('key').where('key', '=', MARKER).executeTakeFirst());
}

function parse(value: string, now: number): unknown {
  try {
    const wrapped = JSON.parse(value) as { value?: unknown; expires?: number | null };
    if (typeof wrapped.expires === 'number' && wrapped.expires < now) return undefined;
    return wrapped.value;
  } catch {
    return undefined;
  }
}

/** `feedId:rest` where the feed id is the 16 hex characters of 0.1 and the rest may hold colons. */
function splitFeedKey(key: string): [string, string] | undefined {
  const i = key.indexOf(':');
  return i > 0 ? [key.slice(0, i), key.slice(i + 1)] : undefined;
}

/**
 * Imports subscriptions, chats, feeds, seen keys, queued messages, sent marks, daily entries and pending digests;
 * returns what it moved, or undefined when there was nothing to import. Every insert keeps what the tables already hold.
 */
export async function importLegacyStore(store: Store, now: number, onSkip: (key: string, error: unknown) => void = () => {}): Promise<LegacyImportReport | undefined> {
  const db = store.db;
  if (!(await pending(db))) return undefined;
  const report: LegacyImportReport = { skipped: 0, feeds: 0, subscriptions: 0, chats: 0, seen: 0, queued: 0, sent: 0, daily: 0, pending: 0 };
  const seenByFeed = new Map<string, Array<[string, number]>>();
  let after = '';
  for (;;) {
    const rows = (await sql<{ key: string; value: string }>`SELECT key, value FROM keyv WHERE key > ${after} ORDER BY key LIMIT ${PAGE}`.execute(db)).rows;
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.key;
    for (const row of rows) {
      const i = row.key.indexOf(':');
      if (i < 0) continue;
      const ns = row.key.slice(0, i);
      const key = row.key.slice(i + 1);
      const value = parse(row.value, now);
      if (value === undefined || value === null) continue;
      // One malformed row (a missing field, a wrong type) costs that row, never the start.
      try {
        switch (ns) {
          case 'feeds': {
            if (await store.feeds.insert(value as FeedState)) report.feeds++;
            break;
          }
          case 'subs': {
            const s = value as Subscription;
            await db.insertInto('subscriptions').values({ feed_id: s.feedId, chat_id: s.chatId, created_at: s.createdAt, options: null }).onConflict((oc) => oc.doNothing()).execute();
            report.subscriptions++;
            break;
          }
          case 'chats': {
            const c = value as LegacyChat;
            const chat: ChatSettings = { ...c };
            delete (chat as LegacyChat).lastDigestDay;
            if (c.mode !== 'instant') chat.nextDigestAt = nextLocalTime(now, c.digestTime, c.timezone);
            await store.chats.ensure(chat);
            if (!c.active) await store.chats.deactivate(c.id, c.inactiveReason ?? 'inactive in 0.1');
            report.chats++;
            break;
          }
          case 'seen': {
            const parts = splitFeedKey(key);
            if (!parts) break;
            const list = seenByFeed.get(parts[0]) ?? [];
            list.push([parts[1], (value as { at: number }).at]);
            seenByFeed.set(parts[0], list);
            report.seen++;
            break;
          }
          case 'outbox': {
            const m = value as OutboxMessage;
            report.queued += (await store.outbox.enqueue([{ ...m, priority: m.id.startsWith('r:') ? 0 : 1 }], now)).length;
            break;
          }
          case 'sent': {
            await db.insertInto('sent').values({ id: key, at: (value as { at: number }).at, message_id: null }).onConflict((oc) => oc.doNothing()).execute();
            report.sent++;
            break;
          }
          case 'daily': {
            await store.daily.insert([value as DailyEntry]);
            report.daily++;
            break;
          }
          case 'pending': {
            const p = value as PendingDigest;
            const article = parse((await sql<{ value: string }>`SELECT value FROM keyv WHERE key = ${`articles:${p.articleKey}`}`.execute(db)).rows[0]?.value ?? 'null', now) as Article | undefined;
            if (!article) break;
            await store.articles.accept([{ ...article, ownSite: article.ownSite ?? true }], [{ ...p, nextAttemptAt: Math.min(p.nextAttemptAt, now) }]);
            report.pending++;
            break;
          }
        }
      } catch (error) {
        report.skipped++;
        onSkip(row.key, error);
      }
    }
  }
  for (const [feedId, marks] of seenByFeed) {
    const byAt = new Map<number, string[]>();
    for (const [k, at] of marks) byAt.set(at, [...(byAt.get(at) ?? []), k]);
    for (const [at, keys] of byAt) await store.seen.mark(feedId, keys, at);
  }
  await db
    .insertInto('meta')
    .values({ key: MARKER, value: JSON.stringify({ at: now, ...report }) })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return report;
}
