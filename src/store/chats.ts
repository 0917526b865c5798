// The chats table: each chat's settings and its next daily-digest instant (indexed, so the daily tick reads only the chats that are due).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChatSettings, DeliveryMode } from '../core/model.js';
import { chunks, skipLocked } from './claim.js';
import type { Dialect } from './database.js';
import type { ChatsTable, Database } from './schema.js';

export type ChatChange = Partial<Pick<ChatSettings, 'mode' | 'digestTime' | 'timezone' | 'lang' | 'title'>> & { nextDigestAt?: number | null; lastDigestAt?: number };

export interface ChatQueries {
  get(id: number): Promise<ChatSettings | undefined>;
  getMany(ids: number[]): Promise<ChatSettings[]>;
  /** Creates the chat unless it exists; returns the stored settings either way. */
  ensure(chat: ChatSettings): Promise<ChatSettings>;
  /** Changes the given fields only; returns the settings after the change. */
  update(id: number, change: ChatChange): Promise<ChatSettings | undefined>;
  /** The chat spoke again: deliveries resume. */
  activate(id: number): Promise<void>;
  /** Telegram refuses the chat: nothing more is sent until it speaks; true when it was active. */
  deactivate(id: number, reason: string): Promise<boolean>;
  /**
   * Chats whose daily digest is due, up to `limit`, held for `holdMs` (a crashed tick's chats come back then).
   * Each comes with the instant it was due (its digest's identity).
   */
  claimDueDigests(now: number, limit: number, holdMs: number): Promise<ChatSettings[]>;
  /** A group became a supergroup: its settings move to the new id (copied, then removed). */
  moveChat(from: number, to: number): Promise<void>;
  /** After a tick: these chats' next digest instants (chats sharing one go in one statement). */
  scheduleDigests(next: Array<{ id: number; nextDigestAt: number | null }>, lastDigestAt: number): Promise<void>;
}

type Row = Selectable<ChatsTable>;

export function chatOf(row: Row): ChatSettings {
  const chat: ChatSettings = {
    id: Number(row.id),
    type: row.type as ChatSettings['type'],
    lang: row.lang === 'en' ? 'en' : 'zh',
    mode: row.mode as DeliveryMode,
    digestTime: row.digest_time,
    timezone: row.timezone,
    active: Number(row.active) === 1,
    createdAt: Number(row.created_at),
  };
  if (row.title !== null) chat.title = row.title;
  if (row.inactive_reason !== null) chat.inactiveReason = row.inactive_reason;
  if (row.next_digest_at !== null) chat.nextDigestAt = Number(row.next_digest_at);
  if (row.last_digest_at !== null) chat.lastDigestAt = Number(row.last_digest_at);
  return chat;
}

export function createChatQueries(db: Kysely<Database>, dialect: Dialect): ChatQueries {
  const get = async (id: number) => {
    const row = await db.selectFrom('chats').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? chatOf(row) : undefined;
  };
  return {
    get,
    async getMany(ids) {
      if (ids.length === 0) return [];
      return (await db.selectFrom('chats').selectAll().where('id', 'in', ids).execute()).map(chatOf);
    },
    async ensure(chat) {
      await db
        .insertInto('chats')
        .values({
          id: chat.id,
          type: chat.type,
          title: chat.title ?? null,
          lang: chat.lang,
          mode: chat.mode,
          digest_time: chat.digestTime,
          timezone: chat.timezone,
          active: chat.active ? 1 : 0,
          inactive_reason: null,
          next_digest_at: chat.nextDigestAt ?? null,
          last_digest_at: null,
          created_at: chat.createdAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return (await get(chat.id)) ?? chat;
    },
    async update(id, change) {
      const set: Partial<Record<keyof ChatsTable, unknown>> = {};
      if (change.mode !== undefined) set.mode = change.mode;
      if (change.digestTime !== undefined) set.digest_time = change.digestTime;
      if (change.timezone !== undefined) set.timezone = change.timezone;
      if (change.lang !== undefined) set.lang = change.lang;
      if (change.title !== undefined) set.title = change.title;
      if (change.nextDigestAt !== undefined) set.next_digest_at = change.nextDigestAt;
      if (change.lastDigestAt !== undefined) set.last_digest_at = change.lastDigestAt;
      if (Object.keys(set).length > 0) await db.updateTable('chats').set(set as never).where('id', '=', id).execute();
      return get(id);
    },
    async activate(id) {
      await db.updateTable('chats').set({ active: 1, inactive_reason: null }).where('id', '=', id).where('active', '=', 0).execute();
    },
    async deactivate(id, reason) {
      const r = await db.updateTable('chats').set({ active: 0, inactive_reason: reason }).where('id', '=', id).where('active', '=', 1).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async claimDueDigests(now, limit, holdMs) {
      return db.transaction().execute(async (tx) => {
        const pick = tx.selectFrom('chats').selectAll().where('next_digest_at', '<=', now).orderBy('next_digest_at').limit(limit);
        const rows = await skipLocked(dialect, pick).execute();
        if (rows.length === 0) return [];
        await tx
          .updateTable('chats')
          .set({ next_digest_at: now + holdMs })
          .where('id', 'in', rows.map((r) => r.id))
          .execute();
        return rows.map(chatOf);
      });
    },
    async scheduleDigests(next, lastDigestAt) {
      const byInstant = new Map<number | null, number[]>();
      for (const n of next) byInstant.set(n.nextDigestAt, [...(byInstant.get(n.nextDigestAt) ?? []), n.id]);
      for (const [instant, ids] of byInstant) {
        for (const part of chunks(ids)) {
          await db.updateTable('chats').set({ next_digest_at: instant, last_digest_at: lastDigestAt }).where('id', 'in', part).execute();
        }
      }
    },
    async moveChat(from, to) {
      await db.transaction().execute(async (tx) => {
        await sql`
          INSERT INTO chats (id, type, title, lang, mode, digest_time, timezone, active, inactive_reason, next_digest_at, last_digest_at, created_at)
          SELECT CAST(${to} AS BIGINT), 'supergroup', title, lang, mode, digest_time, timezone, active, inactive_reason, next_digest_at, last_digest_at, created_at
          FROM chats WHERE id = ${from}
          ON CONFLICT (id) DO NOTHING`.execute(tx);
        await tx.deleteFrom('chats').where('id', '=', from).execute();
      });
    },
  };
}
