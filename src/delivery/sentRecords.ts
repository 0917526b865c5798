// What Telegram took, recorded in groups: the answers of a burst written in one transaction, each send done once its record is in.
import type { Logger } from '../log.js';
import type { OutboxQueries, SentRecord } from '../store/outbox.js';

export interface SentRecordsDeps {
  outbox: Pick<OutboxQueries, 'markSent'>;
  log: Logger;
  /** Least time between two messages to one chat: a chat's next message waits this long after its record. */
  chatGapMs: number;
  /** A record waits no longer than this for the others of its burst (a send Telegram is slow to answer holds up no one). */
  maxWaitMs?: number;
}

export interface SentRecords {
  /**
   * Resolves once the record is written. A write that fails (the database away, a pool timeout) is tried again until it is done:
   * the caller keeps the chat busy meanwhile, so nothing of it goes out again.
   */
  add(record: SentRecord): Promise<void>;
  /** Writes what waits, now: nothing else sent is waiting for Telegram's answer. */
  flush(): void;
}

const MAX_WAIT_MS = 100;

/**
 * A crash before a record is written is the only way to a duplicate; a record waits at most `maxWaitMs` (and usually a few ms,
 * until the last answer of its burst) so that one transaction records a burst.
 */
export function createSentRecords(deps: SentRecordsDeps): SentRecords {
  let waiting: { record: SentRecord; written: () => void }[] = [];
  let writing = false;
  let timer: NodeJS.Timeout | undefined;

  async function write(batch: typeof waiting): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.outbox.markSent(batch.map((w) => w.record), Date.now() + deps.chatGapMs);
        if (attempt > 1) deps.log.info('sent messages recorded after retries', { attempts: attempt, messages: batch.length });
        break;
      } catch (error) {
        if (attempt === 1) deps.log.error('could not record sent messages; trying again until they are written', { messages: batch.length, error });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
    for (const w of batch) w.written();
  }

  function flush(): void {
    if (writing || waiting.length === 0) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    writing = true;
    void write(batch).finally(() => {
      writing = false;
      flush(); // those answered while this was written have waited long enough
    });
  }

  return {
    add(record) {
      return new Promise<void>((written) => {
        waiting.push({ record, written });
        timer ??= setTimeout(() => {
          timer = undefined;
          flush();
        }, deps.maxWaitMs ?? MAX_WAIT_MS);
      });
    },
    flush,
  };
}
