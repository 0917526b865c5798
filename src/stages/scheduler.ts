// Cron jobs that never overlap: node-cron ticks, an in-process guard, and (for cluster-wide jobs) a lease so one replica runs each.
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log.js';
import type { Leases } from '../store/leases.js';

export interface Scheduler {
  /** Registers a job; it starts ticking on `start()`. */
  /** `leaseMs` makes the job one replica's at a time; without it every replica runs it (a wake-up of its own stages). */
  add(name: string, expression: string, job: () => Promise<unknown>, leaseMs?: number): void;
  /** Runs a job now, under the same guard; resolves false when it was already running (here or elsewhere). */
  runNow(name: string): Promise<boolean>;
  start(): void;
  /** Stops ticking and waits for running jobs to finish. */
  stop(): Promise<void>;
}

export function createScheduler(deps: { leases: Leases; log: Logger; timezone?: string }): Scheduler {
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

  const guarded = (name: string, job: () => Promise<unknown>, leaseMs: number | undefined) => {
    let busy = false;
    return async (): Promise<boolean> => {
      if (busy) {
        deps.log.debug('job still running, tick skipped', { job: name });
        return false;
      }
      busy = true;
      const lease = `job:${name}`;
      try {
        if (leaseMs !== undefined && !(await deps.leases.acquire(lease, owner, leaseMs))) {
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
          if (leaseMs !== undefined) await deps.leases.release(lease, owner).catch(() => {});
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
    add(name, expression, job, leaseMs) {
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
