// The outbox: messages waiting for Telegram, and one row per chat saying when its next message may go (the sender's index).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { OutboxMessage } from '../core/model.js';
import { chunks, dbNow, dbNowPlus } from './claim.js';
import type { Dialect } from './database.js';
import { pruneInBatches } from './prune.js';
import { betterPriority, queuePushes, type FanOutCount, type PushFanOut } from './pushFanOut.js';
import type { Database, OutboxTable } from './schema.js';

/** A message to queue; `priority` 0 is a reply to a person, 1 a push or digest. */
export type NewMessage = Omit<OutboxMessage, 'attempts' | 'createdAt'> & { createdAt?: number; priority?: number };

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
   * The next message of a chat (failed ones passed over), held for sending for `holdMs` (the database's clock); undefined when
   * the chat has none or another sender holds it.
   */
  takeHead(chatId: number, holdMs: number): Promise<OutboxMessage | undefined>;
  /**
   * Telegram took it: recorded as sent (with Telegram's message id; a message that replaced another records that one's id there
   * too), removed, and the chat's next message waits until `nextReadyAt`.
   */
  markSent(message: OutboxMessage, at: number, nextReadyAt: number, messageId?: number): Promise<void>;
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
  for (const part of chunks([...chats], 300)) {
    await tx
      .insertInto('outbox_chats')
      .values(part.map(([chat_id, priority]) => ({ chat_id, priority, ready_at: now })))
      .onConflict((oc) => oc.column('chat_id').doUpdateSet({ priority: betterPriority }))
      .execute();
  }
  return queued;
}

export function createOutboxQueries(db: Kysely<Database>, dialect: Dialect): OutboxQueries {
  const reschedule = async (tx: Kysely<Database>, chatId: number, readyAt: number) => {
    // The chat's index row follows its sendable messages: gone when none is left, else at the given time and its best priority.
    // PostgreSQL: the row is locked first, so a fan-out queueing for this chat at this moment (it holds the row while its transaction
    // runs) has committed before the messages are counted below; counted earlier, its message would be missed and the row deleted
    // under it (a re-checked DELETE does not see rows committed after its own snapshot), leaving it for the repair sweep.
    if (dialect === 'postgres') await sql`SELECT chat_id FROM outbox_chats WHERE chat_id = ${chatId} FOR UPDATE`.execute(tx);
    const next = await tx.selectFrom('outbox').select('priority').where('chat_id', '=', chatId).where('failed_at', 'is', null).orderBy('priority').limit(1).executeTakeFirst();
    if (!next) {
      // Checked again in the statement itself: a message another replica queued meanwhile keeps the chat's row.
      await tx
        .deleteFrom('outbox_chats')
        .where('chat_id', '=', chatId)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('outbox').select('id').where('outbox.chat_id', '=', chatId).where('outbox.failed_at', 'is', null))))
        .execute();
      return;
    }
    await tx
      .insertInto('outbox_chats')
      .values({ chat_id: chatId, priority: next.priority, ready_at: readyAt })
      .onConflict((oc) => oc.column('chat_id').doUpdateSet({ priority: next.priority, ready_at: readyAt }))
      .execute();
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

    async takeHead(chatId, holdMs) {
      // One statement: the chat's first sendable message, held for this sender unless another holds it (then nothing, so the
      // chat's order is kept).
      const row = await db
        .updateTable('outbox')
        .set({ claimed_until: dbNowPlus(dialect, holdMs) })
        .where('id', '=', (eb) =>
          eb.selectFrom('outbox as h').select('h.id').where('h.chat_id', '=', chatId).where('h.failed_at', 'is', null).orderBy('h.priority').orderBy('h.created_at').orderBy('h.id').limit(1),
        )
        .where('claimed_until', '<', dbNow(dialect))
        .returningAll()
        .executeTakeFirst();
      return row ? messageOf(row) : undefined;
    },

    async markSent(m, at, nextReadyAt, messageId) {
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('sent').values({ id: m.id, at, message_id: messageId ?? null }).onConflict((oc) => oc.column('id').doNothing()).execute();
        if (m.replaces && messageId !== undefined) {
          // What it replaced lives in this message now: a later edit of it (a story's next source) edits this one.
          await tx
            .insertInto('sent')
            .values({ id: m.replaces, at, message_id: messageId })
            .onConflict((oc) => oc.column('id').doUpdateSet({ message_id: messageId }))
            .execute();
        }
        await tx.deleteFrom('outbox').where('id', '=', m.id).execute();
        await reschedule(tx, m.chatId, nextReadyAt);
      });
    },

    async retryAt(m, readyAt, change = {}) {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('outbox')
          .set({ claimed_until: 0, ...(change.attempts !== undefined ? { attempts: change.attempts } : {}), ...(change.dropHtml ? { html: null } : {}) })
          .where('id', '=', m.id)
          .execute();
        await reschedule(tx, m.chatId, readyAt);
      });
    },

    async fail(m, f) {
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('outbox').set({ failed_at: f.at, failure_id: f.failureId, last_error: f.error, claimed_until: 0 }).where('id', '=', m.id).execute();
        await reschedule(tx, m.chatId, 0);
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
        if (row) await reschedule(tx, Number(row.chat_id), 0);
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
