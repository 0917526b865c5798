// The outbox: messages waiting for Telegram, and one row per chat saying when its next message may go (the sender's index).
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { OutboxMessage } from '../core/model.js';
import { chunks, dbNow, dbNowPlus } from './claim.js';
import type { Dialect } from './database.js';
import { pruneInBatches } from './prune.js';
import { betterPriority, queuePushes, type FanOutCount, type PushFanOut } from './pushFanOut.js';
import type { Database, OutboxTable } from './schema.js';

/** A message to queue; `priority` 0 is a reply to a person, 1 a push or digest. */
export type NewMessage = Omit<OutboxMessage, 'attempts' | 'createdAt'> & { createdAt?: number; priority?: number };

/** A message Telegram took: when it answered, and the id it gave the message (a message that replaced another: that one's too). */
export interface SentRecord {
  message: OutboxMessage;
  at: number;
  messageId?: number | undefined;
}

export interface ReadyChat {
  chatId: number;
  readyAt: number;
  /** Its next message answers a person (priority 0): it goes as soon as Telegram's limit allows, not at the next burst. */
  urgent: boolean;
}

export interface OutboxQueries {
  /** Queues messages not sent or queued before; returns the ids queued by this call. */
  enqueue(messages: NewMessage[], now: number): Promise<string[]>;
  /**
   * Queues one push per active subscriber of the feed whose mode (its own, else the chat's) is instant or both and whose filters
   * let the article through, in one statement, each under the subscription's title, preview and topic. With a story: a chat that
   * merges stories and got the push of another of its sources gets instead an edit of that push naming every other source
   * (`e:<chat>:<article>`, replacing `p:<chat>:<other>`); the story is held meanwhile, so two sources fanned out at once on two
   * replicas see each other's pushes.
   */
  fanOut(push: PushFanOut): Promise<FanOutCount>;
  /** Chats whose next message may go at `now`, replies first, then the longest waiting. */
  readyChats(now: number, limit: number): Promise<ReadyChat[]>;
  /**
   * The next message of each chat (failed ones passed over), held for sending for `holdMs` (the database's clock), in one
   * statement; a chat that has none, or whose next message another sender holds, gives nothing (so its order is kept).
   */
  takeHeads(chatIds: readonly number[], holdMs: number): Promise<OutboxMessage[]>;
  /**
   * Telegram took them: recorded as sent (with Telegram's message id; a message that replaced another records that one's id there
   * too) and removed, in one transaction, and each chat's next message waits until `nextReadyAt`. Written again, nothing changes.
   */
  markSent(records: readonly SentRecord[], nextReadyAt: number): Promise<void>;
  /** Telegram's message id of a sent message, if it was sent and the id is known. */
  sentMessageId(id: string): Promise<number | undefined>;
  /** Takes a message out of the queue before it was sent (a progress note its answer replaces); true when it was still queued. */
  withdraw(id: string): Promise<boolean>;
  /** Not now: the message stays, released, with its attempts; the chat waits until `readyAt`. */
  retryAt(message: OutboxMessage, readyAt: number, change?: { attempts?: number; dropHtml?: boolean }): Promise<void>;
  /** Gives up on one message: kept as failed (with its error, under `failureId`) for operators, the chat's next one goes on. */
  fail(message: OutboxMessage, fields: { error: string; failureId: string; at: number }): Promise<void>;
  /** Gives up on every message to a chat (blocked, gone); returns how many were dropped. */
  dropChat(chatId: number): Promise<number>;
  /** The chat may get nothing before `readyAt` (Telegram asked to wait, or the group's minute is full). */
  delayChat(chatId: number, readyAt: number): Promise<void>;
  wasSent(id: string): Promise<boolean>;
  /** Messages waiting (all chats; failed ones not counted). */
  size(): Promise<number>;
  /** Chats that have messages (created since `since`, or any) but lost their index row (a race with the sender): put back. Returns how many. */
  repair(now: number, since?: number): Promise<number>;
  /** Forgets sent marks older than `before`. */
  pruneSent(before: number): Promise<number>;
}

function messageOf(r: Selectable<OutboxTable>): OutboxMessage {
  const extra = r.extra ? (JSON.parse(r.extra) as Partial<OutboxMessage>) : {};
  const m: OutboxMessage = { ...extra, id: r.id, chatId: Number(r.chat_id), plain: r.plain, createdAt: Number(r.created_at), attempts: Number(r.attempts) };
  if (r.html !== null) m.html = r.html;
  if (r.thread_id !== null) m.threadId = Number(r.thread_id);
  return m;
}

