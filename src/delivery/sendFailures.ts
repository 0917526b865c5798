// What a send that Telegram refused or that failed becomes: waited out, resent as plain text, moved, retried later, or kept as failed.
import type { OutboxMessage } from '../core/model.js';
import type { Logger } from '../log.js';
import { newFailureId } from '../store/failed.js';
import type { OutboxQueries } from '../store/outbox.js';
import { classifySendError } from './telegramErrors.js';

/** Counters of what became of failed sends, for operators. */
export interface FailureStats {
  rateLimited: number;
  retried: number;
  dropped: number;
  plainFallbacks: number;
}

export interface SendFailuresDeps {
  outbox: Pick<OutboxQueries, 'retryAt' | 'fail'>;
  stats: FailureStats;
  /** Least time between two messages to one chat (a resend as plain text waits this long). */
  chatGapMs: number;
  /** Telegram asked to wait (429): nothing more to this chat before `until`. */
  pause(chatId: number, until: number): void;
  onMigrate(fromChatId: number, toChatId: number): Promise<void>;
  onTopicGone(chatId: number, threadId: number): Promise<void>;
  onDeactivate(chatId: number, reason: string): Promise<void>;
}

const MAX_ATTEMPTS = 40;

/** Acts once on each error of a send, by Telegram's verdict. */
export function createSendFailures(deps: SendFailuresDeps): (m: OutboxMessage, error: unknown, log: Logger) => Promise<void> {
  /** Kept as failed with its error and an id (`failed` lists it, `failed --retry` sends it again); the chat's next message goes on. */
  async function giveUp(m: OutboxMessage, error: unknown, log: Logger, what: string): Promise<void> {
    deps.stats.dropped++;
    const failureId = newFailureId();
    log.error(what, { failureId, attempts: m.attempts + 1, error });
    const text = error instanceof Error ? error.message : String(error);
    await deps.outbox.fail(m, { error: text.slice(0, 500), failureId, at: Date.now() });
  }

  return async function handleError(m: OutboxMessage, error: unknown, log: Logger): Promise<void> {
    const verdict = classifySendError(error);
    const now = Date.now();
    switch (verdict.action) {
      case 'wait':
        deps.stats.rateLimited++;
        log.warn('telegram rate limit, waiting', { retryAfterMs: verdict.ms });
        deps.pause(m.chatId, now + verdict.ms);
        return deps.outbox.retryAt(m, now + verdict.ms);
      case 'plain':
        deps.stats.plainFallbacks++;
        log.error('TELEGRAM REFUSED OUR HTML: resending as plain text; this is a rendering bug', { error, html: m.html?.slice(0, 500) });
        return deps.outbox.retryAt(m, now + deps.chatGapMs, { dropHtml: true });
      case 'migrate':
        log.info('group migrated to a supergroup, moving it', { toChatId: verdict.toChatId });
        await deps.outbox.retryAt(m, now);
        await deps.onMigrate(m.chatId, verdict.toChatId);
        return;
      case 'topic':
        if (m.threadId === undefined) return giveUp(m, error, log, 'telegram refused a message for a topic it did not name; kept as failed');
        log.warn('a forum topic is gone; its feeds go to the main thread', { threadId: m.threadId });
        await deps.onTopicGone(m.chatId, m.threadId);
        return deps.outbox.retryAt(m, now);
      case 'deactivate':
        log.warn('telegram refuses this chat; marking it inactive', { reason: verdict.reason });
        await deps.onDeactivate(m.chatId, verdict.reason);
        deps.stats.dropped++;
        return;
      case 'retry': {
        const attempts = m.attempts + 1;
        deps.stats.retried++;
        if (attempts >= MAX_ATTEMPTS) return giveUp(m, error, log, 'message failed after repeated tries; kept as failed');
        log.warn('send failed, will retry', { attempts, error });
        return deps.outbox.retryAt(m, now + Math.min(2 ** attempts * 1000, 10 * 60_000), { attempts });
      }
      case 'drop':
        return giveUp(m, error, log, `telegram refused a message (${verdict.reason}); kept as failed`);
    }
  };
}
