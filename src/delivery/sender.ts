// The one sender: while it holds the sender lease, picks the next sendable chat by index, under Telegram's limits, and acts on each error once.
import type { OutboxMessage } from '../core/model.js';
import { createPacing } from '../core/pacing.js';
import { visibleText } from '../core/telegramHtml.js';
import type { Logger } from '../log.js';
import { isStoreUnavailable } from '../store/database.js';
import type { NewMessage, OutboxQueries, ReadyChat } from '../store/outbox.js';
import { createSentRecords } from './sentRecords.js';
import { createSendFailures, type FailureStats } from './sendFailures.js';
import { deliver, type TelegramApi } from './telegramSend.js';

export interface SenderDeps {
  outbox: OutboxQueries;
  telegram: TelegramApi;
  log: Logger;
  /** Messages per second for the whole bot. */
  rate: number;
  chatGapMs?: number;
  groupPerMinute?: number;
  /** A group became a supergroup: move the chat's state (and its queued messages) to the new id. */
  onMigrate(fromChatId: number, toChatId: number): Promise<void>;
  /** A forum topic is gone (deleted or closed): what goes there goes to the chat's main thread from now on. */
  onTopicGone(chatId: number, threadId: number): Promise<void>;
  /** Telegram refuses this chat (blocked, kicked, gone): mark it and drop what is queued for it. */
  onDeactivate(chatId: number, reason: string): Promise<void>;
  /** Only the holder drains (Telegram's limits are per bot); renewed every `leaseRenewMs`, an error while renewing stops the draining. */
  lease: { acquire(): Promise<boolean>; release(): Promise<void> };
  leaseRenewMs?: number;
  /** Sends in flight at once (sockets stay bounded whatever the queue). */
  maxInFlight?: number;
  /** How often the drainer looks for messages other replicas queued. */
  refreshMs?: number;
}

export interface SenderStats extends FailureStats {
  sent: number;
}

export interface Sender {
  /** Queues a message durably; false when this id was already sent or queued. */
  enqueue(message: NewMessage): Promise<boolean>;
  /** Queues several at once; returns the ids queued by this call. */
  enqueueMany(messages: NewMessage[]): Promise<string[]>;
  /** Something was queued elsewhere in this process (a fan-out): look now. */
  wake(): void;
  start(): Promise<void>;
  /** Stops taking new sends, waits for those in flight, gives the lease back. */
  stop(): Promise<void>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  readonly draining: boolean;
  stats: SenderStats;
}

/** A message of Telegram HTML with its plain-text twin and no link preview: the shape of every reply and notice. */
export function htmlMessage(id: string, chatId: number, html: string, options: Pick<NewMessage, 'priority' | 'replyTo' | 'replyMarkup' | 'replaces' | 'threadId'> = {}): NewMessage {
  return { id, chatId, html, plain: visibleText(html), noPreview: true, ...options };
}

/** A message being sent is held this long; one a dead sender held goes out again after that (the only way to a duplicate). */
const SEND_HOLD_MS = 10_000;
const PAGE = 256;
const REPAIR_EVERY_MS = 15_000;
/**
 * A repair looks at messages created since the last one, less this: the race it mends leaves a recent message behind, and
 * replicas' clocks (which stamp created_at) may differ by a little. The first repair of a sender looks at the whole outbox.
 */
const REPAIR_OVERLAP_MS = 5 * 60_000;

