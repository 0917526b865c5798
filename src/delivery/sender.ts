// The one sender: drains the durable outbox under Telegram's limits (global rate, 1 s per chat, 20/min per group) and acts on each error once.
import type { OutboxMessage } from '../core/model.js';
import { createPacing } from '../core/pacing.js';
import type { Logger } from '../log.js';
import type { Collection } from '../store/keyvStore.js';
import { classifySendError } from './telegramErrors.js';

export interface TelegramApi {
  sendMessage(chatId: number, text: string, extra?: Record<string, unknown>): Promise<unknown>;
  sendDocument(chatId: number, document: { source: Buffer; filename: string }, extra?: Record<string, unknown>): Promise<unknown>;
}

export interface SenderDeps {
  outbox: Collection<OutboxMessage>;
  sent: Collection<{ at: number }>;
  telegram: TelegramApi;
  log: Logger;
  /** Messages per second for the whole bot. */
  rate: number;
  chatGapMs?: number;
  groupPerMinute?: number;
  /** A group became a supergroup: move the chat's state to the new id. */
  onMigrate(fromChatId: number, toChatId: number): Promise<void>;
  /** Telegram refuses this chat (blocked, kicked, gone). */
  onDeactivate(chatId: number, reason: string): Promise<void>;
  /**
   * With several replicas on one store, only the holder of this lease drains the outbox; the others only write to it.
   * Without it this process always drains.
   */
  lease?: { acquire(): Promise<boolean>; release(): Promise<void> };
  /** How often the drainer renews its lease and picks up what other replicas queued. */
  rescanMs?: number;
}

export interface SenderStats {
  sent: number;
  rateLimited: number;
  retried: number;
  dropped: number;
  plainFallbacks: number;
}

export interface Sender {
  /** Queues a message durably; false when this id was already sent or queued. */
  enqueue(message: Omit<OutboxMessage, 'attempts' | 'notBefore' | 'createdAt'> & { createdAt?: number }): Promise<boolean>;
  /** Loads what the outbox holds (after a restart) and starts sending. */
  start(): Promise<void>;
  /** Stops taking new sends and waits for those in flight. */
  stop(): Promise<void>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  stats: SenderStats;
}

const SENT_TTL_MS = 14 * 24 * 3_600_000;
const MAX_ATTEMPTS = 40;

