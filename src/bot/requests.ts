// Slow work people ask for (/sub of a new feed, /summary, /import) as job rows: answered at once, worked by any replica, finished after a restart.
import type { Logger } from '../log.js';
import type { Job, JobQueries } from '../store/jobs.js';
import { createStage } from '../stages/stage.js';
import { TEXTS, type Lang } from './i18n.js';
import { htmlMessage, type Sender } from '../delivery/sender.js';

/** How a job answers: in the chat's language, through the outbox, under ids of its own (a rerun never answers twice). */
export interface Replier {
  chatId: number;
  lang: Lang;
  t: (typeof TEXTS)[Lang];
  say(html: string, extra?: { replyMarkup?: unknown; reply?: boolean }): Promise<void>;
}

export interface JobPayload {
  lang: Lang;
  /** The message the answer replies to. */
  replyTo?: number;
  /** The progress note the first answer takes the place of (edited into it). */
  progressId?: string;
}

export type JobHandler = (job: Job<JobPayload & Record<string, unknown>>, reply: Replier) => Promise<void>;

export interface Requests {
  /** Registers what a kind of job does (each command module its own). */
  handle(kind: string, handler: JobHandler): void;
  /** Queues a job; false when this update queued it already. */
  add(job: { id: string; chatId: number; kind: string; payload: JobPayload & Record<string, unknown> }): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
  idle(): Promise<void>;
  readonly active: number;
}

export interface RequestsDeps {
  jobs: JobQueries;
  sender: Pick<Sender, 'enqueue'>;
  log: Logger;
  now: () => number;
  /** Jobs worked at once per replica. */
  concurrency?: number;
}

/** A crashed replica's jobs come back after this (a /summary waits on fetches and the LLM). */
const HOLD_MS = 5 * 60_000;
const MAX_ATTEMPTS = 3;

export function replierFor(sender: Pick<Sender, 'enqueue'>, chatId: number, lang: Lang, idPrefix: string, replyTo?: number, progressId?: string): Replier {
  let n = 0;
  return {
    chatId,
    lang,
    t: TEXTS[lang],
    async say(html, extra = {}) {
      const first = n === 0;
      await sender.enqueue(
        htmlMessage(`${idPrefix}:${n++}`, chatId, html, {
          priority: 0,
          ...(extra.replyMarkup ? { replyMarkup: extra.replyMarkup } : {}),
          ...(extra.reply && replyTo ? { replyTo } : {}),
          ...(first && progressId ? { replaces: progressId } : {}),
        }),
      );
    },
  };
}

export function createRequests(deps: RequestsDeps): Requests {
  const handlers = new Map<string, JobHandler>();
  const inHand = new Set<string>();

  const run = async (job: Job) => {
    const payload = job.payload as JobPayload & Record<string, unknown>;
    const handler = handlers.get(job.kind);
    if (!handler) {
      deps.log.error('a job of an unknown kind, dropped', { jobId: job.id, kind: job.kind });
      return deps.jobs.done(job.id);
    }
    inHand.add(job.id);
    const started = deps.now();
    try {
      await handler({ ...job, payload }, replierFor(deps.sender, job.chatId, payload.lang ?? 'zh', `j:${job.id}`, payload.replyTo, payload.progressId));
      await deps.jobs.done(job.id);
      deps.log.debug('job done', { jobId: job.id, kind: job.kind, chatId: job.chatId, durationMs: deps.now() - started });
    } catch (error) {
      const attempts = job.attempts + 1;
      deps.log.error('job failed', { jobId: job.id, kind: job.kind, chatId: job.chatId, attempts, error });
      if (attempts >= MAX_ATTEMPTS) await deps.jobs.done(job.id);
      else await deps.jobs.retryAt(job.id, deps.now() + 30_000 * 2 ** attempts, attempts);
    } finally {
      inHand.delete(job.id);
    }
  };

  const stage = createStage<Job>({
    name: 'requests',
    concurrency: deps.concurrency ?? 8,
    claim: (n) => deps.jobs.claimDue(deps.now(), n, HOLD_MS),
    work: run,
    log: deps.log,
    recheckMs: 2000,
  });

  return {
    handle(kind, handler) {
      handlers.set(kind, handler);
    },
    async add(job) {
      const added = await deps.jobs.add({ ...job, createdAt: deps.now() }, deps.now());
      if (added) stage.wake();
      return added;
    },
    start: () => stage.start(),
    async stop() {
      // Let another replica (or this one after a restart) take over at once what is still in hand; their answers have fixed ids.
      await Promise.all([...inHand].map((id) => deps.jobs.retryAt(id, deps.now(), 0).catch(() => {})));
      await stage.stop();
    },
    idle: () => stage.idle(),
    get active() {
      return stage.active;
    },
  };
}