export function createSender(deps: SenderDeps): Sender {
  const chatGapMs = deps.chatGapMs ?? 1000;
  const pacing = createPacing({ rate: deps.rate, chatGapMs, groupPerMinute: deps.groupPerMinute ?? 20 });
  const maxInFlight = deps.maxInFlight ?? 16;
  const refreshMs = deps.refreshMs ?? 1000;
  const inFlight = new Set<Promise<void>>();
  const records = createSentRecords({ outbox: deps.outbox, log: deps.log, chatGapMs });
  /** Messages taken and sent, Telegram's answer not in yet. */
  let awaitingAnswers = 0;
  const stats: SenderStats = { sent: 0, rateLimited: 0, retried: 0, dropped: 0, plainFallbacks: 0 };
  const handleError = createSendFailures({ ...deps, chatGapMs, stats, pause: (chatId, until) => pacing.pause(chatId, until) });
  let running = false;
  let draining = false;
  let buffer: ReadyChat[] = [];
  let bufferAt = 0;
  let loading: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let leaseTimer: NodeJS.Timeout | undefined;
  let lastForget = 0;
  let lastRepair = 0;
  /** Failed reads of the outbox in a row: the next look waits, doubling up to 5 s (a database outage is no busy loop). */
  let readFailures = 0;
  let leaseFailures = 0;

  const wakeAt = (at: number) => {
    if (!running || at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      pump();
    }, Math.max(0, at - Date.now()));
  };

  /** The next page of ready chats, by index: cost per message does not grow with the queue. */
  const refill = () => {
    loading ??= deps.outbox
      .readyChats(Date.now(), PAGE)
      .then((chats) => {
        buffer = chats;
        bufferAt = Date.now();
        if (readFailures > 0) deps.log.info('the outbox can be read again', { failedReads: readFailures });
        readFailures = 0;
      })
      .then(
        () => {
          loading = undefined;
          pump();
        },
        (error: unknown) => {
          loading = undefined;
          readFailures++;
          if (readFailures === 1 || !isStoreUnavailable(error)) deps.log.warn('could not read the outbox; looking again shortly', { error });
          buffer = [];
          bufferAt = Date.now();
          wakeAt(Date.now() + Math.min(5000, 250 * 2 ** readFailures));
        },
      );
  };

  /** Sends what may go now: the chats picked are sent to together, their messages taken in one statement. */
  function pump(): void {
    if (!running || !draining) return;
    const picked: number[] = [];
    pick(picked);
    if (picked.length > 0) sendTo(picked);
  }

  /** Picks the chats whose next message may go now (a burst at most: the pacing says so), and arranges the next look. */
  function pick(picked: number[]): void {
    for (;;) {
      const now = Date.now();
      if (inFlight.size + picked.length >= maxInFlight) return;
      if (buffer.length === 0 || now - bufferAt > refreshMs) {
        if (buffer.length === 0 && now - bufferAt < 50) return wakeAt(now + refreshMs); // just looked: nothing ready
        return refill();
      }
      // Pushes wait for the next burst; an answer to a person (first in the page) only for Telegram's limit.
      const globalAt = pacing.globalReadyAt(buffer[0]!.urgent);
      if (now < globalAt) return wakeAt(globalAt);
      const next = buffer.shift()!;
      if (pacing.isBusy(next.chatId)) continue;
      const at = pacing.chatReadyAt(next.chatId, next.readyAt, now)!;
      if (at > now) {
        // The group's minute is full (or Telegram asked to wait): the index says so, and the chat drops out of the ready pages.
        void deps.outbox.delayChat(next.chatId, at).catch(() => {});
        continue;
      }
      pacing.begin(next.chatId, now);
      picked.push(next.chatId);
      if (now - lastForget > 60_000) {
        lastForget = now;
        pacing.forget(now);
      }
    }
  }

  /** Takes the chats' next messages and sends each; a chat's second counts from when Telegram answered it. */
  function sendTo(chatIds: number[]): void {
    const taken = deps.outbox.takeHeads(chatIds, SEND_HOLD_MS).then(
      (messages) => {
        awaitingAnswers += messages.length;
        return new Map(messages.map((m) => [m.chatId, m]));
      },
      (error: unknown) => {
        // Counted with the failed reads: during a database outage the first says so, the others are quiet.
        readFailures++;
        if (readFailures === 1 || !isStoreUnavailable(error)) deps.log.warn('could not take messages from the outbox', { chats: chatIds.length, error });
        return new Map<number, OutboxMessage>();
      },
    );
    for (const chatId of chatIds) {
      let answeredAt: number | undefined;
      const work = taken
        .then((heads) => {
          const m = heads.get(chatId);
          return m && send(m, () => (answeredAt = Date.now()));
        })
        .finally(() => {
          pacing.end(chatId, answeredAt ?? Date.now());
          inFlight.delete(work);
          pump();
        });
      inFlight.add(work);
    }
  }

  /** Sends a message taken for sending and records it; `answered` hears when Telegram answered. */
  async function send(m: OutboxMessage, answered: () => void): Promise<void> {
    const log = () => deps.log.child({ chatId: m.chatId, messageId: m.id });
    let written: Promise<void>;
    try {
      const delivered = await deliver(deps, m).finally(answered);
      if (delivered.kind === 'skipped') log().info('an edit-only message had nothing left to edit; dropped', { replaces: m.replaces });
      stats.sent++;
      // Recorded once Telegram has accepted it, with the others of its burst.
      written = records.add({ message: m, at: Date.now(), messageId: delivered.kind === 'sent' ? delivered.messageId : undefined });
    } catch (error) {
      written = handleError(m, error, log()).catch((e: unknown) => log().error('outbox bookkeeping failed', { error: e }));
    } finally {
      if (--awaitingAnswers === 0) records.flush(); // the burst is answered: one transaction records it
    }
    await written;
  }

  /** Takes or keeps the right to drain; any doubt (an error, a lost lease) stops draining at once. */
  async function holdLease(): Promise<void> {
    let held = false;
    let unsure = false;
    try {
      held = await deps.lease.acquire();
      if (leaseFailures > 0) deps.log.info('the sender lease can be renewed again', { failedRenewals: leaseFailures });
      leaseFailures = 0;
    } catch (error) {
      unsure = true;
      leaseFailures++;
      if (leaseFailures === 1 || !isStoreUnavailable(error)) deps.log.warn('could not renew the sender lease; not sending until it is back', { error });
    }
    if (held && !draining) {
      draining = true;
      deps.log.info('this replica sends now', {});
      lastRepair = 0; // look for messages whose index row a race removed, now
    } else if (!held && draining) {
      draining = false;
      buffer = [];
      if (!unsure) deps.log.warn('another replica sends now', {});
    }
    if (draining && Date.now() - lastRepair > REPAIR_EVERY_MS) {
      // A safety net for the one race the index can lose (a chat's row removed as another replica queues for it).
      const since = lastRepair === 0 ? undefined : lastRepair - REPAIR_OVERLAP_MS;
      lastRepair = Date.now();
      const repaired = await deps.outbox.repair(Date.now(), since).catch(() => 0);
      if (repaired > 0) deps.log.warn('outbox index repaired', { chats: repaired });
    }
    if (draining) pump();
  }

  const enqueueMany = async (messages: NewMessage[]) => {
    const ids = await deps.outbox.enqueue(messages, Date.now());
    if (ids.length > 0) {
      bufferAt = 0; // look again at once: a reply must not wait behind a page read before it was queued
      pump();
    }
    return ids;
  };

  return {
    stats,
    get draining() {
      return draining;
    },
    async enqueue(message) {
      return (await enqueueMany([message])).length > 0;
    },
    enqueueMany,
    wake() {
      bufferAt = 0;
      pump();
    },
    async start() {
      running = true;
      await holdLease();
      const renew = () => {
        leaseTimer = setTimeout(() => void holdLease().finally(() => running && renew()), deps.leaseRenewMs ?? 2000);
        leaseTimer.unref();
      };
      renew();
    },
    async stop() {
      running = false;
      if (leaseTimer) clearTimeout(leaseTimer);
      if (timer) clearTimeout(timer);
      timer = undefined;
      timerAt = Infinity;
      await Promise.allSettled([...inFlight]);
      if (draining) await deps.lease.release().catch(() => {});
      draining = false;
    },
    async idle() {
      for (;;) {
        if (inFlight.size === 0 && (await deps.outbox.size().catch(() => 0)) === 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
