// The chats table: each chat's settings and its next daily-digest instant (indexed, so the daily tick reads only the chats that are due).
import type { Kysely, Selectable } from 'kysely';
import type { ChatSettings, DeliveryMode } from '../core/model.js';
import { dbNow, dbNowPlus, skipLocked, type Claimant } from './claim.js';
import type { Dialect } from './database.js';
import type { ChatsTable, Database } from './schema.js';

export type ChatChange = Partial<Pick<ChatSettings, 'mode' | 'digestTime' | 'timezone' | 'lang' | 'title' | 'merge'>> & { nextDigestAt?: number | null; lastDigestAt?: number };

export interface ChatQueries {
  get(id: number): Promise<ChatSettings | undefined>;
  getMany(ids: number[]): Promise<ChatSettings[]>;
  /** Creates the chat unless it exists; returns the stored settings either way. */
  ensure(chat: ChatSettings): Promise<ChatSettings>;
  /** Changes the given fields only; returns the settings after the change. A chat that leaves daily mode drops its waiting lines. */
  update(id: number, change: ChatChange): Promise<ChatSettings | undefined>;
  /** The chat spoke again: deliveries resume. */
  activate(id: number): Promise<void>;
  /** Telegram refuses the chat: nothing more is sent until it speaks (its waiting daily lines go too); true when it was active. */
  deactivate(id: number, reason: string): Promise<boolean>;
  /**
   * Chats whose daily digest is due, up to `limit`, held by `claim` (a crashed tick's chats come back when it lapses). Each keeps
   * the instant it was due (its digest's identity) until its digest is recorded.
   */
  claimDueDigests(now: number, limit: number, claim: Claimant): Promise<ChatSettings[]>;
  /** Chats the bot delivers to (operators' figures). */
  countActive(): Promise<number>;
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
    merge: Number(row.merge ?? 1) === 1,
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
          merge: chat.merge === false ? 0 : 1,
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
      if (change.mode === 'instant') {
        return db.transaction().execute(async (tx) => {
          await tx.deleteFrom('daily_entries').where('chat_id', '=', id).execute();
          return updateIn(tx, id, change);
        });
      }
      return updateIn(db, id, change);
    },
    async activate(id) {
      await db.updateTable('chats').set({ active: 1, inactive_reason: null }).where('id', '=', id).where('active', '=', 0).execute();
    },
    async deactivate(id, reason) {
      return db.transaction().execute(async (tx) => {
        const r = await tx.updateTable('chats').set({ active: 0, inactive_reason: reason }).where('id', '=', id).where('active', '=', 1).executeTakeFirst();
        await tx.deleteFrom('daily_entries').where('chat_id', '=', id).execute();
        return Number(r.numUpdatedRows) > 0;
      });
    },
    async countActive() {
      const row = await db.selectFrom('chats').select((eb) => eb.fn.countAll<number>().as('n')).where('active', '=', 1).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async claimDueDigests(now, limit, claim) {
      return db.transaction().execute(async (tx) => {
        const pick = tx
          .selectFrom('chats')
          .selectAll()
          .where('next_digest_at', '<=', now)
          .where('digest_claimed_until', '<', dbNow(dialect))
          .orderBy('next_digest_at')
          .limit(limit);
        const rows = await skipLocked(dialect, pick).execute();
        if (rows.length === 0) return [];
        const held = await tx
          .updateTable('chats')
          .set({ digest_claimed_until: dbNowPlus(dialect, claim.holdMs), digest_claimed_by: claim.owner })
          .where('id', 'in', rows.map((r) => r.id))
          .where('digest_claimed_until', '<', dbNow(dialect))
          .returningAll()
          .execute();
        return held.map(chatOf);
      });
    },
  };
}

async function updateIn(db: Kysely<Database>, id: number, change: ChatChange): Promise<ChatSettings | undefined> {
  const set: Partial<Record<keyof ChatsTable, unknown>> = {};
  if (change.mode !== undefined) set.mode = change.mode;
  if (change.digestTime !== undefined) set.digest_time = change.digestTime;
  if (change.timezone !== undefined) set.timezone = change.timezone;
  if (change.lang !== undefined) set.lang = change.lang;
  if (change.title !== undefined) set.title = change.title;
  if (change.merge !== undefined) set.merge = change.merge ? 1 : 0;
  if (change.nextDigestAt !== undefined) set.next_digest_at = change.nextDigestAt;
  if (change.lastDigestAt !== undefined) set.last_digest_at = change.lastDigestAt;
  if (Object.keys(set).length > 0) await db.updateTable('chats').set(set as never).where('id', '=', id).execute();
  const row = await db.selectFrom('chats').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? chatOf(row) : undefined;
}
