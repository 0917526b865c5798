// Slow work off the update path (/summary, the test fetch of /sub): a bounded background queue, so one slow page never holds up other chats.
import type { Logger } from '../log.js';

export interface WorkQueue {
  /** False when the queue is full (the caller says "busy"). */
  push(name: string, job: () => Promise<unknown>): boolean;
  /** Waits for queued and running jobs (shutdown, tests). */
  drain(): Promise<void>;
  readonly size: number;
}

export function createWorkQueue(log: Logger, concurrency = 3, maxQueued = 200): WorkQueue {
  const waiting: Array<{ name: string; job: () => Promise<unknown> }> = [];
  const running = new Set<Promise<unknown>>();
  const drainers: Array<() => void> = [];

  const next = () => {
    while (running.size < concurrency && waiting.length) {
      const { name, job } = waiting.shift()!;
      const p = job()
        .catch((error: unknown) => log.error('background job failed', { job: name, error }))
        .finally(() => {
          running.delete(p);
          next();
        });
      running.add(p);
    }
    if (running.size === 0 && waiting.length === 0) for (const d of drainers.splice(0)) d();
  };

  return {
    push(name, job) {
      if (waiting.length >= maxQueued) return false;
      waiting.push({ name, job });
      next();
      return true;
    },
    drain() {
      return new Promise((resolve) => {
        drainers.push(resolve);
        next();
      });
    },
    get size() {
      return waiting.length + running.size;
    },
  };
}