function extraOf(m: NewMessage): string | null {
  const extra: Partial<OutboxMessage> = {};
  if (m.document) extra.document = m.document;
  if (m.replyMarkup) extra.replyMarkup = m.replyMarkup;
  if (m.replyTo) extra.replyTo = m.replyTo;
  if (m.noPreview) extra.noPreview = m.noPreview;
  if (m.preview) extra.preview = m.preview;
  if (m.replaces) extra.replaces = m.replaces;
  if (m.editOnly) extra.editOnly = m.editOnly;
  return Object.keys(extra).length ? JSON.stringify(extra) : null;
}


/**
 * Queues messages not sent or queued before, inside the caller's transaction (the daily digest queues its pages with their
 * record in one); returns the ids queued.
 */
export async function enqueueIn(tx: Kysely<Database>, messages: NewMessage[], now: number): Promise<string[]> {
  if (messages.length === 0) return [];
  const sent = new Set<string>();
  for (const part of chunks(messages.map((m) => m.id))) for (const r of await tx.selectFrom('sent').select('id').where('id', 'in', part).execute()) sent.add(r.id);
  const fresh = messages.filter((m) => !sent.has(m.id));
  const queued: string[] = [];
  for (const part of chunks(fresh, 200)) {
    const rows = await tx
      .insertInto('outbox')
      .values(
        part.map((m) => ({
          id: m.id,
          chat_id: m.chatId,
          priority: m.priority ?? 1,
          created_at: m.createdAt ?? now,
          html: m.html ?? null,
          plain: m.plain,
          extra: extraOf(m),
          thread_id: m.threadId ?? null,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    queued.push(...rows.map((r) => r.id));
  }
  const chats = new Map<number, number>();
  for (const m of fresh) chats.set(m.chatId, Math.min(chats.get(m.chatId) ?? 9, m.priority ?? 1));
  // In chat order, as the sender locks them (PostgreSQL).
  for (const part of chunks([...chats].sort(([a], [b]) => a - b), 300)) {
    await tx
      .insertInto('outbox_chats')
      .values(part.map(([chat_id, priority]) => ({ chat_id, priority, ready_at: now })))
      .onConflict((oc) => oc.column('chat_id').doUpdateSet({ priority: betterPriority }))
      .execute();
  }
  return queued;
}

export function createOutboxQueries(db: Kysely<Database>, dialect: Dialect): OutboxQueries {
  /**
   * PostgreSQL: the chats' index rows locked for the transaction, in one order (the fan-out's), before their messages are looked
   * at. A fan-out queueing for these chats at this moment holds their rows while its transaction runs, so it has committed before
   * `reschedule` counts; counted earlier, its message would be missed and the row deleted under it, left for the repair sweep.
   * SQLite has one writer: nothing to lock.
   */
  const lockChats = async (tx: Kysely<Database>, chatIds: readonly number[]) => {
    if (dialect === 'postgres') await sql`SELECT chat_id FROM outbox_chats WHERE chat_id IN (${sql.join(chatIds)}) ORDER BY chat_id FOR UPDATE`.execute(tx);
  };
  /** The chats' index rows follow their sendable messages: gone where none is left, else at `readyAt` and the best priority left (locked first). */
  const reschedule = async (tx: Kysely<Database>, chatIds: readonly number[], readyAt: number) => {
    const sendable = (chatId: RawBuilder<unknown>) => sql`(SELECT o.priority FROM outbox o WHERE o.chat_id = ${chatId} AND o.failed_at IS NULL ORDER BY o.priority LIMIT 1)`;
    await tx
      .deleteFrom('outbox_chats')
      .where('chat_id', 'in', chatIds)
      .where((eb) => eb.not(eb.exists(sendable(sql.ref('outbox_chats.chat_id')))))
      .execute();
    // Each chat's best priority by its index (the chat's first message), not by reading all it has queued.
    const chats = sql.join(chatIds.map((id) => sql`(CAST(${id} AS BIGINT))`));
    await sql`
      INSERT INTO outbox_chats (chat_id, priority, ready_at)
      SELECT n.chat_id, n.priority, CAST(${readyAt} AS BIGINT)
      FROM (SELECT c.column1 AS chat_id, ${sendable(sql.ref('c.column1'))} AS priority FROM (VALUES ${chats}) AS c) AS n
      WHERE n.priority IS NOT NULL
      ON CONFLICT (chat_id) DO UPDATE SET priority = excluded.priority, ready_at = excluded.ready_at`.execute(tx);
  };

  return {
    async enqueue(messages, now) {
      if (messages.length === 0) return [];
      return db.transaction().execute((tx) => enqueueIn(tx, messages, now));
    },

    fanOut: (p) => db.transaction().execute((tx) => queuePushes(tx, dialect, p)),

    async readyChats(now, limit) {
      const rows = await db.selectFrom('outbox_chats').select(['chat_id', 'ready_at', 'priority']).where('ready_at', '<=', now).orderBy('priority').orderBy('ready_at').limit(limit).execute();
      return rows.map((r) => ({ chatId: Number(r.chat_id), readyAt: Number(r.ready_at), urgent: Number(r.priority) === 0 }));
    },

    async takeHeads(chatIds, holdMs) {
      if (chatIds.length === 0) return [];
      // One statement: each chat's first sendable message, held for this sender unless another holds it (then nothing of that
      // chat, so its order is kept).
      const heads = chatIds.map((chatId) =>
        db.selectFrom('outbox as h').select('h.id').where('h.chat_id', '=', chatId).where('h.failed_at', 'is', null).orderBy('h.priority').orderBy('h.created_at').orderBy('h.id').limit(1),
      );
      const rows = await db
        .updateTable('outbox')
        .set({ claimed_until: dbNowPlus(dialect, holdMs) })
        .where('id', 'in', heads)
        .where('claimed_until', '<', dbNow(dialect))
        .returningAll()
        .execute();
      return rows.map(messageOf);
    },

    async markSent(records, nextReadyAt) {
      if (records.length === 0) return;
      await db.transaction().execute(async (tx) => {
        const chatIds = [...new Set(records.map((r) => r.message.chatId))];
        await lockChats(tx, chatIds);
        await tx
          .insertInto('sent')
          .values(records.map((r) => ({ id: r.message.id, at: r.at, message_id: r.messageId ?? null })))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        for (const { message, at, messageId } of records) {
          if (!message.replaces || messageId === undefined) continue;
          // What it replaced lives in this message now: a later edit of it (a story's next source) edits this one.
          await tx
            .insertInto('sent')
            .values({ id: message.replaces, at, message_id: messageId })
            .onConflict((oc) => oc.column('id').doUpdateSet({ message_id: messageId }))
            .execute();
        }
        await tx.deleteFrom('outbox').where('id', 'in', records.map((r) => r.message.id)).execute();
        await reschedule(tx, chatIds, nextReadyAt);
      });
    },

    async retryAt(m, readyAt, change = {}) {
      await db.transaction().execute(async (tx) => {
        await lockChats(tx, [m.chatId]);
        await tx
          .updateTable('outbox')
          .set({ claimed_until: 0, ...(change.attempts !== undefined ? { attempts: change.attempts } : {}), ...(change.dropHtml ? { html: null } : {}) })
          .where('id', '=', m.id)
          .execute();
        await reschedule(tx, [m.chatId], readyAt);
      });
    },

    async fail(m, f) {
      await db.transaction().execute(async (tx) => {
        await lockChats(tx, [m.chatId]);
        await tx.updateTable('outbox').set({ failed_at: f.at, failure_id: f.failureId, last_error: f.error, claimed_until: 0 }).where('id', '=', m.id).execute();
        await reschedule(tx, [m.chatId], 0);
      });
    },

    async dropChat(chatId) {
      return db.transaction().execute(async (tx) => {
        const r = await tx.deleteFrom('outbox').where('chat_id', '=', chatId).executeTakeFirst();
        await tx.deleteFrom('outbox_chats').where('chat_id', '=', chatId).execute();
        return Number(r.numDeletedRows);
      });
    },

    async delayChat(chatId, readyAt) {
      await db.updateTable('outbox_chats').set({ ready_at: readyAt }).where('chat_id', '=', chatId).where('ready_at', '<', readyAt).execute();
    },

    async sentMessageId(id) {
      const row = await db.selectFrom('sent').select('message_id').where('id', '=', id).executeTakeFirst();
      return row?.message_id == null ? undefined : Number(row.message_id);
    },

    async withdraw(id) {
      return db.transaction().execute(async (tx) => {
        const row = await tx.deleteFrom('outbox').where('id', '=', id).where('claimed_until', '=', 0).returning('chat_id').executeTakeFirst();
        if (row) {
          await lockChats(tx, [Number(row.chat_id)]);
          await reschedule(tx, [Number(row.chat_id)], 0);
        }
        return !!row;
      });
    },

    async wasSent(id) {
      return !!(await db.selectFrom('sent').select('id').where('id', '=', id).executeTakeFirst());
    },

    async size() {
      const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('failed_at', 'is', null).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async repair(now, since) {
      const recent = since === undefined ? sql`` : sql` AND o.created_at >= ${since}`;
      const r = await sql`
        INSERT INTO outbox_chats (chat_id, priority, ready_at)
        SELECT o.chat_id, min(o.priority), CAST(${now} AS BIGINT) FROM outbox o
        WHERE o.failed_at IS NULL${recent} AND NOT EXISTS (SELECT 1 FROM outbox_chats oc WHERE oc.chat_id = o.chat_id)
        GROUP BY o.chat_id
        ON CONFLICT (chat_id) DO NOTHING`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    async pruneSent(before) {
      return pruneInBatches(db, dialect, 'sent', sql`at < ${before}`);
    },
  };
}