export function createSender(deps: SenderDeps): Sender {
  const pacing = createPacing({ rate: deps.rate, chatGapMs: deps.chatGapMs ?? 1000, groupPerMinute: deps.groupPerMinute ?? 20 });
  const queues = new Map<number, OutboxMessage[]>();
  const queuedIds = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const idleWaiters: Array<() => void> = [];
  const stats: SenderStats = { sent: 0, rateLimited: 0, retried: 0, dropped: 0, plainFallbacks: 0 };
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let running = false;
  let draining = false;
  let rescan: NodeJS.Timeout | undefined;

  const addToQueue = (m: OutboxMessage) => {
    const q = queues.get(m.chatId) ?? [];
    q.push(m);
    q.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    queues.set(m.chatId, q);
    queuedIds.add(m.id);
  };

  const removeFromQueue = (m: OutboxMessage) => {
    const q = queues.get(m.chatId);
    if (q) {
      const i = q.indexOf(m);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) queues.delete(m.chatId);
    }
    queuedIds.delete(m.id);
  };

  const checkIdle = () => {
    if (queues.size === 0 && inFlight.size === 0) for (const w of idleWaiters.splice(0)) w();
  };

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

  function pump(): void {
    if (!running || !draining) return;
    for (;;) {
      const now = Date.now();
      if (now < pacing.globalReadyAt()) return wakeAt(pacing.globalReadyAt());
      let best: OutboxMessage | undefined;
      let soonest = Infinity;
      for (const [chatId, q] of queues) {
        const head = q[0]!;
        const at = pacing.chatReadyAt(chatId, head.notBefore, now);
        if (at === undefined) continue;
        if (at <= now) {
          if (!best || head.createdAt < best.createdAt) best = head;
        } else soonest = Math.min(soonest, at);
      }
      if (!best) {
        if (soonest < Infinity) wakeAt(soonest);
        return checkIdle();
      }
      const chatId = best.chatId;
      pacing.begin(chatId, now);
      const work = send(best).finally(() => {
        pacing.end(chatId);
        inFlight.delete(work);
        pump();
        checkIdle();
      });
      inFlight.add(work);
    }
  }

  async function finish(m: OutboxMessage): Promise<void> {
    removeFromQueue(m);
    await deps.outbox.delete(m.id);
  }

  async function send(m: OutboxMessage): Promise<void> {
    const log = deps.log.child({ chatId: m.chatId, messageId: m.id });
    try {
      if (await deps.sent.get(m.id)) return await finish(m);
      const extra: Record<string, unknown> = {};
      if (m.replyMarkup) extra.reply_markup = m.replyMarkup;
      if (m.replyTo) extra.reply_parameters = { message_id: m.replyTo, allow_sending_without_reply: true };
      if (m.document) {
        if (m.document.caption) extra.caption = m.document.caption;
        await deps.telegram.sendDocument(m.chatId, { source: Buffer.from(m.document.base64, 'base64'), filename: m.document.filename }, extra);
      } else {
        if (m.html) extra.parse_mode = 'HTML';
        if (m.noPreview) extra.link_preview_options = { is_disabled: true };
        await deps.telegram.sendMessage(m.chatId, m.html ?? m.plain, extra);
      }
      stats.sent++;
      // Recorded once Telegram has accepted it: a crash before this line is the only way to a duplicate.
      await deps.sent.set(m.id, { at: Date.now() }, SENT_TTL_MS);
      await finish(m);
    } catch (error) {
      await handleError(m, error, log).catch((e: unknown) => log.error('outbox bookkeeping failed', { error: e }));
    }
  }

  async function handleError(m: OutboxMessage, error: unknown, log: Logger): Promise<void> {
    const verdict = classifySendError(error);
    const now = Date.now();
    switch (verdict.action) {
      case 'wait':
        stats.rateLimited++;
        log.warn('telegram rate limit, waiting', { retryAfterMs: verdict.ms });
        m.notBefore = now + verdict.ms;
        pacing.pause(m.chatId, now + verdict.ms);
        return;
      case 'plain':
        stats.plainFallbacks++;
        log.error('TELEGRAM REFUSED OUR HTML: resending as plain text; this is a rendering bug', { error, html: m.html?.slice(0, 500) });
        delete m.html;
        await deps.outbox.set(m.id, m);
        return;
      case 'migrate': {
        log.info('group migrated to a supergroup, moving it', { toChatId: verdict.toChatId });
        await deps.onMigrate(m.chatId, verdict.toChatId);
        const moved = (queues.get(m.chatId) ?? []).slice();
        for (const old of moved) {
          await finish(old);
          const id = old.id.replace(`:${m.chatId}:`, `:${verdict.toChatId}:`);
          const copy: OutboxMessage = { ...old, id: id === old.id ? `${old.id}>${verdict.toChatId}` : id, chatId: verdict.toChatId };
          await deps.outbox.set(copy.id, copy);
          addToQueue(copy);
        }
        return;
      }
      case 'deactivate': {
        log.warn('telegram refuses this chat; marking it inactive', { reason: verdict.reason });
        await deps.onDeactivate(m.chatId, verdict.reason);
        for (const old of (queues.get(m.chatId) ?? []).slice()) {
          stats.dropped++;
          await finish(old);
        }
        return;
      }
      case 'retry': {
        m.attempts++;
        stats.retried++;
        if (m.attempts >= MAX_ATTEMPTS) {
          stats.dropped++;
          log.error('message dropped after repeated failures', { attempts: m.attempts, error });
          return finish(m);
        }
        m.notBefore = now + Math.min(2 ** m.attempts * 1000, 10 * 60_000);
        log.warn('send failed, will retry', { attempts: m.attempts, error });
        await deps.outbox.set(m.id, m);
        return;
      }
      case 'drop':
        stats.dropped++;
        log.error('telegram refused a message; dropped', { reason: verdict.reason });
        return finish(m);
    }
  }

  /** Takes (or keeps) the right to drain, and loads what the outbox holds that is not queued here yet. */
  async function claim(): Promise<void> {
    const held = deps.lease ? await deps.lease.acquire() : true;
    if (!held) {
      if (draining) deps.log.warn('another replica drains the outbox now', {});
      draining = false;
      // What is queued here stays in the store for the drainer; only a message already in flight finishes here.
      for (const [chatId, q] of queues) {
        const inFlightHead = pacing.isBusy(chatId) ? q[0] : undefined;
        for (const m of q.slice()) if (m !== inFlightHead) removeFromQueue(m);
      }
      return checkIdle();
    }
    draining = true;
    // A message re-read here after it was sent is caught by its sent mark before any second send.
    for await (const [, m] of deps.outbox.entries()) if (!queuedIds.has(m.id)) addToQueue({ ...m, notBefore: 0 });
    pump();
    checkIdle();
  }

  return {
    stats,
    async enqueue(input) {
      if (queuedIds.has(input.id)) return false;
      if (await deps.sent.get(input.id)) return false;
      const existing = await deps.outbox.get(input.id);
      const message: OutboxMessage = existing ?? { ...input, createdAt: input.createdAt ?? Date.now(), attempts: 0, notBefore: 0 };
      if (!existing) await deps.outbox.set(message.id, message);
      if (queuedIds.has(message.id)) return false;
      addToQueue(message);
      pump();
      return !existing;
    },
    async start() {
      running = true;
      await claim();
      if (deps.lease) {
        rescan = setInterval(() => void claim().catch((error: unknown) => deps.log.warn('outbox rescan failed', { error })), deps.rescanMs ?? 2000);
        rescan.unref();
      }
    },
    async stop() {
      running = false;
      if (rescan) clearInterval(rescan);
      if (draining) await deps.lease?.release().catch(() => {});
      draining = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      timerAt = Infinity;
      await Promise.allSettled([...inFlight]);
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
  };
}
