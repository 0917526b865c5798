// Cron jobs that never overlap: node-cron ticks, an in-process guard, and a lease in the store so one replica runs each job.
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log.js';
import type { KeyvBackend } from '../store/keyvStore.js';

export interface Scheduler {
  /** Registers a job; it starts ticking on `start()`. */
  add(name: string, expression: string, job: () => Promise<unknown>, leaseMs?: number): void;
  /** Runs a job now, under the same guard; resolves false when it was already running (here or elsewhere). */
  runNow(name: string): Promise<boolean>;
  start(): void;
  /** Stops ticking and waits for running jobs to finish. */
  stop(): Promise<void>;
}

export function createScheduler(deps: { backend: KeyvBackend; log: Logger; timezone?: string }): Scheduler {
  const owner = randomUUID();
  const jobs = new Map<string, { run: () => Promise<boolean>; task: ScheduledTask }>();
  const running = new Set<Promise<unknown>>();
  // node-cron's own warnings (missed or overlapping ticks) go through our logger, not coloured console lines.
  const cronLogger = {
    info: (message: string) => deps.log.debug('cron', { detail: message }),
    warn: (message: string) => deps.log.debug('cron', { detail: message }),
    error: (message: string | Error, error?: Error) => deps.log.warn('cron', { detail: String(message), error }),
    debug: (message: string | Error) => deps.log.debug('cron', { detail: String(message) }),
  };

  const guarded = (name: string, job: () => Promise<unknown>, leaseMs: number) => {
    let busy = false;
    return async (): Promise<boolean> => {
      if (busy) {
        deps.log.debug('job still running, tick skipped', { job: name });
        return false;
      }
      busy = true;
      const lease = `job:${name}`;
      try {
        if (!(await deps.backend.acquireLease(lease, owner, leaseMs))) {
          deps.log.debug('job held by another replica', { job: name });
          return false;
        }
        const started = Date.now();
        const work = job();
        running.add(work);
        try {
          await work;
        } finally {
          running.delete(work);
          await deps.backend.releaseLease(lease, owner).catch(() => {});
        }
        deps.log.debug('job done', { job: name, durationMs: Date.now() - started });
        return true;
      } catch (error) {
        deps.log.error('job failed', { job: name, error });
        return true;
      } finally {
        busy = false;
      }
    };
  };

  return {
    add(name, expression, job, leaseMs = 15 * 60_000) {
      const run = guarded(name, job, leaseMs);
      const task = cron.createTask(expression, () => run(), { name, noOverlap: true, logger: cronLogger, ...(deps.timezone ? { timezone: deps.timezone } : {}) });
      jobs.set(name, { run, task });
    },
    async runNow(name) {
      const job = jobs.get(name);
      if (!job) throw new Error(`no job named ${name}`);
      return job.run();
    },
    start() {
      for (const { task } of jobs.values()) void task.start();
    },
    async stop() {
      await Promise.all([...jobs.values()].map(({ task }) => task.stop()));
      await Promise.allSettled([...running]);
      await Promise.all([...jobs.values()].map(({ task }) => task.destroy()));
    },
  };
}
