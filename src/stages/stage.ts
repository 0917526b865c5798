// A stage is a loop that claims due rows and works them with bounded concurrency: woken by new work, re-checking on a timer, never waiting for another stage.
import type { Logger } from '../log.js';
import { isStoreUnavailable } from '../store/database.js';

export interface StageOptions<T> {
  name: string;
  /** Items worked at once in this process. */
  concurrency: number;
  /** Takes up to `n` due items (a claim that expires, so a crash gives them back). */
  claim(n: number): Promise<T[]>;
  work(item: T): Promise<void>;
  log: Logger;
  /** How often an idle stage looks for due work that nobody announced (another replica's, a retry's time). */
  recheckMs?: number;
  /** The heartbeat: keeps the claims of the items in hand alive while they are worked (called every `renewEveryMs`). */
  renew?(items: T[]): Promise<void>;
  renewEveryMs?: number;
}

/** Longest wait between two claims while the store fails (it doubles from a second). */
const MAX_BACKOFF_MS = 30_000;

export interface Stage {
  /** Looks for work now. */
  wake(): void;
  start(): void;
  /** Stops claiming and waits for the items in hand. */
  stop(): Promise<void>;
  /** Resolves once a look finds nothing due and nothing is in hand (tests, `poll --once`). */
  idle(): Promise<void>;
  readonly active: number;
}

export function createStage<T>(options: StageOptions<T>): Stage {
  const claimBatch = Math.max(1, Math.floor(options.concurrency / 4));
  let running = false;
  let claiming = false;
  let again = false;
  let active = 0;
  let timer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  const inHand = new Set<Promise<void>>();
  const items = new Set<T>();
  const idleWaiters: Array<() => void> = [];

  const schedule = (ms: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, ms);
    timer.unref();
  };

  function pump(): void {
    if (!running) return;
    if (claiming) {
      again = true;
      return;
    }
    const free = options.concurrency - active;
    // A claim waits until a quarter of the workers are free (or all are): one claim's statements serve several items, not one.
    if (free <= 0 || (active > 0 && free < claimBatch)) return;
    claiming = true;
    again = false;
    void claimAndWork(free);
  }

  async function claimAndWork(free: number): Promise<void> {
    let claimed: T[];
    try {
      claimed = await options.claim(free);
    } catch (error) {
      claiming = false;
      // The store is down (or failing): back off, doubling, and say so once per outage, not once per look.
      failures++;
      const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
      if (failures === 1 || !isStoreUnavailable(error)) options.log.warn('stage could not claim work', { stage: options.name, retryInMs: wait, error });
      return schedule(wait);
    }
    claiming = false;
    if (failures > 0) options.log.info('stage claims work again', { stage: options.name, failedLooks: failures });
    failures = 0;
    for (const item of claimed) {
      active++;
      items.add(item);
      const p = options
        .work(item)
        .catch((error: unknown) => options.log.error('stage work failed', { stage: options.name, error }))
        .finally(() => {
          active--;
          items.delete(item);
          inHand.delete(p);
          pump();
        });
      inHand.add(p);
    }
    if (claimed.length === 0 && active === 0 && !again) for (const w of idleWaiters.splice(0)) w();
    if (claimed.length === free || again) pump();
    else schedule(options.recheckMs ?? 5000);
  }

  const heartbeat = () => {
    if (!options.renew || (!running && items.size === 0)) return; // in-hand work keeps its claims while a stop waits for it
    renewTimer = setTimeout(() => {
      const held = [...items];
      const beat = held.length ? options.renew!(held).catch((error: unknown) => options.log.warn('could not renew claims', { stage: options.name, items: held.length, error })) : Promise.resolve();
      void beat.finally(heartbeat);
    }, options.renewEveryMs ?? 30_000);
    renewTimer.unref();
  };

  return {
    wake: () => pump(),
    start() {
      running = true;
      pump();
      heartbeat();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inHand]);
      if (renewTimer) clearTimeout(renewTimer);
      for (const w of idleWaiters.splice(0)) w();
    },
    idle() {
      return new Promise<void>((resolve) => {
        if (!running) return resolve();
        idleWaiters.push(resolve);
        pump();
      });
    },
    get active() {
      return active;
    },
  };
}
