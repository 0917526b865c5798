// Slow work people ask for (/sub of a new feed, /summary, /import) as job rows: answered at once, worked by any replica, finished after a restart.
import type { Logger } from '../log.js';
import { isStoreUnavailable } from '../store/database.js';
import { newFailureId } from '../store/failed.js';
import type { Job, JobQueries } from '../store/jobs.js';
import { createStage } from '../stages/stage.js';
import { aboutChat } from './feedOptionTexts.js';
import { TEXTS, type Lang } from './i18n.js';
import { htmlMessage, type Sender } from '../delivery/sender.js';
import { errorMessage } from '../polling/pollFeed.js';

/** How a job answers: in the chat's language, through the outbox, under ids of its own (a rerun never answers twice). */
export interface Replier {
  /** Where answers go. */
  chatId: number;
  /** The chat the request acts on: `chatId`, or a channel managed from this private chat. */
  targetId: number;
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
  /** The forum topic the request came from: answered there. */
  threadId?: number;
  /** The channel a private chat manages, when the request acts on it (and its name, said first in each answer). */
  targetId?: number;
  targetTitle?: string;
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
  /** This process's id as the owner of its claims. */
  owner: string;
  /** Jobs worked at once per replica. */
  concurrency?: number;
  /** How long a claim lives without a heartbeat (tests shorten it). */
  holdMs?: number;
  /** Shows "typing…" in a chat (Telegram keeps it about 5 s): the user sees their request being worked on. */
  typing?: (chatId: number) => Promise<unknown>;
}

/** Telegram shows a chat action for about 5 s: renewed a little sooner while the work goes on. */
const TYPING_EVERY_MS = 4_500;

/** A job's claim outlives three missed heartbeats; a crashed replica's jobs come back after it. */
const HOLD_MS = 90_000;
/** Tries of one job, crashes included; then it is kept as failed and its user told. */
export const MAX_JOB_ATTEMPTS = 3;


/** Answers under ids `idPrefix:0`, `idPrefix:1`…, replying to `replyTo` when asked, the first in place of `progressId`, in `threadId`. */
export function replierFor(sender: Pick<Sender, 'enqueue'>, chatId: number, lang: Lang, idPrefix: string, at: Pick<JobPayload, 'replyTo' | 'progressId' | 'threadId' | 'targetId' | 'targetTitle'> = {}): Replier {
  const { replyTo, progressId, threadId } = at;
  let n = 0;
  return {
    chatId,
    targetId: at.targetId ?? chatId,
    lang,
    t: TEXTS[lang],
    async say(html, extra = {}) {
      const first = n === 0;
      await sender.enqueue(
        htmlMessage(`${idPrefix}:${n++}`, chatId, at.targetTitle ? aboutChat(lang, at.targetTitle, html) : html, {
          priority: 0,
          ...(extra.replyMarkup ? { replyMarkup: extra.replyMarkup } : {}),
          ...(extra.reply && replyTo ? { replyTo } : {}),
          ...(first && progressId ? { replaces: progressId } : {}),
          ...(threadId ? { threadId } : {}),
        }),
      );
    },
  };
}

export function createRequests(deps: RequestsDeps): Requests {
  const handlers = new Map<string, JobHandler>();
  const claimant = { owner: deps.owner, holdMs: deps.holdMs ?? HOLD_MS };

  /** Kept as failed, and the user told in their language with the id (the answer takes the progress note's place). */
  const giveUp = async (job: Job, payload: JobPayload, error: string) => {
    const id = newFailureId();
    await deps.jobs.fail(job.id, deps.owner, { error, failureId: id, at: deps.now() });
    deps.log.error('job failed for good', { jobId: job.id, kind: job.kind, chatId: job.chatId, attempts: job.attempts, failureId: id, error });
    const lang = payload.lang ?? 'zh';
    await replierFor(deps.sender, job.chatId, lang, `j:${job.id}:failed`, payload).say(TEXTS[lang].jobFailed(id), { reply: true });
  };

  const run = async (job: Job) => {
    const payload = job.payload as JobPayload & Record<string, unknown>;
    const handler = handlers.get(job.kind)!; // claimed by kind: this replica knows it
    if (job.attempts > MAX_JOB_ATTEMPTS) {
      // Its last tries never recorded an outcome: they died with their process. Do not feed it to this one.
      return giveUp(job, payload, job.lastError ?? `its last tries stopped the bot's process`);
    }
    const started = deps.now();
    const typing = deps.typing;
    const showTyping = () => void typing?.(job.chatId).catch((error: unknown) => deps.log.debug('chat action refused', { chatId: job.chatId, error }));
    showTyping();
    const typingTimer = typing ? setInterval(showTyping, TYPING_EVERY_MS) : undefined;
    try {
      await handler({ ...job, payload }, replierFor(deps.sender, job.chatId, payload.lang ?? 'zh', `j:${job.id}`, payload));
      if (!(await deps.jobs.done(job.id, deps.owner))) deps.log.warn('job finished after its claim was lost', { jobId: job.id, kind: job.kind });
      deps.log.debug('job done', { jobId: job.id, kind: job.kind, chatId: job.chatId, durationMs: deps.now() - started });
    } catch (error) {
      if (isStoreUnavailable(error)) {
        // Not the job's fault: let it go uncounted (if the store answers), for this replica or another to take again.
        deps.log.warn('job interrupted; it will run again', { jobId: job.id, kind: job.kind, chatId: job.chatId, error });
        return deps.jobs.release(job.id, deps.owner).catch(() => {});
      }
      const message = errorMessage(error);
      deps.log.error('job failed', { jobId: job.id, kind: job.kind, chatId: job.chatId, attempts: job.attempts, error });
      if (job.attempts >= MAX_JOB_ATTEMPTS) return giveUp(job, payload, message);
      await deps.jobs.retryAt(job.id, deps.owner, deps.now() + 30_000 * 2 ** job.attempts, message);
    } finally {
      clearInterval(typingTimer);
    }
  };

  const stage = createStage<Job>({
    name: 'requests',
    concurrency: deps.concurrency ?? 8,
    claim: (n) => deps.jobs.claimDue(deps.now(), n, claimant, [...handlers.keys()]),
    work: run,
    renew: async (jobs) => {
      await deps.jobs.renew(
        jobs.map((j) => j.id),
        claimant,
      );
    },
    renewEveryMs: Math.max(50, Math.floor(claimant.holdMs / 3)),
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
      // Jobs in hand finish here (their claims renewed meanwhile); what the shutdown's deadline cuts short comes back to any
      // replica when its claim lapses, its answers under fixed ids.
      await stage.stop();
    },
    idle: () => stage.idle(),
    get active() {
      return stage.active;
    },
  };
}
